// `assess` end to end against a service of known capacity (~100 req/s, a queue in another process):
// the stress staircase must find its breaking point, capacity must land near it, the other phases
// run at half of it, and the record carries findings and verdicts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { startAssessment } from '../../src/assess/suite.ts';
import { QUICK_TIMING } from '../../src/assess/timing.ts';
import { parseSlo } from '../../src/assess/options.ts';
import { planFromUrl } from '../../src/plan/load-url.ts';
import { selectMetric } from '../../src/record/select.ts';
import { startChildService } from '../helpers/child-service.ts';

const LIMITED = fileURLToPath(new URL('../fixtures/services/limited.ts', import.meta.url));

test('assess finds the breaking point of a ~100 req/s service and sizes the other phases from it', async () => {
  const svc = await startChildService(LIMITED, { SERVICE_MS: '10' });
  try {
    const plan = planFromUrl(svc.url + '/api', { workers: 1 });
    const lines: string[] = [];
    const record = await startAssessment(plan, {
      config: {
        expectedRate: null,
        slo: parseSlo(['p95<100ms']),
        suite: ['stress', 'baseline', 'recovery'],
        soakMs: 3000,
        growthPercentPerQuarter: 20,
        targetRate: 400,
      },
      log: (l) => lines.push(l),
      timing: QUICK_TIMING,
      maxRate: 400,
      workers: 1,
    }).result;
    assert.equal(record.status, 'completed');
    const stress = record.phases.find((p) => p.name === 'stress')!;
    const s = stress.stress!;
    // Ladder 25, 38, 56, 84, 127 …; 10 ms per request (~11 ms with timer overhead) caps the service
    // near 90 req/s, so it breaks at 84 or 127 req/s — never below 56, never at the top of the ladder.
    const steps = JSON.stringify(
      s.steps.map((x) => [
        x.offeredRate,
        Math.round(x.achievedRate),
        Math.round(x.p95Ms),
        Math.round(x.serviceP95Ms ?? -1),
        x.generatorLimitedSeconds,
      ]),
    );
    assert.ok(s.breakingRate === 84 || s.breakingRate === 127, steps);
    assert.equal(s.maxSustainableRate, s.breakingRate === 84 ? 56 : 84, steps);
    assert.notEqual(s.stopReason, 'max_rate');
    // "✓ passed" stood beside a bare "broke at 84 req/s": the reason says what passed, with the record's figures.
    const why =
      /^capacity measured: sustainable up to (\d+) req\/s \(no expected rate to judge it against\); breaking point (\d+) req\/s \(/.exec(
        stress.verdictReason,
      );
    assert.ok(why, stress.verdictReason);
    assert.deepEqual([Number(why[1]), Number(why[2])], [s.maxSustainableRate, s.breakingRate]);
    // The other phases ran at half the sustainable rate.
    const half = Math.floor(s.maxSustainableRate! / 2);
    assert.equal(record.probes.effectiveExpectedRate, half);
    const baseline = record.phases.find((p) => p.name === 'baseline')!;
    assert.equal(baseline.offeredRate, half);
    assert.equal(baseline.verdict, 'passed');
    // The verdict's request count is the record's: the judged seconds' http_reqs, of the phase's total
    // (it disagreed with the Results table: 42 vs 60).
    const counted = /, (\d+) of the phase's (\d+) requests \(judged over seconds (\d+)–(\d+); the first warms connections up\)$/.exec(
      baseline.verdictReason,
    );
    assert.ok(counted, baseline.verdictReason);
    const [judged, total, from, to] = counted.slice(1).map(Number) as [number, number, number, number];
    const reqsIn = (i: { index: number; series: Array<{ metric: string; sum: number }> }) =>
      i.series.filter((x) => x.metric === 'http_reqs').reduce((a, x) => a + x.sum, 0);
    assert.equal(total, selectMetric(baseline.run, 'http_reqs')!.sum);
    assert.equal(
      judged,
      baseline.run.intervals.filter((i) => i.index + 1 >= from && i.index + 1 <= to).reduce((a, i) => a + reqsIn(i), 0),
    );
    const recovery = record.phases.find((p) => p.name === 'recovery')!;
    assert.ok(recovery.recovery, 'recovery figures present');
    assert.equal(recovery.recovery!.fromSecond, QUICK_TIMING.recovery.overloadSeconds);
    // Recovering takes as long as the backlog takes to drain: measured, and the verdict follows it.
    const after = recovery.recovery!.recoveredAfterSeconds;
    assert.equal(recovery.verdict, after === null ? 'degraded' : 'passed', recovery.verdictReason);
    // Capacity: the measured sustainable rate, and a growth date.
    assert.ok(record.capacity, 'capacity model');
    assert.ok(record.capacity!.sustainableRps! >= 50 && record.capacity!.sustainableRps! < 100, String(record.capacity!.sustainableRps));
    assert.equal(record.capacity!.growth?.instancesNeeded, Math.ceil(400 / record.capacity!.sustainableRps!));
    // Findings are numbered, most severe first; a saturated-at-its-limit service is not "healthy".
    assert.ok(record.findings.length > 0);
    assert.match(record.findings[0]!.id, /^PERF-001$/);
    assert.ok(
      lines.some((l) => /stress: passed|stress: degraded|stress: failed/.test(l)),
      lines.join('\n'),
    );
    assert.ok(!record.findings.some((f) => f.audit === 'generator-bound'), 'the generator must not be the bottleneck here');
    // A real limit below the generator's: a measured capacity, not a lower bound, and no "not saturated".
    assert.notEqual(s.stopReason, 'generator_limit');
    assert.ok(!record.capacity!.lowerBound);
    assert.doesNotMatch(record.verdict.headline, /not saturated/);
  } finally {
    await svc.stop();
  }
});

test('a healthy service gets no P0/P1 finding, and the no-bottleneck verdict says so', async () => {
  const svc = await startChildService(LIMITED, { SERVICE_MS: '1' });
  try {
    const plan = planFromUrl(svc.url + '/api', { workers: 1 });
    const record = await startAssessment(plan, {
      config: {
        expectedRate: 40,
        slo: parseSlo([]),
        suite: ['baseline', 'spike', 'sustained'],
        soakMs: 4000,
        growthPercentPerQuarter: null,
        targetRate: null,
      },
      log: () => {},
      timing: QUICK_TIMING,
      workers: 1,
    }).result;
    const serious = record.findings.filter((f) => f.severity === 'critical' || f.severity === 'high');
    assert.deepEqual(
      serious.map((f) => f.title),
      [],
    );
    assert.ok(
      record.phases.every((p) => p.verdict === 'passed'),
      record.phases.map((p) => `${p.name}: ${p.verdictReason}`).join('; '),
    );
    assert.ok(
      record.findings.some((f) => f.audit === 'no-bottleneck'),
      record.findings.map((f) => f.title).join('; '),
    );
  } finally {
    await svc.stop();
  }
});
