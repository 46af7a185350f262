import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { severityRank } from '../../src/record/findings.ts';
import { effectOf, effectRank } from '../../src/audits/support/effect.ts';
import { limitingResource } from '../../src/audits/support/limiting.ts';
import { DEFAULT_THRESHOLDS } from '../../src/analysis/severity.ts';
import { AUDITS, FINDING_AUDITS, GENERATOR_CONFIDENCE_FACTOR, runAudits, SUMMARY_AUDITS } from '../../src/audits/index.ts';
import type { Audit } from '../../src/audits/types.ts';
import { fakeAssessment, fakePhase, fakeRun, steady } from '../helpers/fake-records.ts';
import {
  API,
  ORDERS,
  assertComplete,
  capacity,
  healthyAssessment,
  healthyRun,
  inspection,
  multiRun,
  noisy,
  staircase,
  stressPhase,
} from './helpers.ts';

/** A service with many problems at once: every kind of finding, to check ordering and completeness. */
function sickAssessment() {
  const baseline = multiRun([
    { seconds: steady(20, 60, noisy(1, 25)), name: API, connectionsOpened: 1200 },
    { seconds: steady(20, 40, noisy(2, 2500), { failed: 4, errorKind: 'request_timeout' }), name: ORDERS },
  ]);
  const spikeSeconds = [
    ...steady(5, 100, 30),
    ...steady(6, 300, 900, { failed: 60, errorKind: 'request_timeout', dropped: 100 }),
    ...steady(6, 100, 300),
  ];
  return fakeAssessment(
    [
      stressPhase(staircase([25, 50, 75, 100, 150], 50)),
      fakePhase('baseline', baseline),
      fakePhase('spike', fakeRun({ seconds: spikeSeconds, name: API }), {
        offeredRate: 400,
        spike: { baseRate: 100, spikeRate: 400, spikeFromSecond: 5, spikeToSecond: 10 },
      }),
      fakePhase('recovery', fakeRun({ seconds: [...steady(8, 300, 900), ...steady(20, 100, 500)], name: API }), {
        offeredRate: 300,
        recovery: { fromSecond: 8, limitMs: 40, baselineP95Ms: 25, recoveredAfterSeconds: null },
      }),
    ],
    {
      inspection: [
        inspection({
          name: API,
          headers: { 'content-type': 'application/json' },
          encoding: null,
          bodyBytes: 300_000,
          transferBytes: 300_000,
        }),
        inspection({ name: ORDERS }),
      ],
      capacity: capacity({ sustainableRps: 50, sigma: 0.2 }),
    },
  );
}

describe('AUDITS', () => {
  it('one file per audit, ids unique and equal to the file names', () => {
    const ids = AUDITS.map((a) => a.id);
    assert.equal(new Set(ids).size, ids.length);
    for (const id of ids) assert.ok(existsSync(new URL(`../../src/audits/${id}.ts`, import.meta.url)), id);
    for (const id of [
      'latency-slo',
      'errors-under-load',
      'saturation-knee',
      'throughput-plateau',
      'tail-latency',
      'connection-churn',
      'http-caching',
      'compression',
      'payload-size',
      'spike-tolerance',
      'recovery-time',
      'generator-bound',
      'dropped-iterations',
      'no-bottleneck',
    ]) {
      assert.ok(ids.includes(id), id);
    }
    assert.equal(ids[ids.length - 1], 'no-bottleneck');
  });

  it('are pure: the same record gives the same findings', () => {
    const rec = sickAssessment();
    const before = JSON.stringify(rec);
    assert.deepEqual(runAudits(rec), runAudits(rec));
    assert.equal(JSON.stringify(rec), before, 'the record is not modified');
  });
});

/** The effect the audit that made a finding declares. */
const effectOfAudit = (f: { audit: string }) => AUDITS.find((a) => a.id === f.audit)!.effect;

