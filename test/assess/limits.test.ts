// The run limits applied to an assessment's phases (issue 11 §4): each phase's highest rate follows
// from --expected-rate and --max-rate; the one beyond the limit is named with the flag it came from.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkAssessLimits } from '../../src/assess/limits.ts';
import { PlanError } from '../../src/plan/errors.ts';
import { ALL_PHASES } from '../../src/assess/options.ts';
import type { PhaseName } from '../../src/record/assessment-record.ts';

const config = (expectedRate: number | null, suite: PhaseName[] = [...ALL_PHASES], soakMs = 30_000) => ({ expectedRate, suite, soakMs });
const refused = (re: RegExp) => (e: unknown) => e instanceof PlanError && re.test(e.message);

test('within the limits: nothing is thrown (1 worker: 100,000 iterations/s)', () => {
  checkAssessLimits(config(1000), { workers: 1 });
  checkAssessLimits(config(null), { workers: 1 });
  checkAssessLimits(config(25_000, ['spike']), { workers: 1 });
});

test('each derived phase rate is checked and names the flag it follows from', () => {
  // spike: 4 × the expected rate.
  assert.throws(
    () => checkAssessLimits(config(30_000, ['baseline', 'spike']), { workers: 1 }),
    refused(
      new RegExp(
        '^--expected-rate: the spike phase would offer 4 × 30,000 req/s = 120,000 req/s: ' +
          '120,000 iterations/s is above the limit of 100,000/s',
      ),
    ),
  );
  // peak: 10 ×.
  assert.throws(
    () => checkAssessLimits(config(20_000, ['peak']), { workers: 1 }),
    refused(/--expected-rate: the peak phase would offer 10 × 20,000 req\/s = 200,000 req\/s/),
  );
  // baseline: the rate itself.
  assert.throws(
    () => checkAssessLimits(config(300_000, ['baseline']), { workers: 2 }),
    refused(/--expected-rate: the baseline phase would offer 300,000 req\/s: .*200,000\/s \(100,000\/s per worker × 2 worker\(s\)\)/),
  );
  // stress: --max-rate.
  assert.throws(
    () => checkAssessLimits(config(10, ['stress']), { workers: 1, maxRate: 5e6 }),
    refused(/^--max-rate: the stress phase would offer 5,000,000 req\/s/),
  );
  // No --expected-rate: the phases follow the stress top.
  assert.throws(
    () => checkAssessLimits(config(null, ['spike']), { workers: 1, maxRate: 80_000 }),
    refused(/^--max-rate: the spike phase would offer 4 × 0.5 × --max-rate 80,000 req\/s = 160,000 req\/s/),
  );
  // recovery: 1.25 × the stress top when the stress phase runs.
  assert.throws(
    () => checkAssessLimits(config(10, ['stress', 'recovery']), { workers: 1, maxRate: 90_000 }),
    refused(/--max-rate: the recovery phase would offer 1.25 × --max-rate 90,000 req\/s = 112,500 req\/s/),
  );
});

test('requests per iteration: the limits count iterations', () => {
  assert.throws(() => checkAssessLimits(config(150_000, ['baseline']), { workers: 1 }), refused(/150,000 iterations\/s/));
  // A flow of 2 requests runs 150,000 req/s as 75,000 iterations/s.
  checkAssessLimits(config(150_000, ['baseline']), { workers: 1, requestsPerIteration: 2 });
});

test('--soak: 7 days at most; a soak no timer can wait is refused even with --no-limits', () => {
  assert.throws(
    () => checkAssessLimits(config(10, ['sustained'], 8 * 86_400_000), { workers: 1 }),
    refused(/^--soak: 192 h is above the limit of 7 days/),
  );
  checkAssessLimits(config(10, ['sustained'], 8 * 86_400_000), { workers: 1, enforce: false });
  assert.throws(
    () => checkAssessLimits(config(10, ['sustained'], 30 * 86_400_000), { workers: 1, enforce: false }),
    refused(/--soak: .*longer than any timer/),
  );
  // The soak only matters when the sustained phase runs.
  checkAssessLimits(config(10, ['baseline'], 8 * 86_400_000), { workers: 1 });
});

test('--no-limits lifts the rate limit, not finiteness', () => {
  checkAssessLimits(config(300_000), { workers: 1, enforce: false });
  assert.throws(() => checkAssessLimits(config(1e308, ['peak']), { workers: 1, enforce: false }), refused(/not a finite number/));
});
