import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  rampingVusRawSteps,
  rampingVusGracefulSteps,
  splitRampingVus,
  vuCountAt,
  WHOLE,
  type VuStep,
} from '../../../src/engine/executors/schedule.ts';
import type { RampingVus } from '../../../src/plan/types.ts';
import { rampingVus, stages } from './fixtures.ts';

const S = 1000;
/** k6's ExecutionStep lists, written as [seconds, vus] pairs. */
const steps = (...pairs: Array<[number, number]>): VuStep[] => pairs.map(([s, vus]) => ({ atMs: s * S, vus }));

// k6 lib/executor/ramping_vus_test.go, TestRampingVUsConfigExecutionPlanExample.
const planExample = (o: Partial<RampingVus> = {}): RampingVus =>
  rampingVus({
    startVUs: 4,
    stages: stages([2 * S, 6], [5 * S, 1], [4 * S, 5], [4 * S, 1], [3 * S, 4], [2 * S, 4], [0, 1], [3 * S, 1]),
    gracefulStopMs: 30 * S,
    gracefulRampDownMs: 30 * S,
    ...o,
  });
const planExampleRaw = steps(
  [0, 4],
  [1, 5],
  [2, 6],
  [3, 5],
  [4, 4],
  [5, 3],
  [6, 2],
  [7, 1],
  [8, 2],
  [9, 3],
  [10, 4],
  [11, 5],
  [12, 4],
  [13, 3],
  [14, 2],
  [15, 1],
  [16, 2],
  [17, 3],
  [18, 4],
  [20, 1],
);

test('k6 ExecutionPlanExample: raw steps, with and without the zero end', () => {
  assert.deepEqual(rampingVusRawSteps(planExample(), WHOLE, false), planExampleRaw);
  assert.deepEqual(rampingVusRawSteps(planExample()), [...planExampleRaw, { atMs: 23 * S, vus: 0 }]);
});

test('k6 ExecutionPlanExample: graceful steps for several gracefulStop / gracefulRampDown values', () => {
  assert.deepEqual(rampingVusGracefulSteps(planExample()), steps([0, 4], [1, 5], [2, 6], [33, 5], [42, 4], [50, 1], [53, 0]));
  assert.deepEqual(
    rampingVusGracefulSteps(planExample({ gracefulStopMs: 80 * S })),
    steps([0, 4], [1, 5], [2, 6], [33, 5], [42, 4], [50, 1], [103, 0]),
  );
  assert.deepEqual(rampingVusGracefulSteps(planExample({ gracefulStopMs: 3 * S })), steps([0, 4], [1, 5], [2, 6], [26, 0]));
  assert.deepEqual(rampingVusGracefulSteps(planExample({ gracefulStopMs: 0 })), steps([0, 4], [1, 5], [2, 6], [23, 0]));
  assert.deepEqual(rampingVusGracefulSteps(planExample({ gracefulStopMs: 0, gracefulRampDownMs: 0 })), rampingVusRawSteps(planExample()));
});

test('k6 ExecutionPlanExampleOneThird (segment 0:1/3 of 0,1/3,1 = our worker 1 of 3)', () => {
  const stripe = { index: 1, count: 3 };
  const raw = steps([0, 1], [1, 2], [4, 1], [7, 0], [8, 1], [11, 2], [12, 1], [15, 0], [16, 1], [20, 0]);
  assert.deepEqual(rampingVusRawSteps(planExample(), stripe, false), raw);
  assert.deepEqual(rampingVusRawSteps(planExample(), stripe, true), raw);
  assert.deepEqual(rampingVusGracefulSteps(planExample(), stripe), steps([0, 1], [1, 2], [42, 1], [50, 0]));
  assert.deepEqual(rampingVusGracefulSteps(planExample({ gracefulStopMs: 80 * S }), stripe), steps([0, 1], [1, 2], [42, 1], [50, 0]));
  assert.deepEqual(rampingVusGracefulSteps(planExample({ gracefulStopMs: 3 * S }), stripe), steps([0, 1], [1, 2], [26, 0]));
  assert.deepEqual(rampingVusGracefulSteps(planExample({ gracefulStopMs: 0 }), stripe), steps([0, 1], [1, 2], [23, 0]));
});

