// A closed-loop load: a fixed number of VUs, each sending its next request when its last one answered
// (`profile` without --rate: 20 VUs by default). Little's law ties its figures together — requests in
// flight (the VUs) = throughput × mean latency — so once the service is saturated its latency is set by
// the number of VUs chosen: VUs / throughput. Missing the SLO there says "at 20 concurrent users the
// service answers in X", not that a production load misses it (ASSESSMENT-RULES.md §2, §3).
import type { RunRecord } from '../record/run-record.ts';
import { selectMetric } from '../record/select.ts';
import { ms, rate, round } from './format.ts';

export interface ClosedLoopFigures {
  vus: number;
  /** Completed requests per second over the run. */
  throughputRps: number;
  /** Measured mean response time (ms). */
  meanMs: number;
  /** Little's law: VUs / throughput (ms), the mean latency the concurrency implies. */
  littleMs: number;
  /** Requests in flight at which the measured throughput gives the SLO's latency: throughput × SLO. */
  sloConcurrency: number;
}

/** The VUs of a run whose every scenario is constant-vus (a closed loop at a fixed concurrency); else null. */
export function closedLoopVus(run: RunRecord): number | null {
  const scenarios = Object.values(run.plan?.scenarios ?? {});
  if (scenarios.length === 0 || !scenarios.every((s) => s.executor === 'constant-vus')) return null;
  return scenarios.reduce((n, s) => n + (s.executor === 'constant-vus' ? s.vus : 0), 0);
}

export function closedLoopFigures(run: RunRecord, sloMs: number): ClosedLoopFigures | null {
  const vus = closedLoopVus(run);
  const requests = selectMetric(run, 'http_reqs')?.sum ?? 0;
  const duration = selectMetric(run, 'http_req_duration');
  if (vus === null || requests <= 0 || !duration?.count || run.durationMs <= 0) return null;
  const throughputRps = requests / (run.durationMs / 1000);
  return {
    vus,
    throughputRps,
    meanMs: duration.sum / duration.count,
    littleMs: (vus / throughputRps) * 1000,
    sloConcurrency: (throughputRps * sloMs) / 1000,
  };
}

/**
 * "At 20 concurrent users (a closed loop …) the service answered in 1.02 s on average at 19.6 req/s: …"
 * — why a closed-loop latency is the concurrency's, and what the SLO allows at the measured throughput.
 */
export function closedLoopText(f: ClosedLoopFigures, sloMs: number): string {
  const users = `${f.vus} concurrent user${f.vus === 1 ? '' : 's'}`;
  return (
    `at ${users} (a closed loop: each sends its next request when the last one answers, and no expected rate was given) the ` +
    `service answered in ${ms(f.meanMs)} on average at ${rate(f.throughputRps)}; by Little's law latency ≈ users / throughput = ` +
    `${f.vus} / ${rate(f.throughputRps)} ≈ ${ms(f.littleMs)}, so the number of users chosen sets it. At that throughput the ` +
    `${ms(sloMs)} SLO holds with about ${round(f.sloConcurrency, 1)} request${round(f.sloConcurrency, 1) === 1 ? '' : 's'} in ` +
    `flight; whether production misses it depends on its arrival rate: give --rate (the expected req/s) to judge that`
  );
}
