// Limits on what one run may ask for (issue 11 §4). Beyond them a run would not measure the target:
// it would exhaust the generator (memory, file descriptors), overflow timers, or never end.
//
// Hard limits (no override): every duration fits a timer (≤ 2^31−1 ms ≈ 24.8 days; Node turns a
// longer one into 1 ms with a TimeoutOverflowWarning), counts are safe integers, rates are finite.
// Soft limits (override with --no-limits, for a machine that can truly take more):
//   VUs        10,000 per worker, and in total the smaller of 50,000 and the open-files limit − 256
//              (each VU may hold a socket; threads share the process's descriptors)
//   rate       100,000 iterations/s per worker, 1,000,000/s in total
//   durations  7 days for any duration of a scenario (duration, maxDuration, stages, graceful stops)
//   iterations 1,000,000,000 per scenario
//   workers    8 threads per core (each holds its own heap and event loop; beyond a few per core they
//              only compete for the CPU the load generator measures with)
// VUs and rate are summed over scenarios (they may overlap in time; the sum is the safe bound).
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { PlanError } from './errors.ts';
import type { Plan, Scenario } from './types.ts';

export const LIMITS = {
  vusPerWorker: 10_000,
  vusTotal: 50_000,
  ratePerWorker: 100_000,
  rateTotal: 1_000_000,
  durationMs: 7 * 24 * 3_600_000,
  iterations: 1_000_000_000,
  workersPerCore: 8,
  /** setTimeout's ceiling: longer delays fire at once (TimeoutOverflowWarning). */
  timerMs: 2 ** 31 - 1,
} as const;

export interface LimitOptions {
  /** false = --no-limits: only the hard limits apply. */
  enforce?: boolean;
  /** Worker threads the run will use (default: the plan's, else one per core). */
  workers?: number;
}

/** The soft limit on open files (Linux /proc), or null where it cannot be read. */
export function openFilesLimit(): number | null {
  try {
    const m = /^Max open files\s+(\d+|unlimited)/m.exec(readFileSync('/proc/self/limits', 'utf8'));
    return m && m[1] !== 'unlimited' ? Number(m[1]) : null;
  } catch {
    return null;
  }
}

const fmt = (n: number) => (Number.isFinite(n) && Math.abs(n) < 1e15 ? Math.round(n).toLocaleString('en-US') : String(n));
const OVERRIDE = 'add --no-limits if this machine can truly take it';

function peakVus(s: Scenario): number {
  switch (s.executor) {
    case 'ramping-vus':
      return Math.max(s.startVUs, ...s.stages.map((st) => st.target));
    case 'constant-arrival-rate':
    case 'ramping-arrival-rate':
      return Math.max(s.preAllocatedVUs, s.maxVUs);
    default:
      return s.vus;
  }
}

/** Iterations per second at the scenario's peak. */
function peakRate(s: Scenario): number {
  if (s.executor === 'constant-arrival-rate') return (s.rate * 1000) / s.timeUnitMs;
  if (s.executor === 'ramping-arrival-rate') return (Math.max(s.startRate, ...s.stages.map((st) => st.target)) * 1000) / s.timeUnitMs;
  return 0;
}

function durationsOf(s: Scenario): Array<[string, number]> {
  const d: Array<[string, number]> = [
    ['startTime', s.startTimeMs],
    ['gracefulStop', s.gracefulStopMs],
  ];
  if ('durationMs' in s) d.push(['duration', s.durationMs]);
  if ('maxDurationMs' in s) d.push(['maxDuration', s.maxDurationMs]);
  if ('timeUnitMs' in s) d.push(['timeUnit', s.timeUnitMs]);
  if ('gracefulRampDownMs' in s) d.push(['gracefulRampDown', s.gracefulRampDownMs]);
  if ('stages' in s) d.push(['stages (total)', s.stages.reduce((t, st) => t + st.durationMs, 0)]);
  return d;
}

