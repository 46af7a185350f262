import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { createArrivalSchedule, arrivalIterationCount, WHOLE, ScheduleError } from '../../../src/engine/executors/schedule.ts';
import type { RampingArrivalRate } from '../../../src/plan/types.ts';
import { constantRate, rampingRate, stages, drain } from './fixtures.ts';

/** Like testify's InEpsilon (k6's tests use 0.001). */
function assertInEpsilon(actual: number[], expected: number[], eps = 0.001): void {
  assert.equal(actual.length, expected.length, `got ${actual.length} starts: ${actual.join(', ')}`);
  expected.forEach((e, k) => {
    assert.ok(Math.abs(actual[k]! - e) <= eps * Math.abs(e), `start ${k}: expected ≈${e}, got ${actual[k]}`);
  });
}

test('constant rate 10/s over 1 s starts at 0, 100, …, 900', () => {
  const starts = drain(createArrivalSchedule(constantRate({ rate: 10, timeUnitMs: 1000, durationMs: 1000 }), WHOLE));
  assert.deepEqual(starts, [0, 100, 200, 300, 400, 500, 600, 700, 800, 900]);
});

test('constant rate 3 per 2 s: one start every 666.67 ms, none at the end itself', () => {
  const two = drain(createArrivalSchedule(constantRate({ rate: 3, timeUnitMs: 2000, durationMs: 2000 }), WHOLE));
  assertInEpsilon(two, [0, 666.667, 1333.333], 1e-6);
  const four = drain(createArrivalSchedule(constantRate({ rate: 3, timeUnitMs: 2000, durationMs: 4000 }), WHOLE));
  assert.equal(four.length, 6);
  assert.equal(four[3], 2000);
  // 3/s for 1 s: the 4th start would be exactly at 1000 ms, which is the end (k6's ns-truncated
  // period puts it at 999.999999 ms; we keep the exact rate).
  assert.equal(drain(createArrivalSchedule(constantRate({ rate: 3, durationMs: 1000 }), WHOLE)).length, 3);
});

// k6 lib/executor/ramping_arrival_rate_test.go, TestRampingArrivalRateCal: startRate 0, ramp to 1/s
// over 5 s, hold 1 s, ramp to 0 over 5 s.
const k6CalStages = stages([5000, 1], [1000, 1], [5000, 0]);

test('ramping: k6 TestRampingArrivalRateCal start times', () => {
  const s = rampingRate({ startRate: 0, stages: k6CalStages });
  assertInEpsilon(drain(createArrivalSchedule(s, WHOLE)), [3162, 4472, 5500, 6527, 7837, 11000]);
});

test('ramping: k6 TestRampingArrivalRateCal, three times as fast (timeUnit 1/3 s)', () => {
  const s = rampingRate({ startRate: 0, stages: k6CalStages, timeUnitMs: 1000 / 3 });
  assertInEpsilon(
    drain(createArrivalSchedule(s, WHOLE)),
    [1825, 2581, 3162, 3651, 4082, 4472, 4830, 5166, 5499, 5833, 6169, 6527, 6917, 7348, 7837, 8418, 9174, 10999],
  );
});

test('ramping: striping matches k6 segments 0:1/3, 1/3:2/3, 2/3:1 of sequence 0,1/3,2/3,1', () => {
  const s = rampingRate({ startRate: 0, stages: k6CalStages });
  assertInEpsilon(drain(createArrivalSchedule(s, { index: 0, count: 3 })), [3162, 6527]);
  assertInEpsilon(drain(createArrivalSchedule(s, { index: 1, count: 3 })), [4472, 7837]);
  assertInEpsilon(drain(createArrivalSchedule(s, { index: 2, count: 3 })), [5500, 11000]);
});

test('ramping from 0 to 10/s over 10 s: iteration i when the area t²/2 reaches i', () => {
  const starts = drain(createArrivalSchedule(rampingRate({ startRate: 0, stages: stages([10_000, 10]) }), WHOLE));
  assertInEpsilon(
    starts,
    Array.from({ length: 50 }, (_, k) => 1000 * Math.sqrt(2 * (k + 1))),
    1e-9,
  );
  assert.equal(starts[0], 1000 * Math.SQRT2);
  assert.equal(starts[49], 10_000);
});

