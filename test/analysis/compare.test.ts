// compareRecords on synthetic records: direction-aware thresholds, significance, severities.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Comparison, MetricComparison } from '../../src/record/comparison.ts';
import {
  CompareError,
  compareRecords,
  DEFAULT_REGRESSION_THRESHOLDS,
  regressionsAtOrAbove,
  severityForOvershoot,
} from '../../src/analysis/compare.ts';
import { seededRandom } from '../../src/analysis/stats.ts';
import type { RunRecord } from '../../src/record/run-record.ts';
import { fakeAssessment, fakePhase, fakeRun, steady, type FakeSecond } from '../helpers/fake-records.ts';

/** Realistic seconds: latencies spread ±20 % around baseMs with a 2 % slow tail (×2), from a seed. */
function noisySeconds(n: number, rps: number, baseMs: number, seed: number, extra: Partial<FakeSecond> = {}): FakeSecond[] {
  const random = seededRandom(seed);
  return Array.from({ length: n }, () => {
    const values = Array.from({ length: rps }, () => baseMs * (0.8 + 0.4 * random()) * (random() < 0.02 ? 2 : 1));
    return { requests: rps, latencyMs: (i: number) => values[i]!, ...extra };
  });
}

const metric = (c: Comparison, id: string): MetricComparison => {
  const m = c.metrics.find((x) => x.id === id);
  assert.ok(m, `no metric ${id} in ${c.metrics.map((x) => x.id).join(', ')}`);
  return m;
};

test('same distribution, different samples: unchanged, exit-0 material', () => {
  for (let seed = 1; seed <= 6; seed++) {
    const a = fakeRun({ seconds: noisySeconds(10, 200, 20, seed) });
    const b = fakeRun({ seconds: noisySeconds(10, 200, 20, seed + 100) });
    const c = compareRecords(a, b);
    assert.equal(c.verdict, 'unchanged', JSON.stringify(c.metrics.map((m) => [m.id, m.change, m.pValue, m.verdict])));
    assert.equal(c.regressions, 0);
    assert.equal(c.worstSeverity, null);
    const p95 = metric(c, 'latency_p95');
    assert.ok(Math.abs(p95.change!) < 0.15, `p95 change ${p95.change}`);
    assert.ok(p95.ci!.low! <= p95.change! && p95.change! <= p95.ci!.high!);
  }
});

test('latency × 1.5: a significant regression, critical (50 % is 3.3× the +15 % threshold)', () => {
  const a = fakeRun({ seconds: noisySeconds(10, 200, 20, 1) });
  const b = fakeRun({ seconds: noisySeconds(10, 200, 30, 1) }); // the same requests, each 1.5× slower
  const c = compareRecords(a, b);
  assert.equal(c.verdict, 'regressed');
  for (const id of ['latency_p50', 'latency_p95', 'latency_p99']) {
    const m = metric(c, id);
    assert.equal(m.verdict, 'regression', `${id}: ${m.reason}`);
    assert.equal(m.severity, 'critical', `${id}: ${m.reason}`);
    assert.ok(m.change! > 0.4 && m.change! < 0.6, `${id} change ${m.change}`);
    assert.ok(m.pValue! < 0.01, `${id} p ${m.pValue}`);
    assert.ok(m.test?.startsWith('mann-whitney'));
    assert.ok(m.ci!.low! > 0.2 && m.ci!.high! < 0.8 && m.ci!.low! <= m.change! && m.change! <= m.ci!.high!, JSON.stringify(m.ci));
  }
  assert.equal(metric(c, 'throughput').verdict, 'unchanged');
  assert.equal(c.worstSeverity, 'critical');
  assert.equal(c.regressions, 3);
  assert.equal(regressionsAtOrAbove(c, 'critical').length, 3);
});

test('severity grows with the overshoot: +20 % low, +25 % medium, +40 % high (thresholds of ASSESSMENT-RULES.md §4)', () => {
  const a = fakeRun({ seconds: noisySeconds(20, 100, 100, 1) });
  const cases: Array<[number, string]> = [
    [1.2, 'low'],
    [1.25, 'medium'],
    [1.4, 'high'],
    [1.6, 'critical'],
  ];
  for (const [factor, severity] of cases) {
    const b = fakeRun({ seconds: noisySeconds(20, 100, 100 * factor, 1) }); // same noise, scaled
    const m = metric(compareRecords(a, b), 'latency_p50');
    assert.equal(m.verdict, 'regression', `×${factor}: ${m.reason}`);
    assert.equal(m.severity, severity, `×${factor}: ${m.reason}`);
  }
  assert.equal(severityForOvershoot(3.01), 'critical');
  assert.equal(severityForOvershoot(3), 'high');
  assert.equal(severityForOvershoot(2), 'medium');
  assert.equal(severityForOvershoot(1.5), 'low');
});