/** Throws a PlanError naming the scenario, the field, the value and the limit. */
export function checkPlanLimits(plan: Plan, o: LimitOptions = {}): void {
  const enforce = o.enforce !== false;
  const workers = workersOf(o, plan);
  const workerProblem = enforce ? workersAboveLimit(workers) : null;
  if (workerProblem) throw new PlanError(workerProblem, { path: 'workers' });
  let vus = 0;
  let rate = 0;
  for (const [name, s] of Object.entries(plan.scenarios)) {
    const at = (field: string) => `scenarios.${name}.${field}`;
    for (const [field, ms] of durationsOf(s)) {
      const problem = durationAboveLimit(ms, enforce);
      if (problem) throw new PlanError(problem, { path: at(field) });
    }
    const peak = peakVus(s);
    if (!Number.isSafeInteger(peak)) throw new PlanError(`${fmt(peak)} VUs is not a countable number`, { path: at('vus') });
    if ('iterations' in s) {
      if (!Number.isSafeInteger(s.iterations))
        throw new PlanError(`${fmt(s.iterations)} is not a countable number`, { path: at('iterations') });
      if (enforce && s.iterations > LIMITS.iterations)
        throw new PlanError(`${fmt(s.iterations)} iterations is above the limit of ${fmt(LIMITS.iterations)}; ${OVERRIDE}`, {
          path: at('iterations'),
        });
    }
    const r = peakRate(s);
    if (!Number.isFinite(r)) throw new PlanError(`rate ${r} is not a finite number`, { path: at('rate') });
    vus += peak;
    rate += r;
  }
  for (const [field, ms] of [
    ['http.timeout', plan.http.timeoutMs],
    ['http.connectTimeout', plan.http.connectTimeoutMs],
  ] as const) {
    if (!Number.isFinite(ms) || ms > LIMITS.timerMs)
      throw new PlanError(`${fmt(ms)} ms is longer than any timer can wait (${fmt(LIMITS.timerMs)} ms ≈ 24.8 days)`, { path: field });
  }
  if (!enforce) return;
  const vuProblem = vusAboveLimit(vus, workers);
  if (vuProblem) throw new PlanError(vuProblem, { path: 'vus' });
  const rateProblem = rateAboveLimit(rate, workers);
  if (rateProblem) throw new PlanError(rateProblem, { path: 'rate' });
}

/** Worker threads a run will use: the flag's, else the plan's, else one per core. */
export function workersOf(o: LimitOptions, plan?: Plan): number {
  return Math.max(1, o.workers || plan?.workers || availableParallelism());
}

/** Why `workers` threads are beyond the soft limit (8 per core), or null when within. */
export function workersAboveLimit(workers: number): string | null {
  const cores = availableParallelism();
  const most = LIMITS.workersPerCore * cores;
  if (workers <= most) return null;
  const why = `${LIMITS.workersPerCore} per core × ${cores} core(s)`;
  return `${fmt(workers)} worker threads is above the limit of ${fmt(most)} (${why}); ${OVERRIDE}`;
}

/** Why `vus` VUs over `workers` threads is beyond the soft limit, or null when it is within. */
export function vusAboveLimit(vus: number, workers: number): string | null {
  const files = openFilesLimit();
  const totalVus = Math.min(LIMITS.vusTotal, LIMITS.vusPerWorker * workers, files === null ? Infinity : Math.max(1, files - 256));
  if (vus <= totalVus) return null;
  const why =
    totalVus === LIMITS.vusTotal
      ? `${fmt(LIMITS.vusTotal)} in total`
      : totalVus === LIMITS.vusPerWorker * workers
        ? `${fmt(LIMITS.vusPerWorker)} per worker × ${workers} worker(s)`
        : `the open-files limit (ulimit -n ${files}) less 256`;
  return `${fmt(vus)} VUs is above the limit of ${fmt(totalVus)} (${why}); use fewer VUs or more --workers, or ${OVERRIDE}`;
}

/** Why `rate` iterations/s over `workers` threads is beyond the soft limit, or null when it is within. */
export function rateAboveLimit(rate: number, workers: number): string | null {
  if (!Number.isFinite(rate)) return `rate ${rate} is not a finite number`;
  const totalRate = Math.min(LIMITS.rateTotal, LIMITS.ratePerWorker * workers);
  if (rate <= totalRate) return null;
  const why =
    totalRate === LIMITS.rateTotal
      ? `${fmt(LIMITS.rateTotal)}/s in total`
      : `${fmt(LIMITS.ratePerWorker)}/s per worker × ${workers} worker(s)`;
  return `${fmt(rate)} iterations/s is above the limit of ${fmt(totalRate)}/s (${why}); ${OVERRIDE}`;
}

/** Why a duration is beyond what a timer can wait (always) or the 7-day soft limit (when enforced), or null. */
export function durationAboveLimit(ms: number, enforce: boolean): string | null {
  if (!Number.isFinite(ms) || ms > LIMITS.timerMs)
    return `${fmt(ms)} ms is longer than any timer can wait (${fmt(LIMITS.timerMs)} ms ≈ 24.8 days)`;
  if (enforce && ms > LIMITS.durationMs) return `${fmt(ms / 3_600_000)} h is above the limit of 7 days; ${OVERRIDE}`;
  return null;
}
