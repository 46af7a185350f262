// Issue 11 §4: absurd values are refused with the reason (exit 2 through PlanError); soft limits can
// be lifted, hard ones (timers, countable numbers) cannot.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { defaultArrivalVUs, MAX_DEFAULT_VUS } from '../../src/plan/defaults.ts';
import { checkPlanLimits, LIMITS } from '../../src/plan/limits.ts';
import { planFromUrl } from '../../src/plan/load-url.ts';

const url = 'http://127.0.0.1:1/';

test('refused: huge rates, VUs, durations, iterations — each names the field and the limit', () => {
  const cases: Array<[Parameters<typeof planFromUrl>[1], RegExp]> = [
    [
      { rate: 1e300, duration: '1s' },
      /^rate: .* is above the limit of 200,000\/s \(100,000\/s per worker × 2 worker\(s\)\); add --no-limits/,
    ],
    [{ rate: 1e7, duration: '3s' }, /rate: 10,000,000 iterations\/s is above the limit/],
    [{ vus: 1e12, duration: '1s' }, /vus: 1,000,000,000,000 VUs is above the limit/],
    [{ vus: 200_000, duration: '1s' }, /vus: 200,000 VUs is above the limit/],
    [{ vus: 1, duration: '99999999999999999999h' }, /duration: .* ms is longer than any timer can wait/],
    [{ vus: 1, duration: '8d' }, /duration: 192 h is above the limit of 7 days/],
    [{ iterations: 2e9 }, /iterations: 2,000,000,000 iterations is above the limit/],
  ];
  for (const [flags, re] of cases) {
    let plan;
    try {
      plan = planFromUrl(url, flags);
    } catch (e) {
      // A loader may refuse a value first (e.g. a duration it cannot read): also bad input.
      assert.equal((e as Error).name, 'PlanError', `${JSON.stringify(flags)}: ${(e as Error).message}`);
      continue;
    }
    assert.throws(
      () => checkPlanLimits(plan, { workers: 2 }),
      (e: Error) => e.name === 'PlanError' && re.test(e.message),
      JSON.stringify(flags),
    );
  }
});

test('--no-limits lifts the soft limits, not the hard ones', () => {
  checkPlanLimits(planFromUrl(url, { vus: 200_000, duration: '1s' }), { enforce: false, workers: 2 });
  checkPlanLimits(planFromUrl(url, { rate: 1e7, duration: '8d' }), { enforce: false, workers: 2 });
  assert.throws(() => checkPlanLimits(planFromUrl(url, { vus: 1, duration: '99999999999999999999h' }), { enforce: false }), /timer/);
  // A timeout no timer can wait is refused as the plan is read, before any limit is looked at.
  assert.throws(
    () => checkPlanLimits(planFromUrl(url, { vus: 1, duration: '1s', timeout: '30d' }), { enforce: false }),
    /--timeout: .* longer than any timer can wait/,
  );
});

test('within the limits passes; the per-worker limit scales with workers up to the total', () => {
  checkPlanLimits(planFromUrl(url, { vus: 10_000, duration: '1s' }), { workers: 1 });
  assert.throws(() => checkPlanLimits(planFromUrl(url, { vus: 10_001, duration: '1s' }), { workers: 1 }), /10,000 per worker × 1/);
  checkPlanLimits(planFromUrl(url, { rate: 100_000, duration: '7d' }), { workers: 1 });
  assert.ok(LIMITS.vusTotal >= LIMITS.vusPerWorker);
});

test('an arrival rate never pre-allocates more VUs than the documented cap', () => {
  for (const rate of [1, 1e3, 1e5, 1e7, 1e300]) {
    const pool = defaultArrivalVUs(rate);
    assert.ok(pool.preAllocatedVUs <= MAX_DEFAULT_VUS && pool.maxVUs <= MAX_DEFAULT_VUS, `${rate}: ${JSON.stringify(pool)}`);
    assert.ok(pool.preAllocatedVUs <= pool.maxVUs);
  }
});
