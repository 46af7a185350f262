// How long each scenario runs and how many VUs it needs, per k6's GetExecutionRequirements.
//
// Every executor stops starting iterations at its scheduled end (maxDuration for the iteration
// executors, duration, or the sum of the stages) and interrupts what is still running at
// end + gracefulStop. The only exception is ramping-vus: its hard-stop times come from the graceful
// ramp-down steps, which k6 caps at duration + gracefulStop, so gracefulRampDown never extends a
// scenario (it can only end it earlier, when every VU has ramped down and finished before that).

import type { Scenario } from '../../plan/types.ts';
import { arrivalIterationCount } from './arrival-schedule.ts';
import { checkStripe, ScheduleError, shareOf, WHOLE, type Stripe } from './stripe.ts';
import { rampingVusGracefulSteps } from './vu-schedule.ts';

/** The scheduled end, ms from the scenario's own start, without gracefulStop. */
export function scenarioDurationMs(s: Scenario): number {
  switch (s.executor) {
    case 'shared-iterations':
    case 'per-vu-iterations':
      return s.maxDurationMs;
    case 'constant-vus':
    case 'constant-arrival-rate':
      return s.durationMs;
    case 'ramping-vus':
    case 'ramping-arrival-rate': {
      let total = 0;
      for (const st of s.stages) total += st.durationMs;
      return total;
    }
  }
}

/**
 * When the scenario is over at the latest, ms from the test start: startTime + duration +
 * gracefulStop (for ramping-vus, the end of its graceful ramp-down steps, never before its duration).
 */
export function scenarioMaxEndMs(s: Scenario, stripe: Stripe = WHOLE): number {
  const duration = scenarioDurationMs(s);
  if (s.executor === 'ramping-vus') {
    const graceful = rampingVusGracefulSteps(s, stripe);
    return s.startTimeMs + Math.max(duration, graceful[graceful.length - 1]!.atMs);
  }
  return s.startTimeMs + duration + s.gracefulStopMs;
}

/** The most VUs the scenario (or this worker's share of it) can have at once: what to pre-allocate. */
export function vuCountForSizing(s: Scenario, stripe: Stripe = WHOLE): number {
  checkStripe(stripe, 'vuCountForSizing');
  switch (s.executor) {
    case 'shared-iterations':
    case 'per-vu-iterations':
    case 'constant-vus':
      return shareOf(s.vus, stripe);
    case 'ramping-vus': {
      // The graceful steps never exceed the raw peak, and splitting is monotonic, so the share of
      // the peak is the worker's peak.
      let peak = s.startVUs;
      for (const st of s.stages) if (st.target > peak) peak = st.target;
      return shareOf(peak, stripe);
    }
    case 'constant-arrival-rate':
    case 'ramping-arrival-rate':
      return shareOf(s.maxVUs, stripe);
  }
}

export interface WorkerCounts {
  /** VUs this worker may use at most (maxVUs for the arrival-rate executors). */
  vus: number;
  /** VUs to initialise before the start (all of them, except for the arrival-rate executors). */
  preAllocatedVUs: number;
  /**
   * shared-iterations: this worker's share of the iterations; per-vu-iterations: iterations per VU
   * (k6 never splits those: only the VUs are split); arrival rates: the starts this worker's
   * schedule holds; 0 for the duration-based VU executors.
   */
  iterations: number;
}

/** This worker's share of the scenario's counts. */
export function splitCounts(s: Scenario, stripe: Stripe): WorkerCounts {
  const vus = vuCountForSizing(s, stripe);
  switch (s.executor) {
    case 'shared-iterations':
      return { vus, preAllocatedVUs: vus, iterations: shareOf(s.iterations, stripe) };
    case 'per-vu-iterations':
      return { vus, preAllocatedVUs: vus, iterations: s.iterations };
    case 'constant-vus':
    case 'ramping-vus':
      return { vus, preAllocatedVUs: vus, iterations: 0 };
    case 'constant-arrival-rate':
    case 'ramping-arrival-rate':
      return {
        vus,
        preAllocatedVUs: shareOf(s.preAllocatedVUs, stripe),
        iterations: shareOf(arrivalIterationCount(s), stripe),
      };
  }
}

/**
 * How many of `workers` workers to split the scenario over so that each gets at least one VU
 * (k6 gives a segment without VUs no work at all, silently losing its share of iterations).
 */
export function workersFor(s: Scenario, workers: number): number {
  if (!Number.isSafeInteger(workers) || workers < 1) {
    throw new ScheduleError(`workersFor: workers must be an integer ≥ 1, got ${workers}`);
  }
  return Math.max(1, Math.min(workers, vuCountForSizing(s)));
}
