import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  buildCapacity,
  CapacityInputError,
  classifyStep,
  fitQuality,
  fitSteps,
  instancesFor,
  projectGrowth,
  QUARTER_MS,
} from '../../src/analysis/capacity.ts';
import type { Slo, StressStep } from '../../src/record/assessment-record.ts';

const SLO: Slo = { latencyPercentile: 95, latencyMs: 200, errorRate: 0.01, source: ['p95<200ms', 'errors<1%'] };
const NOW = new Date('2025-01-01T00:00:00.000Z');

/** A 5-second step (first second settling) from its offered and achieved rates and mean latency. */
function step(i: number, offered: number, achieved: number, meanMs: number, extra: Partial<StressStep> = {}): StressStep {
  const p95 = meanMs * 2.5;
  return {
    offeredRate: offered,
    achievedRate: achieved,
    p50Ms: meanMs * 0.8,
    p95Ms: p95,
    p99Ms: meanMs * 4,
    errorRate: 0,
    concurrency: (achieved * meanMs) / 1000,
    fromSecond: i * 5 + 1,
    toSecond: i * 5 + 4,
    sloOk: p95 < SLO.latencyMs && achieved >= 0.9 * offered,
    droppedIterations: 0,
    ...extra,
  };
}

// A single-threaded service with a 4 ms service time (M/M/1: mean latency S / (1 − ρ), capacity
// 250 req/s) under the doubling staircase; at 400 req/s it falls behind and its backlog explodes.
const MM1: StressStep[] = [
  step(0, 25, 25, 4 / (1 - 0.1)),
  step(1, 50, 50, 4 / (1 - 0.2)),
  step(2, 100, 100, 4 / (1 - 0.4)),
  step(3, 200, 199.5, 4 / (1 - 0.8)),
  step(4, 400, 250, 1800),
];

test('a hand-built staircase: fit, sustainable rate, knee, no peak', () => {
  const m = buildCapacity(MM1, SLO, null, NOW)!;
  assert.ok(m);
  assert.equal(m.model, 'usl');
  // The step that fell behind is not in the fit; the four steady ones are.
  assert.deepEqual(
    m.points.map((p) => p.throughput),
    [25, 50, 100, 199.5],
  );
  // M/M/1 is USL with σ = 1/2 and λ = 1/(2S) = 125 req/s, κ = 0.
  assert.ok(Math.abs(m.sigma - 0.5) < 0.01, `σ ${m.sigma}`);
  assert.ok(Math.abs(m.lambda - 125) < 2, `λ ${m.lambda}`);
  assert.ok(m.kappa < 1e-3, `κ ${m.kappa}`); // 199.5 vs 200 req/s buys a trace of κ, its peak far off
  assert.ok(m.r2 > 0.999);
  assert.equal(m.fitQuality, 'fair'); // four points
  assert.equal(m.peakThroughputRps, null);
  assert.equal(m.peakConcurrency, null);
  // 200 req/s met the SLO (p95 50 ms); 400 did not.
  assert.equal(m.sustainableRps, 199.5);
  assert.ok(Math.abs(m.sustainableConcurrency! - 199.5 * 0.02) < 1e-9);
  // 200 req/s ran at 40 % of λN (latency 5× the base): the last linear step is 100 req/s.
  assert.equal(m.kneeRps, 100);
  assert.equal(m.growth, null);
  // Serialisable as is: numbers, no Infinity or NaN.
  assert.deepEqual(JSON.parse(JSON.stringify(m)), m);
});

test('a service with coherency delay shows a peak within the measured range', () => {
  // X = λN/(1 + σ(N−1) + κN(N−1)) with λ = 100, σ = 0.02, κ = 0.004: peak at N* ≈ 15.7, X ≈ 1080.
  const usl = (n: number) => (100 * n) / (1 + 0.02 * (n - 1) + 0.004 * n * (n - 1));
  const ns = [1, 2, 4, 6, 8, 10, 12];
  const steps = ns.map((n, i) => {
    const x = usl(n);
    return step(i, x, x, (n / x) * 1000);
  });
  const m = buildCapacity(steps, SLO, null, NOW)!;
  assert.equal(m.fitQuality, 'good');
  assert.ok(Math.abs(m.kappa - 0.004) < 1e-6 && Math.abs(m.sigma - 0.02) < 1e-6);
  assert.ok(Math.abs(m.peakConcurrency! - Math.sqrt(0.98 / 0.004)) < 1e-3);
  assert.ok(Math.abs(m.peakThroughputRps! - usl(Math.sqrt(0.98 / 0.004))) < 0.1);
  // Efficiency X/(λN) = 1/(1 + 0.02(N−1) + 0.004N(N−1)): ≥ 0.9 up to N = 4 (0.902), below at 6.
  assert.equal(m.kneeRps, usl(4));
});

