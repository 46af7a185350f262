// Defaults applied by normalise.ts. k6's where k6 has one (lib/executor/*.go, lib/options.go).

import type { HttpSettings } from './types.ts';

export const DEFAULT_SCENARIO_NAME = 'default';
export const DEFAULT_EXEC = 'default';

export const SCENARIO_DEFAULTS = {
  startTimeMs: 0,
  gracefulStopMs: 30_000,
  gracefulRampDownMs: 30_000,
  timeUnitMs: 1000,
  maxDurationMs: 600_000,
  vus: 1,
  iterations: 1,
  startVUs: 1,
  startRate: 0,
} as const;

/**
 * Graceful stop of a `run <url>` (it has no scenario to set one in). Its iteration is one request:
 * after the duration, waiting k6's 30 s for a request that has not answered measures nothing more —
 * it is cut and counted (failed, `cut_at_stop`, with its time so far), which fails a latency or error
 * threshold as surely, 25 s sooner. A plan or script sets `gracefulStop` per scenario (default 30 s).
 */
export const URL_GRACEFUL_STOP_MS = 5_000;

export const HTTP_DEFAULTS: Readonly<HttpSettings> = {
  timeoutMs: 60_000,
  connectTimeoutMs: 10_000,
  insecureSkipTLSVerify: false,
  discardResponseBodies: true,
  keepAlive: true,
  pipelining: 1,
  maxBodyBytes: 100 * 1024 * 1024,
};

/** Ceiling for the VU pool speedguard picks by itself (users may set more explicitly). */
export const MAX_DEFAULT_VUS = 10_000;

/**
 * VU pool for an arrival-rate executor when the user gives neither preAllocatedVUs nor maxVUs
 * (k6 requires preAllocatedVUs; we size it instead). Little's law: VUs busy = rate × iteration time.
 * preAllocated covers iterations up to 100 ms without allocating during the run; maxVUs covers
 * iterations up to 10 s, so a slowing target shows up as latency, not as dropped iterations,
 * unless it gets slower than that.
 *   preAllocatedVUs = min(10000, max(10, ceil(rate/s × 0.1)))
 *   maxVUs          = max(preAllocatedVUs, min(10000, ceil(rate/s × 10)))
 */
export function defaultArrivalVUs(peakRatePerSecond: number): { preAllocatedVUs: number; maxVUs: number } {
  // Divide/multiply by 10 rather than × 0.1: 30 × 0.1 = 3.0000000000000004 would ceil to 4.
  const rate = Math.round(peakRatePerSecond * 1e6) / 1e6;
  // Capped like maxVUs: --rate 1e7 must not pre-allocate a million VUs (issue 11 §4).
  const preAllocatedVUs = Math.min(MAX_DEFAULT_VUS, Math.max(10, Math.ceil(rate / 10)));
  const maxVUs = Math.max(preAllocatedVUs, Math.min(MAX_DEFAULT_VUS, Math.ceil(rate * 10)));
  return { preAllocatedVUs, maxVUs };
}
