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
  /** The throughput at which these VUs would get the SLO's latency: VUs / SLO (req/s). */
  sloThroughputRps: number;
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
    sloThroughputRps: (vus * 1000) / sloMs,
  };
}

/**
 * "at 20 concurrent users (a closed loop …) the service answered in 2.07 s on average at 8.3 req/s; …" — why
 * a closed-loop latency is the concurrency's, the throughput these users would need for the SLO, and the
 * requests in flight the SLO allows at the throughput measured.
 */
export function closedLoopText(f: ClosedLoopFigures, sloMs: number): string {
  const users = `${f.vus} concurrent user${f.vus === 1 ? '' : 's'}`;
  return (
    `at ${users} (a closed loop: each sends its next request when the last one answers, and no expected rate was given) the ` +
    `service answered in ${ms(f.meanMs)} on average at ${rate(f.throughputRps)}; by Little's law latency ≈ users / throughput = ` +
    `${f.vus} / ${rate(f.throughputRps)} ≈ ${ms(f.littleMs)}, so the number of users chosen sets it: ${f.vus} users get ` +
    `${ms(sloMs)} only from ${rate(f.sloThroughputRps)}, and at ${rate(f.throughputRps)} the SLO holds with about ` +
    `${round(f.sloConcurrency, 1)} request${round(f.sloConcurrency, 1) === 1 ? '' : 's'} in flight. Whether production misses it ` +
    `depends on its arrival rate: give --rate (the expected req/s) to judge that`
  );
}