test('which steps the fit uses: behind, errors, unusable and later steps are left out', () => {
  const steps = [
    step(0, 20, 20, 10),
    step(1, 40, 40, 10, { errorRate: 0.2, sloOk: false }), // failures inflate throughput: out
    step(2, 60, 0, 0, { sloOk: false }), // nothing completed: out
    step(3, 80, 80, 11),
    step(4, 160, 159, 12),
    step(5, 320, 200, 900, { sloOk: false }), // fell behind: out, and the end of the fit
    step(6, 400, 395, 12), // after the backlog: not a steady state
  ];
  assert.deepEqual(
    steps.map((s) => classifyStep(s, SLO)),
    ['steady', 'errors', 'unusable', 'steady', 'steady', 'behind', 'steady'],
  );
  assert.deepEqual(
    fitSteps(steps, SLO).map((s) => s.offeredRate),
    [20, 80, 160],
  );
  // Time order decides, not the order given.
  assert.deepEqual(
    fitSteps([...steps].reverse(), SLO).map((s) => s.offeredRate),
    [20, 80, 160],
  );
  const m = buildCapacity(steps, SLO, null, NOW)!;
  assert.equal(m.points.length, 3);
  assert.equal(m.fitQuality, 'poor');
  // The highest SLO-meeting step counts even past the fit's end: it was measured.
  assert.equal(m.sustainableRps, 395);
  // Dropping > 10 % of a step's iterations is falling behind too.
  assert.equal(classifyStep(step(0, 100, 95, 10, { droppedIterations: 41 }), SLO), 'behind');
  assert.equal(classifyStep(step(0, 100, 95, 10, { droppedIterations: 39 }), SLO), 'steady');
});

test('fewer than three usable steps → null', () => {
  assert.equal(buildCapacity([], SLO, null, NOW), null);
  assert.equal(buildCapacity(MM1.slice(0, 2), SLO, null, NOW), null);
  // The 100 req/s step ran after the one that fell behind: not a steady state, so only two remain.
  const late = [MM1[0]!, MM1[1]!, { ...MM1[4]!, fromSecond: 11, toSecond: 14 }, { ...MM1[2]!, fromSecond: 16, toSecond: 19 }];
  assert.equal(buildCapacity(late, SLO, null, NOW), null);
  assert.equal(buildCapacity([MM1[0]!, MM1[1]!, { ...MM1[2]!, errorRate: 0.05 }], SLO, null, NOW), null);
});

test('no step met the SLO: no sustainable rate, and growth cannot date or size anything', () => {
  const steps = MM1.slice(0, 4).map((s) => ({ ...s, sloOk: false }));
  const m = buildCapacity(steps, SLO, { percentPerQuarter: 20, currentRps: 10, targetRps: 1000 }, NOW)!;
  assert.equal(m.sustainableRps, null);
  assert.equal(m.sustainableConcurrency, null);
  assert.deepEqual(m.growth, { percentPerQuarter: 20, currentRps: 10, exceedsAt: null, targetRps: 1000, instancesNeeded: null });
});