test('k6 TestRampingVUsExecutionTupleTests: whole, and thirds of sequence 0,1/3,2/3,1', () => {
  const s = rampingVus({
    startVUs: 4,
    stages: stages(
      [2 * S, 6],
      [5 * S, 1],
      [4 * S, 5],
      [4 * S, 1],
      [3 * S, 4],
      [2 * S, 4],
      [0, 1],
      [3 * S, 1],
      [0, 5],
      [3 * S, 5],
      [0, 0],
      [2 * S, 2],
      [2 * S, 0],
      [4 * S, 4],
    ),
  });
  assert.deepEqual(rampingVusRawSteps(s, WHOLE, false), [
    ...planExampleRaw,
    ...steps([23, 5], [26, 0], [27, 1], [28, 2], [29, 1], [30, 0], [31, 1], [32, 2], [33, 3], [34, 4]),
  ]);
  assert.deepEqual(
    rampingVusRawSteps(s, { index: 0, count: 3 }, false),
    steps([0, 2], [5, 1], [10, 2], [13, 1], [18, 2], [20, 1], [23, 2], [26, 0], [27, 1], [30, 0], [31, 1], [34, 2]),
  );
  assert.deepEqual(
    rampingVusRawSteps(s, { index: 1, count: 3 }, false),
    steps([0, 1], [1, 2], [4, 1], [7, 0], [8, 1], [11, 2], [12, 1], [15, 0], [16, 1], [20, 0], [23, 2], [26, 0], [28, 1], [29, 0], [32, 1]),
  );
  assert.deepEqual(
    rampingVusRawSteps(s, { index: 2, count: 3 }, false),
    steps([0, 1], [2, 2], [3, 1], [6, 0], [9, 1], [14, 0], [17, 1], [20, 0], [23, 1], [26, 0], [33, 1]),
  );
});

test('k6 TestRampingVUsGetRawExecutionStepsCornerCases', () => {
  const upDown = stages([2 * S, 2], [2 * S, 0], [2 * S, 2], [2 * S, 0]);
  const cases: Array<[string, RampingVus, { index: number; count: number }, VuStep[]]> = [
    [
      'going up then down straight away',
      rampingVus({ startVUs: 2, stages: stages([0, 5], [2 * S, 3]) }),
      WHOLE,
      steps([0, 2], [0, 5], [1, 4], [2, 3]),
    ],
    ['jump up then go up again', rampingVus({ startVUs: 3, stages: stages([2 * S, 5]) }), WHOLE, steps([0, 3], [1, 4], [2, 5])],
    [
      'up down up down',
      rampingVus({ startVUs: 0, stages: upDown }),
      WHOLE,
      steps([0, 0], [1, 1], [2, 2], [3, 1], [4, 0], [5, 1], [6, 2], [7, 1], [8, 0]),
    ],
    [
      'up down up down in half',
      rampingVus({ startVUs: 0, stages: upDown }),
      { index: 0, count: 2 },
      steps([0, 0], [1, 1], [4, 0], [5, 1], [8, 0]),
    ],
    [
      'up down up down in the other half',
      rampingVus({ startVUs: 0, stages: upDown }),
      { index: 1, count: 2 },
      steps([0, 0], [2, 1], [3, 0], [6, 1], [7, 0]),
    ],
    ['up down up down with nothing', rampingVus({ startVUs: 0, stages: upDown }), { index: 2, count: 3 }, steps([0, 0])],
    [
      'more up and down',
      rampingVus({ startVUs: 0, stages: stages([5 * S, 5], [5 * S, 0]) }),
      WHOLE,
      steps([0, 0], [1, 1], [2, 2], [3, 3], [4, 4], [5, 5], [6, 4], [7, 3], [8, 2], [9, 1], [10, 0]),
    ],
  ];
  for (const [name, s, stripe, expected] of cases) {
    assert.deepEqual(rampingVusRawSteps(s, stripe, false), expected, name);
  }
});

test('vuCountAt: k6 TestRampingVUsRun samples (5 VUs, jump to 3, end)', () => {
  const s = rampingVus({ startVUs: 5, stages: stages([S, 5], [0, 3], [S, 3]), gracefulStopMs: 0, gracefulRampDownMs: 0 });
  assert.equal(vuCountAt(s, 500), 5);
  assert.equal(vuCountAt(s, 999.999), 5);
  assert.equal(vuCountAt(s, 1000), 3); // the zero-duration stage applies at its offset
  assert.equal(vuCountAt(s, 1500), 3);
  assert.equal(vuCountAt(s, 2000), 0);
  assert.equal(vuCountAt(s, 2400), 0);
  assert.equal(vuCountAt(s, -1), 0);
});

test('vuCountAt: k6 TestRampingVUsRampDownNoWobble ramps down one VU at a time', () => {
  const s = rampingVus({ startVUs: 0, stages: stages([3 * S, 10], [2 * S, 0]), gracefulRampDownMs: S, gracefulStopMs: 0 });
  assert.equal(vuCountAt(s, 100), 0);
  assert.equal(vuCountAt(s, 299), 0); // ramping up: rounded down
  assert.equal(vuCountAt(s, 300), 1);
  assert.equal(vuCountAt(s, 3000), 10);
  const changes: number[] = [];
  for (let t = 3000; t <= 5100; t += 50) {
    const n = vuCountAt(s, t);
    if (changes[changes.length - 1] !== n) changes.push(n);
  }
  assert.deepEqual(changes, [10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0]);
  assert.equal(vuCountAt(s, 3199), 10); // ramping down: rounded up
  assert.equal(vuCountAt(s, 3200), 9);
});

