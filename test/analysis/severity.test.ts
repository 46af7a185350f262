import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { maxSeverity, severityRank } from '../../src/record/findings.ts';
import { DEFAULT_THRESHOLDS, SeverityConfigError, bandOf, loadSeverityConfig } from '../../src/analysis/severity.ts';
import { UsageError } from '../../src/errors.ts';

const dir = mkdtempSync(join(tmpdir(), 'speedguard-severity-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const file = (name: string, text: string) => {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
};

describe('DEFAULT_THRESHOLDS', () => {
  it('holds ASSESSMENT-RULES.md §2 matrix values', () => {
    assert.deepEqual(DEFAULT_THRESHOLDS.apiP95Ms, { p0: 5000, p1: 2000, p2: 1000 });
    assert.deepEqual(DEFAULT_THRESHOLDS.errorRate, { p0: 0.05 });
    assert.deepEqual(DEFAULT_THRESHOLDS.throughputShare, { p1: 0.5 });
    assert.deepEqual(DEFAULT_THRESHOLDS.cpu, { p0: 0.95, p1: 0.85, p2: 0.75 });
    assert.deepEqual(DEFAULT_THRESHOLDS.memory, { p0: 0.9, p1: 0.8, p2: 0.7 });
    assert.deepEqual(DEFAULT_THRESHOLDS.dbQueryMs, { p0: 2000, p1: 1000, p2: 500 });
    assert.deepEqual(DEFAULT_THRESHOLDS.cacheHitRate, { p2: 0.8 });
  });

  it('cannot be changed by a caller', () => {
    assert.throws(() => {
      (DEFAULT_THRESHOLDS.apiP95Ms as { p0: number }).p0 = 1;
    }, TypeError);
    assert.equal(DEFAULT_THRESHOLDS.apiP95Ms.p0, 5000);
  });
});

describe('bandOf / ranks', () => {
  it('puts values in the SPEC bands (lower bounds exclusive)', () => {
    const b = DEFAULT_THRESHOLDS.apiP95Ms;
    assert.equal(bandOf(6000, b), 'critical');
    assert.equal(bandOf(5000, b), 'high');
    assert.equal(bandOf(2500, b), 'high');
    assert.equal(bandOf(1500, b), 'medium');
    assert.equal(bandOf(1000, b), null);
    assert.equal(bandOf(0.06, DEFAULT_THRESHOLDS.errorRate), 'critical');
    assert.equal(bandOf(0.04, DEFAULT_THRESHOLDS.errorRate), null);
  });

  it('orders severities', () => {
    assert.ok(severityRank('critical') < severityRank('high'));
    assert.ok(severityRank('low') < severityRank('info'));
    assert.equal(maxSeverity('low', 'high'), 'high');
    assert.equal(maxSeverity(null, 'medium'), 'medium');
    assert.equal(maxSeverity('critical', null), 'critical');
  });
});

describe('loadSeverityConfig', () => {
  it('merges a partial YAML override over the defaults, with units', () => {
    const t = loadSeverityConfig(file('a.yaml', 'apiP95Ms:\n  p1: 1.5s\n  p2: 800\nerrorRate: { p0: "2%" }\n'));
    assert.deepEqual(t.apiP95Ms, { p0: 5000, p1: 1500, p2: 800 });
    assert.deepEqual(t.errorRate, { p0: 0.02 });
    assert.deepEqual(t.cpu, DEFAULT_THRESHOLDS.cpu);
    assert.equal(DEFAULT_THRESHOLDS.apiP95Ms.p1, 2000, 'defaults untouched');
  });

  it('reads JSON, and thresholds under a `severity:` section', () => {
    assert.deepEqual(loadSeverityConfig(file('b.json', '{"throughputShare": {"p1": 0.7}}')).throughputShare, { p1: 0.7 });
    assert.deepEqual(loadSeverityConfig(file('c.yml', 'severity:\n  cpu: { p2: 70% }\n')).cpu, { p0: 0.95, p1: 0.85, p2: 0.7 });
  });

  const bad: Array<[string, string, RegExp]> = [
    ['unknown group', 'apiP95: { p1: 100 }', /d\.yaml: apiP95: unknown field \(allowed: apiP95Ms, /],
    ['unknown band', 'errorRate: { p1: 0.1 }', /errorRate\.p1: unknown field \(allowed: p0\)/],
    ['not a number', 'cpu: { p0: lots }', /cpu\.p0: must be a share between 0 and 1 or a percentage/],
    ['share above 1', 'memory: { p0: 1.5 }', /memory\.p0: must be at most 1/],
    ['negative', 'apiP95Ms: { p2: -5 }', /apiP95Ms\.p2: must be > 0/],
    ['bad duration', 'dbQueryMs: { p1: fast }', /dbQueryMs\.p1: must be a duration/],
    ['bands out of order', 'apiP95Ms: { p1: 9000 }', /apiP95Ms: bands must satisfy p0 ≥ p1 ≥ p2 \(got p0 5000, p1 9000, p2 1000/],
    ['group not a mapping', 'cpu: 0.9', /cpu: must be a mapping of bands/],
    ['list at the top', '- a\n- b', /must be a mapping of severity thresholds/],
    ['invalid YAML', 'cpu: { p0: 0.9\n', /invalid YAML/],
  ];
  for (const [what, text, re] of bad) {
    it(`rejects ${what} with one line naming the field`, () => {
      const p = file('d.yaml', text);
      assert.throws(
        () => loadSeverityConfig(p),
        (e: Error) => {
          assert.ok(e instanceof SeverityConfigError && e instanceof UsageError, 'maps to exit 2');
          assert.match(e.message, re);
          assert.ok(!e.message.includes('\n'), 'one line');
          return true;
        },
      );
    });
  }

  it('names a missing or empty file', () => {
    assert.throws(() => loadSeverityConfig(join(dir, 'nope.yaml')), /nope\.yaml: file not found/);
    assert.throws(() => loadSeverityConfig(file('e.yaml', '')), /e\.yaml: the file is empty/);
    assert.throws(() => loadSeverityConfig(file('f.json', '{"cpu": ')), /f\.json: invalid JSON/);
  });
});