test('growth: the date the load reaches capacity, exactly', () => {
  // 100 → 121 at 10 %/quarter: two quarters of 91.3125 days = 182 d 15 h.
  assert.equal(projectGrowth({ percentPerQuarter: 10, currentRps: 100, targetRps: null }, 121, NOW).exceedsAt, '2025-07-02T15:00:00.000Z');
  // Doubling each quarter, 50 → 400: three quarters = 273 d 22.5 h.
  assert.equal(projectGrowth({ percentPerQuarter: 100, currentRps: 50, targetRps: null }, 400, NOW).exceedsAt, '2025-10-01T22:30:00.000Z');
  assert.equal(new Date('2025-10-01T22:30:00.000Z').getTime() - NOW.getTime(), 3 * QUARTER_MS);
  // Already above capacity: now.
  assert.equal(projectGrowth({ percentPerQuarter: 20, currentRps: 500, targetRps: null }, 400, NOW).exceedsAt, NOW.toISOString());
  // Exactly at capacity: it is reached now and exceeded from then on.
  assert.equal(projectGrowth({ percentPerQuarter: 20, currentRps: 400, targetRps: null }, 400, NOW).exceedsAt, NOW.toISOString());
  // No growth, shrinking load, no load: never.
  assert.equal(projectGrowth({ percentPerQuarter: 0, currentRps: 100, targetRps: null }, 400, NOW).exceedsAt, null);
  assert.equal(projectGrowth({ percentPerQuarter: -10, currentRps: 100, targetRps: null }, 400, NOW).exceedsAt, null);
  assert.equal(projectGrowth({ percentPerQuarter: 20, currentRps: 0, targetRps: null }, 400, NOW).exceedsAt, null);
  // Beyond 10 years (40 quarters): null. 1.1^40 ≈ 45.3.
  assert.equal(projectGrowth({ percentPerQuarter: 10, currentRps: 1, targetRps: null }, 46, NOW).exceedsAt, null);
  assert.notEqual(projectGrowth({ percentPerQuarter: 10, currentRps: 1, targetRps: null }, 45, NOW).exceedsAt, null);
  // Through buildCapacity, with the measured sustainable rate (199.5) and an injected now.
  const m = buildCapacity(MM1, SLO, { percentPerQuarter: 100, currentRps: 199.5 / 4, targetRps: 1000 }, NOW)!;
  assert.equal(m.growth!.exceedsAt, '2025-07-02T15:00:00.000Z');
  assert.equal(m.growth!.instancesNeeded, 6); // 1000 / 199.5 = 5.01
});

test('instances: ceil(target / per instance), at least one, no floating-point overshoot', () => {
  assert.equal(instancesFor(1000, 100), 10);
  assert.equal(instancesFor(1001, 100), 11);
  assert.equal(instancesFor(1.1, 0.1), 11); // 1.1 / 0.1 = 11.000000000000002
  assert.equal(instancesFor(0.3, 0.1), 3);
  assert.equal(instancesFor(0.7, 0.1), 7);
  assert.equal(instancesFor(50, 400), 1);
  assert.equal(projectGrowth({ percentPerQuarter: 20, currentRps: 10, targetRps: 2500 }, 400, NOW).instancesNeeded, 7);
  assert.equal(projectGrowth({ percentPerQuarter: 20, currentRps: 10, targetRps: null }, 400, NOW).instancesNeeded, null);
});

test('bad growth input names the field', () => {
  assert.throws(
    () => projectGrowth({ percentPerQuarter: Number.NaN, currentRps: 1, targetRps: null }, 10, NOW),
    (e: Error) => e instanceof CapacityInputError && /percentPerQuarter/.test(e.message),
  );
  assert.throws(() => projectGrowth({ percentPerQuarter: -100, currentRps: 1, targetRps: null }, 10, NOW), /percentPerQuarter/);
  assert.throws(() => projectGrowth({ percentPerQuarter: 10, currentRps: -1, targetRps: null }, 10, NOW), /currentRps/);
  assert.throws(() => projectGrowth({ percentPerQuarter: 10, currentRps: 1, targetRps: 0 }, 10, NOW), /targetRps/);
  assert.throws(() => projectGrowth({ percentPerQuarter: 10, currentRps: 1, targetRps: null }, 10, new Date('nope')), /now/);
});

test('fit quality from r² and the number of points', () => {
  assert.equal(fitQuality(0.99, 5), 'good');
  assert.equal(fitQuality(0.99, 4), 'fair');
  assert.equal(fitQuality(0.94, 8), 'fair');
  assert.equal(fitQuality(0.79, 8), 'poor');
  assert.equal(fitQuality(1, 3), 'poor');
});