test('throughput −30 %: a regression in the down direction (3× the −10 % threshold: high)', () => {
  const a = fakeRun({ seconds: noisySeconds(10, 200, 20, 1) });
  const b = fakeRun({ seconds: noisySeconds(10, 140, 20, 2) });
  const c = compareRecords(a, b);
  const t = metric(c, 'throughput');
  assert.equal(t.worseWhen, 'down');
  assert.ok(Math.abs(t.change! + 0.3) < 1e-9, `change ${t.change}`);
  assert.equal(t.verdict, 'regression', t.reason);
  assert.equal(t.severity, 'high');
  assert.equal(c.verdict, 'regressed');
  // Throughput up 30 % is the good direction: an improvement, not a regression.
  const up = metric(compareRecords(b, a), 'throughput');
  assert.equal(up.verdict, 'improvement', up.reason);
});

test('+20 % within the noise (few, very noisy seconds): past the threshold but not significant', () => {
  const perSecond = [10, 40, 15, 35];
  const a = fakeRun({ seconds: perSecond.map((ms) => ({ requests: 50, latencyMs: ms })) });
  const b = fakeRun({ seconds: perSecond.map((ms) => ({ requests: 50, latencyMs: ms * 1.2 })) });
  const c = compareRecords(a, b);
  const m = metric(c, 'latency_p95');
  assert.ok(m.change! > 0.15, `change ${m.change}`);
  assert.ok(m.pValue! >= 0.05, `p ${m.pValue}`);
  assert.equal(m.significant, false);
  assert.equal(m.verdict, 'inconclusive');
  assert.equal(m.severity, null);
  assert.match(m.reason, /noise/);
  // The interval shows the uncertainty: it reaches below zero change.
  assert.ok(m.ci!.low! < 0, JSON.stringify(m.ci));
  assert.equal(c.regressions, 0);
  assert.equal(c.verdict, 'unchanged');
});

test('an improvement is reported as such', () => {
  const a = fakeRun({ seconds: noisySeconds(10, 200, 30, 1) });
  const b = fakeRun({ seconds: noisySeconds(10, 200, 18, 2) });
  const c = compareRecords(a, b);
  assert.equal(c.verdict, 'improved');
  assert.equal(c.regressions, 0);
  assert.equal(c.improvements, 3);
  const m = metric(c, 'latency_p95');
  assert.equal(m.verdict, 'improvement');
  assert.ok(m.change! < -0.3);
  assert.ok(m.ci!.high! < 0);
});

test('error rate: relative +5 % AND an absolute floor of 0.1 percentage point', () => {
  const clean = fakeRun({ seconds: steady(10, 1000, 10) });
  // 0 → 0.1 %: past +5 % (from zero), but not more than the 0.1 pp floor → unchanged.
  const tiny = compareRecords(clean, fakeRun({ seconds: steady(10, 1000, 10, { failed: 1 }) }));
  const t = metric(tiny, 'error_rate');
  assert.equal(t.verdict, 'unchanged', t.reason);
  assert.match(t.reason, /floor/);
  // 0.2 % → 0.3 %: +50 %, 0.1 pp — not more than the floor either.
  const small = compareRecords(
    fakeRun({ seconds: steady(10, 1000, 10, { failed: 2 }) }),
    fakeRun({ seconds: steady(10, 1000, 10, { failed: 3 }) }),
  );
  assert.equal(metric(small, 'error_rate').verdict, 'unchanged');
  // 0 → 0.5 %: new errors, far past the threshold → critical; no finite relative change.
  const fresh = metric(compareRecords(clean, fakeRun({ seconds: steady(10, 1000, 10, { failed: 5 }) })), 'error_rate');
  assert.equal(fresh.verdict, 'regression', fresh.reason);
  assert.equal(fresh.severity, 'critical');
  assert.equal(fresh.change, null);
  assert.equal(fresh.ci, null);
  // 1 % → 1.2 %: +20 % = 4× the +5 % threshold, 0.2 pp → critical.
  const grew = metric(
    compareRecords(fakeRun({ seconds: steady(10, 1000, 10, { failed: 10 }) }), fakeRun({ seconds: steady(10, 1000, 10, { failed: 12 }) })),
    'error_rate',
  );
  assert.equal(grew.verdict, 'regression', grew.reason);
  assert.equal(grew.severity, 'critical');
  assert.ok(Math.abs(grew.change! - 0.2) < 1e-9);
});

