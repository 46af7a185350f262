// The run limits (plan/limits.ts, issue 11 §4) applied to an assessment's phases before any load: the
// rates the phases would offer follow from --expected-rate and --max-rate (ASSESSMENT-RULES.md §6),
// so each is checked against the limit of the workers the assessment will use, and --soak against
// the duration limit. A refusal names the flag the rate came from (exit 2); --no-limits lifts the
// soft limits as it does for `run`.
import { PlanError } from '../plan/errors.ts';
import { durationAboveLimit, rateAboveLimit, workersAboveLimit, workersOf } from '../plan/limits.ts';
import type { AssessmentConfig } from '../record/assessment-record.ts';
import { DEFAULT_MAX_RATE } from './phases/stress.ts';
import { DISCOVERED_BASELINE_SHARE, PEAK_FACTOR, RECOVERY_FACTOR, RECOVERY_OVER_BREAKING } from './suite.ts';
import { DEFAULT_TIMING } from './timing.ts';

export interface AssessLimitOptions {
  maxRate?: number | undefined;
  workers?: number | undefined;
  /** false = --no-limits: only the hard limits apply. */
  enforce?: boolean | undefined;
  /** HTTP requests per iteration of the plan: the limits count iterations, the phases requests. */
  requestsPerIteration?: number;
}

interface Offered {
  phase: string;
  reqRate: number;
  /** How the rate follows from the flags, for the message (null: it is the flag's own value). */
  how: string | null;
  flag: string;
}

const fmt = (n: number) => (Number.isFinite(n) && Math.abs(n) < 1e15 ? Math.round(n).toLocaleString('en-US') : String(n));

/** The highest rate (req/s) each requested phase may offer, and the flag it follows from. */
function offeredRates(config: Pick<AssessmentConfig, 'expectedRate' | 'suite'>, maxRate: number | undefined): Offered[] {
  const want = new Set<string>(config.suite);
  const top = maxRate ?? DEFAULT_MAX_RATE;
  const topFlag = maxRate === undefined ? `the default --max-rate of ${fmt(top)}` : `--max-rate ${fmt(top)}`;
  const stressRuns = want.has('stress') || config.expectedRate === null;
  // Without --expected-rate the phases run at a share of what the stress staircase held, at most its top.
  const e = config.expectedRate ?? DISCOVERED_BASELINE_SHARE * top;
  const eFlag = config.expectedRate !== null ? '--expected-rate' : '--max-rate';
  const eHow = config.expectedRate !== null ? `${fmt(e)} req/s` : `${DISCOVERED_BASELINE_SHARE} × ${topFlag} req/s`;
  const out: Offered[] = [];
  if (stressRuns) out.push({ phase: 'stress', reqRate: top, how: null, flag: '--max-rate' });
  for (const phase of ['baseline', 'sustained'])
    if (want.has(phase)) out.push({ phase, reqRate: e, how: config.expectedRate !== null ? null : eHow, flag: eFlag });
  if (want.has('peak')) out.push({ phase: 'peak', reqRate: PEAK_FACTOR * e, how: `${PEAK_FACTOR} × ${eHow}`, flag: eFlag });
  const factor = DEFAULT_TIMING.spike.factor;
  if (want.has('spike')) out.push({ phase: 'spike', reqRate: factor * e, how: `${factor} × ${eHow}`, flag: eFlag });
  if (want.has('recovery')) {
    out.push({ phase: 'recovery', reqRate: RECOVERY_FACTOR * e, how: `${RECOVERY_FACTOR} × ${eHow}`, flag: eFlag });
    if (stressRuns)
      out.push({
        phase: 'recovery',
        reqRate: RECOVERY_OVER_BREAKING * top,
        how: `${RECOVERY_OVER_BREAKING} × ${topFlag} req/s`,
        flag: '--max-rate',
      });
  }
  return out;
}

/** Throws a PlanError naming the flag when a phase would go beyond a limit. */
export function checkAssessLimits(config: Pick<AssessmentConfig, 'expectedRate' | 'suite' | 'soakMs'>, o: AssessLimitOptions = {}): void {
  const enforce = o.enforce !== false;
  if (config.suite.includes('sustained')) {
    const problem = durationAboveLimit(config.soakMs, enforce);
    if (problem) throw new PlanError(problem, { path: '--soak' });
  }
  const workers = workersOf({ ...(o.workers ? { workers: o.workers } : {}) });
  const workerProblem = enforce ? workersAboveLimit(workers) : null;
  if (workerProblem) throw new PlanError(workerProblem, { path: '--workers' });
  const perIteration = Math.max(1, o.requestsPerIteration ?? 1);
  for (const x of offeredRates(config, o.maxRate)) {
    const iterations = x.reqRate / perIteration;
    // A rate that is not finite is refused with or without --no-limits.
    const problem = !Number.isFinite(iterations)
      ? `rate ${iterations} is not a finite number`
      : enforce
        ? rateAboveLimit(iterations, workers)
        : null;
    if (problem)
      throw new PlanError(`the ${x.phase} phase would offer ${x.how ? `${x.how} = ` : ''}${fmt(x.reqRate)} req/s: ${problem}`, {
        path: x.flag,
      });
  }
}
