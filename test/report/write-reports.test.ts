import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { Ajv } from 'ajv';
import schema from '../../schema/assessment-envelope.schema.json' with { type: 'json' };
import { reportPaths, writeAssessmentReports } from '../../src/report/write-reports.ts';
import { fileTimestamp } from '../../src/report/phase-figures.ts';
import { parseXml } from './xml-check.ts';
import { hostileRecord, troubledRecord } from './fixtures.ts';
import { cpuProfile, fakeTargetProbes, hotspot } from '../helpers/fake-probes.ts';

const validate = new Ajv({ allowUnionTypes: true }).compile(schema);

async function inTmp(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'sg-reports-'));
  try {
    await fn(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const listAll = (dir: string): string[] =>
  readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => relative(dir, join(e.parentPath, e.name)))
    .sort();

test('file timestamps are UTC, file-name safe: 20261125-100000', () => {
  assert.equal(fileTimestamp('2026-11-25T10:00:00.000Z'), '20261125-100000');
  assert.equal(fileTimestamp('2026-01-02T03:04:05.678+02:00'), '20260102-010405');
  assert.equal(fileTimestamp('garbage'), '19700101-000000');
});

test('writes the six reports under ANALYSIS/ and LOAD_TESTS/ with ASSESSMENT-RULES.md §1 names', async () => {
  await inTmp(async (dir) => {
    const record = troubledRecord();
    const written = await writeAssessmentReports(record, dir, {
      loadHtmlRenderer: async () => (r) => `<!doctype html><title>${r.id}</title>`,
      env: {},
    });
    assert.deepEqual(
      written.map((p) => relative(dir, p)),
      [
        'ANALYSIS/127.0.0.1-3000-api-20261125-100000.md',
        'ANALYSIS/127.0.0.1-3000-api-20261125-100000.json',
        'ANALYSIS/127.0.0.1-3000-api-20261125-100000.html',
        'LOAD_TESTS/TEST-20261125-100000.md',
        'LOAD_TESTS/TEST-20261125-100000.json',
        'LOAD_TESTS/TEST-20261125-100000.xml',
      ],
    );
    assert.deepEqual(written.skipped, []);
    assert.equal(written.githubSummary, null);
    assert.deepEqual(listAll(dir), written.map((p) => relative(dir, p)).sort(), 'no temporary files left behind');

    const p = reportPaths(record, dir);
    const envelope = JSON.parse(readFileSync(p.analysisJson, 'utf8'));
    assert.equal(validate(envelope), true, JSON.stringify(validate.errors));
    assert.equal(envelope.assessment_id, record.id);
    assert.deepEqual(JSON.parse(readFileSync(p.loadTestJson, 'utf8')), JSON.parse(JSON.stringify(record)));
    assert.equal(parseXml(readFileSync(p.loadTestXml, 'utf8')).name, 'testsuites');
    assert.equal(readFileSync(p.analysisHtml, 'utf8'), `<!doctype html><title>${record.id}</title>`);
    const analysis = readFileSync(p.analysisMd, 'utf8');
    assert.match(analysis, /^# Performance analysis: /);
    assert.match(
      analysis,
      new RegExp(
        String.raw`Related: \[load test report\]\(\.\.\/LOAD_TESTS\/TEST-20261125-100000\.md\) · \[JSON` +
          String.raw` envelope\]\(127\.0\.0\.1-3000-api-20261125-100000\.json\) · \[HTML` +
          String.raw` report\]\(127\.0\.0\.1-3000-api-20261125-100000\.html\)`,
      ),
    );
    assert.match(readFileSync(p.loadTestMd, 'utf8'), /^# Load test TEST-20261125-100000\n/);

    // Re-rendering the same record rewrites the same files.
    const again = await writeAssessmentReports(record, dir, { loadHtmlRenderer: async () => null, env: {} });
    assert.equal(listAll(dir).length, 6);
    assert.equal(again.length, 5);
  });
});

test('without an HTML renderer, or when it throws, the other reports are written and the reason returned', async () => {
  await inTmp(async (dir) => {
    const none = await writeAssessmentReports(troubledRecord(), join(dir, 'a'), { loadHtmlRenderer: async () => null, env: {} });
    assert.equal(none.length, 5);
    assert.ok(none.every((f) => !f.endsWith('.html')));
    assert.equal(none.skipped.length, 1);
    assert.match(none.skipped[0]!.file, /ANALYSIS\/127\.0\.0\.1-3000-api-20261125-100000\.html$/);
    assert.match(none.skipped[0]!.reason, /no HTML renderer/);
    assert.doesNotMatch(readFileSync(none[0]!, 'utf8'), /HTML report/);

    const broken = await writeAssessmentReports(troubledRecord(), join(dir, 'b'), {
      loadHtmlRenderer: async () => () => {
        throw new Error('boom');
      },
      env: {},
    });
    assert.equal(broken.length, 5);
    assert.match(broken.skipped[0]!.reason, /HTML report failed: boom/);
    assert.equal(existsSync(reportPaths(troubledRecord(), join(dir, 'b')).analysisHtml), false);

    const unloadable = await writeAssessmentReports(troubledRecord(), join(dir, 'c'), {
      loadHtmlRenderer: async () => {
        throw new SyntaxError('bad module');
      },
      env: {},
    });
    assert.equal(unloadable.length, 5);
    assert.match(unloadable.skipped[0]!.reason, /failed to load: bad module/);
  });
});

test('the real html.ts is imported lazily: either the HTML is written or its absence is reported', async () => {
  await inTmp(async (dir) => {
    const written = await writeAssessmentReports(troubledRecord(), dir, { env: {} });
    const html = written.find((f) => f.endsWith('.html'));
    if (html) assert.match(readFileSync(html, 'utf8'), /<html|<!doctype/i);
    else assert.equal(written.skipped.length, 1, JSON.stringify(written.skipped));
  });
});

test('a hostile target name cannot escape the output directory', async () => {
  await inTmp(async (dir) => {
    const written = await writeAssessmentReports(hostileRecord(), join(dir, 'out'), { loadHtmlRenderer: async () => null, env: {} });
    for (const f of written)
      assert.ok(
        relative(join(dir, 'out'), f)
          .split('/')
          .every((part) => part !== '..'),
        f,
      );
    assert.equal(relative(dir, written[0]!), 'out/ANALYSIS/etc-passwd-x-20261125-100000.md');
    assert.deepEqual(readdirSync(dir), ['out']);
  });
});

test('appends the GitHub step summary when GITHUB_STEP_SUMMARY is set', async () => {
  await inTmp(async (dir) => {
    const summary = join(dir, 'step-summary.md');
    const written = await writeAssessmentReports(troubledRecord(), join(dir, 'out'), {
      loadHtmlRenderer: async () => null,
      env: { GITHUB_STEP_SUMMARY: summary },
    });
    assert.equal(written.githubSummary, summary);
    const text = readFileSync(summary, 'utf8');
    assert.match(text, /speedguard assess: CRITICAL/);
    assert.match(text, /Reports: .*LOAD_TESTS\/TEST-20261125-100000\.xml/);
  });
});

test('the written list includes the .cpuprofile and .heapprofile files the probes saved (REPORTS left them out)', async () => {
  await inTmp(async (dir) => {
    const record = troubledRecord();
    mkdirSync(join(dir, 'ANALYSIS'), { recursive: true });
    const cpu = join(dir, 'ANALYSIS', 'svc-20261125-100000.cpuprofile');
    const heap = join(dir, 'ANALYSIS', 'svc-20261125-100000.heapprofile');
    writeFileSync(cpu, '{}');
    writeFileSync(heap, '{}');
    record.probes.target = {
      ...fakeTargetProbes({ cpuProfile: cpuProfile([hotspot('f')], { path: cpu }) }),
      // Relative to the report folder; the allocation profile was never saved (not listed).
      heapProfile: { path: 'svc-20261125-100000.heapprofile', totalBytes: 1, samples: 1, topAllocators: [] },
      heapAllocationProfile: { path: join(dir, 'ANALYSIS', 'missing.heapprofile'), totalBytes: 1, samples: 1, topAllocators: [] },
    };
    const written = await writeAssessmentReports(record, dir, { loadHtmlRenderer: async () => null, env: {} });
    assert.deepEqual(written.slice(-2), [cpu, heap]);
    assert.equal(written.length, 7);
  });
});