test('splitRampingVus: k6 TestRampingVUsHandleRemainingVUs timing (gracefulRampDown 30 ms, gracefulStop 50 ms)', () => {
  const s = rampingVus({ startVUs: 0, stages: stages([10, 2], [40, 0]), gracefulRampDownMs: 30, gracefulStopMs: 50 });
  const plan = splitRampingVus(s, WHOLE);
  assert.deepEqual(plan.steps, [
    { atMs: 0, vus: 0 },
    { atMs: 5, vus: 1 },
    { atMs: 10, vus: 2 },
    { atMs: 30, vus: 1 },
    { atMs: 50, vus: 0 },
  ]);
  // The VU stopped at 30 ms may finish until 60 ms, the last one until 80 ms (< 50 + 50).
  assert.deepEqual(plan.gracefulSteps, [
    { atMs: 0, vus: 0 },
    { atMs: 5, vus: 1 },
    { atMs: 10, vus: 2 },
    { atMs: 60, vus: 1 },
    { atMs: 80, vus: 0 },
  ]);
  assert.equal(plan.maxVUs, 2);
  assert.equal(plan.durationMs, 50);
  assert.equal(plan.maxEndMs, 80);
});

// ---- properties -------------------------------------------------------------------------------

const arbRampingVus = fc
  .record({
    startVUs: fc.integer({ min: 0, max: 40 }),
    stages: fc.array(
      fc.record({ durationMs: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 20_000 })), target: fc.integer({ min: 0, max: 40 }) }),
      { minLength: 1, maxLength: 6 },
    ),
    gracefulRampDownMs: fc.integer({ min: 0, max: 10_000 }),
    gracefulStopMs: fc.integer({ min: 0, max: 10_000 }),
  })
  .map((o) => rampingVus(o));

/** The count in force at t: the last step at or before t (0 before the first). */
function lookup(list: VuStep[], t: number): number {
  let vus = 0;
  for (const st of list) if (st.atMs <= t) vus = st.vus;
  return vus;
}

/** Times worth probing: every step offset, just around it, and a few in between. */
function probeTimes(list: VuStep[], end: number): number[] {
  const times = [0, end, end + 1];
  for (const st of list) times.push(st.atMs, st.atMs - 1e-6, st.atMs + 1e-6, st.atMs / 2 + end / 3);
  return times.filter((t) => t >= 0);
}

test('property: vuCountAt agrees with the raw steps everywhere', () => {
  fc.assert(
    fc.property(arbRampingVus, fc.integer({ min: 1, max: 8 }), (s, count) => {
      const end = s.stages.reduce((a, st) => a + st.durationMs, 0);
      for (let index = 0; index < count; index++) {
        const stripe = { index, count };
        const raw = rampingVusRawSteps(s, stripe);
        for (const t of probeTimes(raw, end)) assert.equal(vuCountAt(s, t, stripe), lookup(raw, t), `t=${t} worker ${index}/${count}`);
      }
    }),
    { numRuns: 200 },
  );
});

test("property: at every moment the workers' VU counts add up to the single schedule", () => {
  fc.assert(
    fc.property(arbRampingVus, fc.integer({ min: 1, max: 8 }), (s, count) => {
      const whole = rampingVusRawSteps(s);
      const parts = Array.from({ length: count }, (_, index) => rampingVusRawSteps(s, { index, count }));
      const end = s.stages.reduce((a, st) => a + st.durationMs, 0);
      for (const t of probeTimes(whole, end)) {
        const sum = parts.reduce((a, p) => a + lookup(p, t), 0);
        assert.equal(sum, lookup(whole, t), `t=${t}`);
        const counts = parts.map((p) => lookup(p, t));
        assert.ok(Math.max(...counts) - Math.min(...counts) <= 1, `t=${t}: ${counts.join(',')}`);
      }
      // Every worker's step times are step times of the whole schedule.
      const wholeTimes = new Set(whole.map((st) => st.atMs));
      for (const p of parts) for (const st of p) assert.ok(wholeTimes.has(st.atMs), `worker step at ${st.atMs}`);
    }),
    { numRuns: 200 },
  );
});

test('property: graceful steps never drop below the raw count and end with 0 by duration + gracefulStop', () => {
  fc.assert(
    fc.property(arbRampingVus, fc.integer({ min: 1, max: 4 }), (s, count) => {
      const end = s.stages.reduce((a, st) => a + st.durationMs, 0);
      for (let index = 0; index < count; index++) {
        const plan = splitRampingVus(s, { index, count });
        const last = plan.gracefulSteps[plan.gracefulSteps.length - 1]!;
        assert.equal(last.vus, 0);
        assert.ok(last.atMs <= end + s.gracefulStopMs);
        assert.ok(plan.maxEndMs >= end && plan.maxEndMs <= end + s.gracefulStopMs);
        for (const t of probeTimes(plan.steps, end)) {
          if (t < end) assert.ok(lookup(plan.gracefulSteps, t) >= lookup(plan.steps, t), `t=${t}`);
        }
        assert.equal(plan.maxVUs, Math.max(...plan.steps.map((st) => st.vus)));
      }
    }),
    { numRuns: 200 },
  );
});
