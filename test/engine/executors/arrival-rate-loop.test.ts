// The open-model loop (timer + batched starts, no polling): it starts exactly the planned
// iterations at their intended times, never before them, and every window of the run holds the
// number of starts the schedule plans for it. maxVUs are generous: on a busy machine a late wake-up
// starts a whole batch at once, and a batch larger than the free VUs is (rightly) dropped.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { performance } from 'node:perf_hooks';
import { Accumulator } from '../../../src/metrics/accumulator.ts';
import { runArrivalRate } from '../../../src/engine/executors/arrival-rate-loop.ts';
import { createArrivalSchedule } from '../../../src/engine/executors/arrival-schedule.ts';
import type { ScenarioContext } from '../../../src/engine/executors/context.ts';
import type { HttpClient } from '../../../src/engine/http/types.ts';
import { VirtualUser } from '../../../src/engine/vu.ts';
import type { ConstantArrivalRate, RampingArrivalRate } from '../../../src/plan/types.ts';
import { constantRate, drain, rampingRate, stages } from './fixtures.ts';

const idleClient = (): HttpClient => ({
  connectionsOpened: 0,
  send: () => Promise.reject(new Error('no request in this test')),
  sendWith() {
    throw new Error('no request in this test');
  },
  close() {},
});

interface Start {
  intended: number;
  actual: number;
}

/** Runs the loop with iterations that take `busyMs` (a timer) and returns what it started. */
async function run(
  scenario: ConstantArrivalRate | RampingArrivalRate,
  endMs: number,
  busyMs = 0,
  callback = false,
): Promise<{ starts: Start[]; dropped: number; startAt: number }> {
  const starts: Start[] = [];
  let vuId = 0;
  const dropped = new Accumulator('counter');
  const ctx: ScenarioContext<ConstantArrivalRate | RampingArrivalRate> = {
    name: 's',
    scenario,
    stripe: { index: 0, count: 1 },
    startAt: performance.now() + 5,
    now: () => performance.now(),
    newVu: () => new VirtualUser(++vuId, idleClient),
    runIteration: (_vu, intended) => {
      starts.push({ intended, actual: performance.now() });
      return busyMs > 0 ? new Promise((r) => setTimeout(r, busyMs)) : Promise.resolve();
    },
    dropped,
    stopRequested: new Promise(() => {}),
    stopped: () => false,
    stopGraceMs: 1000,
    setVus() {},
  };
  if (callback) {
    // The callback form request-list flows have; an iteration of 0 ms ends synchronously.
    ctx.runIteration.withCallback = (_vu, intended, done) => {
      starts.push({ intended, actual: performance.now() });
      if (busyMs > 0) setTimeout(done, busyMs);
      else done();
    };
  }
  await runArrivalRate(ctx, createArrivalSchedule(scenario, ctx.stripe), endMs);
  return { starts, dropped: dropped.sum, startAt: ctx.startAt };
}

function checkAgainstPlan(
  scenario: ConstantArrivalRate | RampingArrivalRate,
  got: { starts: Start[]; dropped: number; startAt: number },
): void {
  const planned = drain(createArrivalSchedule(scenario, { index: 0, count: 1 }));
  const intended = got.starts.map((s) => s.intended - got.startAt);
  assert.equal(intended.length + got.dropped, planned.length, 'every planned start is started or counted as dropped');
  assert.equal(got.dropped, 0);
  for (let i = 0; i < planned.length; i++)
    assert.ok(Math.abs(intended[i]! - planned[i]!) < 1e-6, `start ${i} intended at its planned time`);
  for (const s of got.starts) assert.ok(s.actual >= s.intended, 'no iteration starts before its intended time');
  // Every 100 ms window holds exactly the planned number of starts.
  const last = planned[planned.length - 1] ?? 0;
  for (let w = 0; w <= last; w += 100) {
    // Intended times are startAt + offset, read back as a difference: allow float noise at the edges.
    const inWindow = (t: number) => t >= w - 1e-6 && t < w + 100 - 1e-6;
    assert.equal(intended.filter(inWindow).length, planned.filter(inWindow).length, `window [${w}, ${w + 100}) ms`);
  }
}

test('constant-arrival-rate: 2000/s for 300 ms starts exactly the planned 600 iterations, none early', async () => {
  const sc = constantRate({ rate: 2000, timeUnitMs: 1000, durationMs: 300, preAllocatedVUs: 50, maxVUs: 2000 });
  checkAgainstPlan(sc, await run(sc, 300));
});

test('ramping-arrival-rate: 0 → 3000/s over 400 ms, iterations that take 3 ms, starts match the plan window by window', async () => {
  const sc = rampingRate({ startRate: 0, timeUnitMs: 1000, stages: stages([400, 3000]), preAllocatedVUs: 20, maxVUs: 2000 });
  checkAgainstPlan(sc, await run(sc, 400, 3));
});

test('a slow rate (20/s) still starts every iteration on a timer and ends when the schedule does', async () => {
  const sc = constantRate({ rate: 20, timeUnitMs: 1000, durationMs: 250, preAllocatedVUs: 1, maxVUs: 1 });
  checkAgainstPlan(sc, await run(sc, 250));
});

test('no free VU and maxVUs reached: the start is counted as dropped, never delayed', async () => {
  const sc = constantRate({ rate: 1000, timeUnitMs: 1000, durationMs: 100, preAllocatedVUs: 1, maxVUs: 1 });
  const got = await run(sc, 100, 30);
  const planned = drain(createArrivalSchedule(sc, { index: 0, count: 1 }));
  assert.equal(got.starts.length + got.dropped, planned.length);
  assert.ok(got.dropped > 0);
  for (const s of got.starts) assert.ok(s.actual >= s.intended);
});

test('callback runner: the same plan is kept, with synchronous and with slow iterations', async () => {
  const fast = constantRate({ rate: 2000, timeUnitMs: 1000, durationMs: 300, preAllocatedVUs: 5, maxVUs: 2000 });
  checkAgainstPlan(fast, await run(fast, 300, 0, true));
  const ramp = rampingRate({ startRate: 0, timeUnitMs: 1000, stages: stages([400, 3000]), preAllocatedVUs: 20, maxVUs: 2000 });
  checkAgainstPlan(ramp, await run(ramp, 400, 3, true));
});