describe('runAudits', () => {
  it('orders most severe first, then by effect (capacity, objective, hygiene), then most confident, and numbers PERF-001…', () => {
    const record = sickAssessment();
    const findings = runAudits(record);
    const limit = limitingResource(record);
    assert.ok(findings.length >= 8, `${findings.length} findings`);
    findings.forEach((f, i) => assert.equal(f.id, `PERF-${String(i + 1).padStart(3, '0')}`));
    for (let i = 1; i < findings.length; i++) {
      const a = findings[i - 1]!;
      const b = findings[i]!;
      const d = severityRank(a.severity) - severityRank(b.severity);
      const e = effectRank(a, effectOfAudit(a), limit) - effectRank(b, effectOfAudit(b), limit);
      assert.ok(
        d < 0 || (d === 0 && (e < 0 || (e === 0 && a.confidence >= b.confidence))),
        `${a.id} (${a.severity} ${effectOf(a, effectOfAudit(a), limit)} ${a.confidence}) before ` +
          `${b.id} (${b.severity} ${effectOf(b, effectOfAudit(b), limit)} ${b.confidence})`,
      );
    }
    assert.equal(findings[0]!.severity, 'critical');
    assert.ok(!findings.some((f) => f.audit === 'no-bottleneck'));
    const audits = new Set(findings.map((f) => f.audit));
    for (const a of [
      'latency-slo',
      'errors-under-load',
      'saturation-knee',
      'throughput-plateau',
      'connection-churn',
      'http-caching',
      'compression',
      'payload-size',
      'spike-tolerance',
      'recovery-time',
      'dropped-iterations',
    ]) {
      assert.ok(audits.has(a), `${a} fired: ${[...audits].join(', ')}`);
    }
  });

  it('every finding fills every field', () => {
    for (const f of runAudits(sickAssessment())) assertComplete(f);
    for (const f of runAudits(healthyAssessment())) assertComplete(f);
  });

  it('odd records (nothing ran, all requests failed, empty windows) neither crash an audit nor leave a field empty', () => {
    const allFailed = fakeRun({ seconds: steady(10, 50, 30_000, { failed: 50, errorKind: 'request_timeout' }), name: API });
    const emptySpike = fakeRun({ seconds: steady(3, 0, 0), name: API });
    const zeroRecovery = fakeRun({ seconds: steady(8, 100, 900), name: API });
    const records = [
      fakeAssessment([]),
      fakeAssessment([fakePhase('baseline', fakeRun({ seconds: [], name: API }))], { status: 'interrupted' }),
      fakeAssessment([fakePhase('baseline', allFailed), fakePhase('sustained', allFailed)]),
      fakeAssessment([fakePhase('spike', emptySpike, { spike: { baseRate: 10, spikeRate: 40, spikeFromSecond: 5, spikeToSecond: 8 } })]),
      fakeAssessment([
        fakePhase('recovery', zeroRecovery, { recovery: { fromSecond: 8, limitMs: 40, baselineP95Ms: 20, recoveredAfterSeconds: null } }),
      ]),
      fakeAssessment([stressPhase(staircase([10], 5))], { capacity: capacity({ fitQuality: 'poor', sustainableRps: null }) }),
    ];
    for (const rec of records) {
      const findings = runAudits(rec);
      assert.ok(!findings.some((f) => /could not run/.test(f.title)), findings.map((f) => f.title).join('; '));
      for (const f of findings) assertComplete(f);
    }
    assert.equal(runAudits(records[2]!)[0]!.severity, 'critical');
  });

  it("a generator-bound finding lowers the others' confidence and they say so", () => {
    const clean = runAudits(sickAssessment());
    const rec = sickAssessment();
    rec.phases[1]!.run.generator = { ...rec.phases[1]!.run.generator, limited: true, reasons: ['generator CPU at 98 %'] };
    const findings = runAudits(rec);
    const gen = findings.find((f) => f.audit === 'generator-bound')!;
    assert.ok(gen.invalidatesOthers);
    assert.equal(gen.confidence, 0.9);
    for (const f of findings) {
      if (f === gen) continue;
      if (['http-caching', 'compression', 'payload-size'].includes(f.audit)) {
        assert.doesNotMatch(f.description, /load generator/, 'an inspection GET does not depend on the load generator');
        continue;
      }
      assert.match(f.description, new RegExp(`load generator was saturated \\(${gen.id}\\)`));
      const twin = clean.find((c) => c.audit === f.audit && c.title === f.title)!;
      assert.equal(f.confidence, Math.round(twin.confidence * GENERATOR_CONFIDENCE_FACTOR * 100) / 100, f.title);
    }
  });

  it('an audit that declares loadIndependent keeps its confidence when the generator saturated; others lose half', () => {
    const rec = sickAssessment();
    rec.phases[1]!.run.generator = { ...rec.phases[1]!.run.generator, limited: true, reasons: ['generator CPU at 98 %'] };
    const template = runAudits(sickAssessment()).find((f) => f.audit === 'latency-slo')!;
    const { id: _id, ...body } = template;
    const own = (id: string, loadIndependent: boolean): Audit => ({
      id,
      effect: 'hygiene',
      ...(loadIndependent ? { loadIndependent: true as const } : {}),
      title: id,
      run: () => [{ ...body, audit: id, title: id, severity: 'low', confidence: 0.8 }],
    });
    const audits = { findings: [own('inspect', true), own('loaded', false), ...FINDING_AUDITS], summaries: SUMMARY_AUDITS };
    const findings = runAudits(rec, DEFAULT_THRESHOLDS, audits);
    assert.equal(findings.find((f) => f.audit === 'inspect')!.confidence, 0.8);
    assert.doesNotMatch(findings.find((f) => f.audit === 'inspect')!.description, /load generator/);
    assert.equal(findings.find((f) => f.audit === 'loaded')!.confidence, 0.4);
  });

  it('an audit that throws becomes an info finding; the others still run', () => {
    const broken: Audit = {
      id: 'broken',
      effect: 'hygiene',
      title: 'Broken',
      run: () => {
        throw new Error('unexpected record shape');
      },
    };
    const findings = runAudits(sickAssessment(), DEFAULT_THRESHOLDS, { findings: [broken, ...FINDING_AUDITS], summaries: SUMMARY_AUDITS });
    const f = findings.find((x) => x.audit === 'broken')!;
    assert.equal(f.severity, 'info');
    assert.match(f.title, /Audit "broken" could not run: unexpected record shape/);
    assert.ok(findings.some((x) => x.audit === 'latency-slo'));
    // A crashed audit cannot be vouched for: a healthy service gets no "no bottleneck" then.
    assert.ok(runAudits(healthyAssessment()).some((x) => x.audit === 'no-bottleneck'));
    const crashed = runAudits(healthyAssessment(), DEFAULT_THRESHOLDS, {
      findings: [broken, ...FINDING_AUDITS],
      summaries: SUMMARY_AUDITS,
    });
    assert.ok(!crashed.some((x) => x.audit === 'no-bottleneck'));
  });

  it('uses the thresholds given (a stricter p95 band raises the severity)', () => {
    const rec = fakeAssessment([fakePhase('baseline', fakeRun({ seconds: steady(20, 50, 300), name: API }))]);
    assert.equal(runAudits(rec).find((f) => f.audit === 'latency-slo')!.severity, 'medium');
    const strict = { ...DEFAULT_THRESHOLDS, apiP95Ms: { p0: 1000, p1: 250, p2: 100 } };
    assert.equal(runAudits(rec, strict).find((f) => f.audit === 'latency-slo')!.severity, 'high');
  });

  it('a healthy service: no critical or high finding, and "no bottleneck"', () => {
    const findings = runAudits(healthyAssessment());
    assert.deepEqual(
      findings.filter((f) => severityRank(f.severity) <= severityRank('high')),
      [],
    );
    assert.ok(findings.some((f) => f.audit === 'no-bottleneck'));
  });

  it('property: healthy services of any size and speed never get a P0/P1 finding', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 1e6 }),
        fc.integer({ min: 20, max: 150 }),
        fc.integer({ min: 2, max: 60 }),
        fc.boolean(),
        (seed, rate, medianMs, withStress) => {
          const phases = [
            fakePhase('baseline', healthyRun(20, seed, rate, medianMs), { offeredRate: rate }),
            fakePhase('sustained', healthyRun(30, seed + 7, rate, medianMs), { offeredRate: rate }),
          ];
          if (withStress)
            phases.unshift(stressPhase(staircase([rate / 4, rate / 2, rate, rate * 2, rate * 4, rate * 8], rate * 4, medianMs)));
          const rec = fakeAssessment(phases, { inspection: [inspection({ name: API }), inspection({ name: ORDERS })] });
          rec.config.expectedRate = rate;
          const bad = runAudits(rec).filter((f) => severityRank(f.severity) <= severityRank('high'));
          assert.deepEqual(
            bad.map((f) => f.title),
            [],
          );
        },
      ),
      { numRuns: 12, seed: 42 },
    );
  });
});