test('assessments compare their baseline phases; the result is plain JSON', () => {
  const slowStress = fakePhase('stress', fakeRun({ seconds: noisySeconds(10, 100, 500, 3) }));
  const before = fakeAssessment([slowStress, fakePhase('baseline', fakeRun({ seconds: noisySeconds(10, 200, 20, 1) }))]);
  const after = fakeAssessment([fakePhase('baseline', fakeRun({ seconds: noisySeconds(10, 200, 20, 2) })), slowStress]);
  const c = compareRecords(before, after);
  assert.equal(c.baseline.phase, 'baseline');
  assert.equal(c.current.phase, 'baseline');
  assert.equal(c.baseline.kind, 'assess');
  assert.equal(c.verdict, 'unchanged');
  assert.deepEqual(JSON.parse(JSON.stringify(c)), c);
  // A plain run against an assessment works too (the assessment's baseline phase).
  assert.equal(compareRecords(after.phases[0]!.run, after).current.phase, 'baseline');
  assert.throws(() => compareRecords(fakeAssessment([]), after), CompareError);
});

test('same records, same seed: the same intervals; thresholds are overridable', () => {
  const a = fakeRun({ seconds: noisySeconds(8, 100, 20, 1) });
  const b = fakeRun({ seconds: noisySeconds(8, 100, 23, 2) });
  assert.deepEqual(compareRecords(a, b, { seed: 5 }), compareRecords(a, b, { seed: 5 }));
  // +15 % latency: within the default +15 % … but past a custom +5 %.
  const strict = compareRecords(a, b, { thresholds: { responseTime: 0.05 } });
  assert.equal(metric(strict, 'latency_p50').verdict, 'regression');
  assert.equal(strict.settings.thresholds.throughput, DEFAULT_REGRESSION_THRESHOLDS.throughput);
  assert.throws(() => compareRecords(a, b, { thresholds: { responseTime: -1 } }), /responseTime/);
  assert.throws(() => compareRecords(a, b, { alpha: 2 }), /alpha/);
  assert.throws(() => compareRecords(a, b, { percentiles: [75] }), /75/);
});

test('CPU and memory: compared when both runs carry probe data, skipped with a note otherwise', () => {
  const withResources = (run: RunRecord, cpu: number[], mem: number[]): RunRecord => ({
    ...run,
    probes: { resources: { cpu, memoryBytes: mem } },
  });
  const a = withResources(fakeRun({ seconds: steady(8, 100, 10) }), [0.5, 0.52, 0.48, 0.5, 0.51, 0.49, 0.5, 0.5], Array(8).fill(100e6));
  const b = withResources(fakeRun({ seconds: steady(8, 100, 10) }), [0.8, 0.82, 0.79, 0.81, 0.8, 0.78, 0.8, 0.83], Array(8).fill(101e6));
  const c = compareRecords(a, b);
  const cpu = metric(c, 'cpu');
  assert.equal(cpu.verdict, 'regression', cpu.reason); // +60 % vs +25 % → 2.4× → high
  assert.equal(cpu.severity, 'high');
  assert.equal(metric(c, 'memory').verdict, 'unchanged');
  const none = compareRecords(fakeRun({ seconds: steady(5, 100, 10) }), b);
  assert.ok(!none.metrics.some((m) => m.id === 'cpu'));
  assert.ok(
    none.notes.some((n) => /CPU.*not measured in the baseline/.test(n)),
    none.notes.join(' | '),
  );
});

test('caveats: short runs, unlike plans and generator-bound runs are noted', () => {
  const a = fakeRun({ seconds: steady(3, 100, 10) });
  const b = fakeRun({ seconds: steady(3, 100, 10), name: 'http://127.0.0.1:3000/other', generator: { limited: true } });
  b.plan = { ...b.plan, source: 'http://127.0.0.1:3000/other' };
  const c = compareRecords(a, b);
  assert.ok(
    c.notes.some((n) => /3 complete seconds/.test(n)),
    c.notes.join(' | '),
  );
  assert.ok(c.notes.some((n) => /same plan/.test(n)));
  assert.ok(c.notes.some((n) => /generator limited the current run/.test(n)));
});

test('warm-up: the first seconds are left out of the observations and the figures', () => {
  const run = (ms: number) => fakeRun({ seconds: [...steady(2, 100, 300), ...noisySeconds(5, 100, ms, 1)] });
  const a = run(10);
  const b = run(15);
  const whole = compareRecords(a, b);
  assert.equal(metric(whole, 'latency_p50').samples.baseline, 7);
  const trimmed = compareRecords(a, b, { warmupSeconds: 2 });
  const p50 = metric(trimmed, 'latency_p50');
  assert.equal(p50.samples.baseline, 5);
  assert.ok(Math.abs(p50.baseline! - 10) < 1, `baseline p50 ${p50.baseline} (warm-up excluded)`);
  assert.ok(Math.abs(p50.change! - 0.5) < 0.02, `change ${p50.change}`);
  assert.equal(p50.verdict, 'regression');
  assert.ok(Math.abs(metric(trimmed, 'throughput').baseline! - 100) < 1e-9);
  assert.ok(trimmed.notes.some((n) => /first 2 s/.test(n)));
  assert.throws(() => compareRecords(a, b, { warmupSeconds: 1.5 }), /warm-up/);
});