test('ramping: a steady rate starts one period in, not at 0 (unlike constant-arrival-rate, as in k6)', () => {
  const starts = drain(createArrivalSchedule(rampingRate({ startRate: 10, stages: stages([1000, 10]) }), WHOLE));
  assertInEpsilon(starts, [100, 200, 300, 400, 500, 600, 700, 800, 900, 1000], 1e-12);
});

test('ramping: startRate 0 with a 0-rate first stage waits, then jumps', () => {
  const s = rampingRate({ startRate: 0, stages: stages([2000, 0], [0, 10], [1000, 10]) });
  assertInEpsilon(drain(createArrivalSchedule(s, WHOLE)), [2100, 2200, 2300, 2400, 2500, 2600, 2700, 2800, 2900, 3000], 1e-12);
});

test('ramping: a 0-rate pause in the middle schedules nothing during the pause', () => {
  const s = rampingRate({ startRate: 10, stages: stages([1000, 10], [0, 0], [1000, 0], [0, 10], [1000, 10]) });
  const starts = drain(createArrivalSchedule(s, WHOLE));
  assert.equal(starts.length, 20);
  assert.ok(
    starts.every((t) => t <= 1000 || t > 2000),
    starts.join(', '),
  );
  assertInEpsilon(starts.slice(10), [2100, 2200, 2300, 2400, 2500, 2600, 2700, 2800, 2900, 3000], 1e-12);
});

test('ramping: ramp down to 0 and back up', () => {
  const s = rampingRate({ startRate: 2, stages: stages([2000, 0], [2000, 2]) });
  // Area 2 then 2 more: down-ramp area(x) = 2x − x²/2 (s) hits 1 at 2 − √2 s and 2 at 2 s; up-ramp x²/2 hits 1 at √2 s.
  assertInEpsilon(drain(createArrivalSchedule(s, WHOLE)), [2000 - 1000 * Math.SQRT2, 2000, 2000 + 1000 * Math.SQRT2, 4000], 1e-9);
});

test('ramping: k6 TestRampingArrivalRateRunCorrectRate counts 10, 30, 50 per second', () => {
  const s = rampingRate({ startRate: 10, stages: stages([1000, 10], [1000, 50], [1000, 50]) });
  const starts = drain(createArrivalSchedule(s, WHOLE));
  const perSecond = [0, 0, 0];
  for (const t of starts) perSecond[Math.ceil(t / 1000) - 1]!++;
  assert.deepEqual(perSecond, [10, 30, 50]);
});

test('ramping: k6 TestRampingArrivalRateGlobalIters schedules 21 iterations (timeUnit 950 ms)', () => {
  const s = rampingRate({ startRate: 0, timeUnitMs: 950, stages: stages([1000, 20], [1000, 0]) });
  assert.equal(arrivalIterationCount(s), 21);
  assert.equal(drain(createArrivalSchedule(s, WHOLE)).length, 21);
});

test('lastIndex and total report the position in the whole schedule', () => {
  const sched = createArrivalSchedule(constantRate({ rate: 10, durationMs: 1000 }), { index: 1, count: 4 });
  assert.equal(sched.total, 3);
  assert.equal(sched.lastIndex, -1);
  const seen: Array<[number, number]> = [];
  for (let t = sched.next(); t !== Infinity; t = sched.next()) seen.push([sched.lastIndex, t]);
  assert.deepEqual(seen, [
    [1, 100],
    [5, 500],
    [9, 900],
  ]);
  assert.equal(sched.next(), Infinity);
  assert.equal(arrivalIterationCount(constantRate({ rate: 10, durationMs: 1000 })), 10);
});

test('bad input names the field', () => {
  assert.throws(
    () => createArrivalSchedule(constantRate({ timeUnitMs: 0 }), WHOLE),
    (e: Error) => e instanceof ScheduleError && /timeUnitMs/.test(e.message),
  );
  assert.throws(() => createArrivalSchedule(rampingRate({ stages: stages([1000, -1]) }), WHOLE), /stages\[0\]\.target/);
  assert.throws(() => createArrivalSchedule(constantRate(), { index: 3, count: 3 }), /stripe\.index/);
});

