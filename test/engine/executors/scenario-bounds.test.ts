import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  splitCount,
  scenarioDurationMs,
  scenarioMaxEndMs,
  vuCountForSizing,
  splitCounts,
  workersFor,
  ScheduleError,
  WHOLE,
} from '../../../src/engine/executors/schedule.ts';
import { constantRate, rampingRate, rampingVus, sharedIterations, perVuIterations, constantVus, stages } from './fixtures.ts';

test('splitCount spreads the remainder over the first workers', () => {
  assert.deepEqual(
    [0, 1, 2].map((index) => splitCount(10, { index, count: 3 })),
    [4, 3, 3],
  );
  assert.deepEqual(
    [0, 1, 2, 3].map((index) => splitCount(2, { index, count: 4 })),
    [1, 1, 0, 0],
  );
  assert.equal(splitCount(0, { index: 0, count: 1 }), 0);
  assert.equal(splitCount(7, WHOLE), 7);
  // k6 TestRampingArrivalRateActiveVUs_GetExecutionRequirements "Segmented/Even": 100 of 4000 in quarters.
  assert.equal(splitCount(100, { index: 0, count: 4 }), 25);
});

test('property: splitCount adds up exactly and shares differ by at most 1', () => {
  fc.assert(
    fc.property(fc.integer({ min: 0, max: 1_000_000 }), fc.integer({ min: 1, max: 64 }), (total, count) => {
      const shares = Array.from({ length: count }, (_, index) => splitCount(total, { index, count }));
      assert.equal(
        shares.reduce((a, b) => a + b, 0),
        total,
      );
      assert.ok(Math.max(...shares) - Math.min(...shares) <= 1);
      for (let k = 1; k < count; k++) assert.ok(shares[k - 1]! >= shares[k]!, 'remainder goes to the first workers');
    }),
  );
});

test('splitCount and stripes reject bad input with a message naming it', () => {
  assert.throws(
    () => splitCount(-1, WHOLE),
    (e: Error) => e instanceof ScheduleError && /total/.test(e.message),
  );
  assert.throws(() => splitCount(1.5, WHOLE), /total/);
  assert.throws(() => splitCount(3, { index: 0, count: 0 }), /stripe\.count/);
  assert.throws(() => splitCount(3, { index: -1, count: 2 }), /stripe\.index/);
  assert.throws(() => workersFor(constantVus(), 0), /workers/);
});

test('scenarioDurationMs is the scheduled end without gracefulStop', () => {
  assert.equal(scenarioDurationMs(sharedIterations({ maxDurationMs: 90_000 })), 90_000);
  assert.equal(scenarioDurationMs(perVuIterations({ maxDurationMs: 5000 })), 5000);
  assert.equal(scenarioDurationMs(constantVus({ durationMs: 7000 })), 7000);
  assert.equal(scenarioDurationMs(constantRate({ durationMs: 3000 })), 3000);
  assert.equal(scenarioDurationMs(rampingRate({ stages: stages([1000, 5], [0, 9], [2500, 0]) })), 3500);
  assert.equal(scenarioDurationMs(rampingVus({ stages: stages([2000, 5], [3000, 0]) })), 5000);
});

test('scenarioMaxEndMs adds startTime and gracefulStop (k6 GetExecutionRequirements end offsets)', () => {
  assert.equal(scenarioMaxEndMs(constantVus({ startTimeMs: 1000, durationMs: 7000, gracefulStopMs: 30_000 })), 38_000);
  assert.equal(scenarioMaxEndMs(sharedIterations({ maxDurationMs: 600_000, gracefulStopMs: 0 })), 600_000);
  assert.equal(scenarioMaxEndMs(rampingRate({ startTimeMs: 10, stages: stages([1000, 5]), gracefulStopMs: 500 })), 1510);
  // ramping-vus: the end of the graceful steps. k6's plan example with defaults ends at 53 s.
  const example = rampingVus({
    startVUs: 4,
    gracefulStopMs: 30_000,
    gracefulRampDownMs: 30_000,
    stages: stages([2000, 6], [5000, 1], [4000, 5], [4000, 1], [3000, 4], [2000, 4], [0, 1], [3000, 1]),
  });
  assert.equal(scenarioMaxEndMs(example), 53_000);
  assert.equal(scenarioMaxEndMs({ ...example, startTimeMs: 5000 }), 58_000);
  // Ramped down to 0 early: done once the last VU's gracefulRampDown is over (here 4 s + 1 s < 10 s + 30 s)…
  const early = rampingVus({ startVUs: 2, stages: stages([4000, 0], [6000, 0]), gracefulRampDownMs: 1000, gracefulStopMs: 30_000 });
  // …but never before the stages are over.
  assert.equal(scenarioMaxEndMs(early), 10_000);
  const longer = rampingVus({ startVUs: 2, stages: stages([4000, 0], [6000, 0]), gracefulRampDownMs: 8000, gracefulStopMs: 30_000 });
  assert.equal(scenarioMaxEndMs(longer), 12_000);
});

test('vuCountForSizing and splitCounts per executor', () => {
  assert.equal(vuCountForSizing(rampingVus({ startVUs: 3, stages: stages([1000, 12], [1000, 2]) })), 12);
  assert.equal(vuCountForSizing(rampingVus({ startVUs: 3, stages: stages([1000, 12]) }), { index: 2, count: 5 }), 2);
  assert.equal(vuCountForSizing(constantRate({ preAllocatedVUs: 5, maxVUs: 50 })), 50);
  assert.equal(vuCountForSizing(constantVus({ vus: 10 }), { index: 3, count: 4 }), 2);

  const stripe = { index: 1, count: 3 };
  assert.deepEqual(splitCounts(sharedIterations({ vus: 10, iterations: 100 }), stripe), { vus: 3, preAllocatedVUs: 3, iterations: 33 });
  // per-vu-iterations: only the VUs are split (k6 GetIterations is unscaled).
  assert.deepEqual(splitCounts(perVuIterations({ vus: 10, iterations: 100 }), stripe), { vus: 3, preAllocatedVUs: 3, iterations: 100 });
  assert.deepEqual(splitCounts(constantVus({ vus: 10 }), stripe), { vus: 3, preAllocatedVUs: 3, iterations: 0 });
  assert.deepEqual(splitCounts(constantRate({ rate: 10, durationMs: 1000, preAllocatedVUs: 4, maxVUs: 8 }), stripe), {
    vus: 3,
    preAllocatedVUs: 1,
    iterations: 3,
  });
  assert.deepEqual(splitCounts(rampingRate({ startRate: 0, stages: stages([10_000, 10]), preAllocatedVUs: 2, maxVUs: 9 }), stripe), {
    vus: 3,
    preAllocatedVUs: 1,
    iterations: 17,
  });
});

test('workersFor gives every worker at least one VU', () => {
  assert.equal(workersFor(constantVus({ vus: 2 }), 8), 2);
  assert.equal(workersFor(constantVus({ vus: 20 }), 8), 8);
  assert.equal(workersFor(constantRate({ preAllocatedVUs: 1, maxVUs: 3 }), 8), 3);
  assert.equal(workersFor(rampingVus({ startVUs: 0, stages: stages([1000, 0]) }), 8), 1);
});