// ---- properties -------------------------------------------------------------------------------

const arbRamping = fc
  .record({
    startRate: fc.integer({ min: 0, max: 60 }),
    timeUnitMs: fc.constantFrom(1000, 500, 2000, 60_000, 1000 / 3, 950),
    stages: fc.array(
      fc.record({ durationMs: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 5000 })), target: fc.integer({ min: 0, max: 60 }) }),
      { minLength: 1, maxLength: 5 },
    ),
  })
  .map((o) => rampingRate(o));

const arbConstant = fc
  .record({
    rate: fc.integer({ min: 1, max: 500 }),
    timeUnitMs: fc.constantFrom(1000, 100, 2000, 60_000, 7),
    durationMs: fc.integer({ min: 0, max: 5000 }),
  })
  .map((o) => constantRate(o));

const arbScenario = fc.oneof(arbConstant, arbRamping);

test("property: the merged workers' starts are exactly the single-worker schedule", () => {
  fc.assert(
    fc.property(arbScenario, fc.integer({ min: 1, max: 8 }), (s, count) => {
      const whole = drain(createArrivalSchedule(s, WHOLE));
      const tagged: Array<[number, number]> = [];
      const lengths: number[] = [];
      for (let index = 0; index < count; index++) {
        const sched = createArrivalSchedule(s, { index, count });
        let n = 0;
        for (let t = sched.next(); t !== Infinity; t = sched.next(), n++) {
          assert.equal(sched.lastIndex % count, index);
          tagged.push([sched.lastIndex, t]);
        }
        assert.equal(n, sched.total);
        lengths.push(n);
      }
      tagged.sort((a, b) => a[0] - b[0]);
      assert.deepEqual(
        tagged.map(([, t]) => t),
        whole,
      );
      assert.deepEqual(
        tagged.map(([i]) => i),
        whole.map((_, i) => i),
      );
      assert.ok(Math.max(...lengths) - Math.min(...lengths) <= 1, `worker counts ${lengths.join(',')}`);
    }),
    { numRuns: 300 },
  );
});

/** Iterations owed by time t: the integral of the piecewise-linear rate, computed independently. */
function areaAt(s: RampingArrivalRate, t: number): number {
  let area = 0;
  let from = s.startRate;
  let start = 0;
  for (const { durationMs, target } of s.stages) {
    const x = Math.min(Math.max(t - start, 0), durationMs);
    if (x > 0) area += (x * (from + ((target - from) * x) / durationMs / 2)) / s.timeUnitMs;
    start += durationMs;
    from = target;
  }
  return area;
}

test('property: ramping start i is where the rate integral reaches i, in order, within the stages', () => {
  fc.assert(
    fc.property(arbRamping, (s) => {
      const starts = drain(createArrivalSchedule(s, WHOLE));
      const end = s.stages.reduce((a, st) => a + st.durationMs, 0);
      assert.equal(starts.length, Math.floor(areaAt(s, end) + 1e-9));
      starts.forEach((t, k) => {
        assert.ok(t > 0 && t <= end, `start ${k} at ${t} outside (0, ${end}]`);
        if (k > 0) assert.ok(t >= starts[k - 1]!, `start ${k} at ${t} before ${starts[k - 1]}`);
        assert.ok(Math.abs(areaAt(s, t) - (k + 1)) <= 1e-6 * (k + 1), `area at start ${k} is ${areaAt(s, t)}`);
      });
    }),
    { numRuns: 300 },
  );
});

test('property: constant starts are j·timeUnit/rate, all before the end', () => {
  fc.assert(
    fc.property(arbConstant, (s) => {
      const starts = drain(createArrivalSchedule(s, WHOLE));
      assert.equal(starts.length, Math.max(0, Math.ceil((s.durationMs * s.rate) / s.timeUnitMs - 1e-9)));
      starts.forEach((t, j) => {
        assert.equal(t, (j * s.timeUnitMs) / s.rate);
        assert.ok(t < s.durationMs);
      });
    }),
    { numRuns: 300 },
  );
});
