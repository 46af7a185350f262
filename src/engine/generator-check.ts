// Generator self-check: did the load generator, rather than the target, limit the run? No peer
// tool tells you; a saturated generator makes every latency and throughput figure a lie.
import type { RunAggregate } from './run-aggregate.ts';
import type { GeneratorVerdict } from '../record/run-record.ts';
import type { GeneratorHealth } from './worker-engine.ts';
import { percent } from '../analysis/format.ts';

/** Defaults chosen from what breaks measurements: a busy loop delays timers and response reads. */
export const GENERATOR_LIMITS = {
  /** A worker thread above this CPU share for 95 % of the time cannot keep up. */
  cpuP95: 0.9,
  /** Event-loop delay p99 above this (ms) in any interval distorts latencies by as much. */
  loopDelayP99Ms: 50,
  /**
   * Iterations starting this late (p95, ms) mean the schedule was not kept. p95, not p99: a few
   * late starts while a worker thread warms up (module loading, JIT) are not a saturated generator.
   */
  scheduleDelayP95Ms: 10,
};

/** Fewer iteration starts than this and the schedule-delay percentiles are anecdotes. */
export const MIN_SCHEDULED_STARTS = 100;

export function judgeGenerator(agg: RunAggregate, health: readonly GeneratorHealth[], workers: number): GeneratorVerdict {
  const cpus = health.map((h) => h.cpu).sort((a, b) => a - b);
  const cpuP95 = cpus.length ? cpus[Math.min(cpus.length - 1, Math.floor(cpus.length * 0.95))]! : 0;
  const cpuMax = cpus.length ? cpus[cpus.length - 1]! : 0;
  const loopDelayP99MaxMs = Math.max(0, ...health.map((h) => h.loopDelayP99Ms));
  const heapUsedMaxBytes = Math.max(0, ...health.map((h) => h.heapUsedBytes));
  const sched = agg.select('iteration_schedule_delay', {});
  const scheduleDelayP99Ms = sched && sched.count ? sched.percentile(99) : 0;
  const scheduleDelayP95Ms = sched && sched.count ? sched.percentile(95) : 0;
  // A stall matters in proportion to what is measured: 50 ms of generator delay ruins a 5 ms p95
  // but is noise beside the 1 s latencies of an overloaded target. The limits scale with the
  // target's own latency, never below the absolute floors.
  const duration = agg.select('http_req_duration', {});
  const serviceP95 = duration && duration.count ? duration.percentile(95) : 0;
  const loopLimit = Math.max(GENERATOR_LIMITS.loopDelayP99Ms, 0.25 * serviceP95);
  const schedLimit = Math.max(GENERATOR_LIMITS.scheduleDelayP95Ms, 0.1 * serviceP95);
  const reasons: string[] = [];
  // Only intervals with real work count: the idle tail of a run is not a saturated generator.
  if (cpus.length >= 3 && cpuP95 > GENERATOR_LIMITS.cpuP95) {
    reasons.push(
      `generator CPU at ${percent(cpuP95, 0)} of a core (p95 over ${cpus.length} worker-seconds; limit ` +
        `${GENERATOR_LIMITS.cpuP95 * 100} %)`,
    );
  }
  if (loopDelayP99MaxMs > loopLimit) {
    reasons.push(
      `generator event-loop delay p99 reached ${loopDelayP99MaxMs.toFixed(1)} ms (limit ${loopLimit.toFixed(1)} ms: the larger of ` +
        `${GENERATOR_LIMITS.loopDelayP99Ms} ms and a quarter of the target's p95 of ${serviceP95.toFixed(1)} ms)`,
    );
  }
  // A p95 of a few dozen starts is one or two late iterations (thread warm-up, first connections):
  // the schedule criterion needs enough starts to speak for the run.
  if (scheduleDelayP95Ms > schedLimit && (sched?.count ?? 0) >= MIN_SCHEDULED_STARTS) {
    reasons.push(
      `iterations started ${scheduleDelayP95Ms.toFixed(1)} ms late at p95 (p99 ${scheduleDelayP99Ms.toFixed(1)} ms; limit ` +
        `${schedLimit.toFixed(1)} ms: the larger of ${GENERATOR_LIMITS.scheduleDelayP95Ms} ms and a tenth of the target's p95)`,
    );
  }
  return {
    limited: reasons.length > 0,
    reasons,
    workers,
    cpuMax,
    cpuP95,
    loopDelayP99MaxMs,
    scheduleDelayP99Ms,
    heapUsedMaxBytes,
    // Peak over the run's intervals (and now, for runs shorter than one interval).
    rssMaxBytes: Math.max(process.memoryUsage.rss(), ...health.map((h) => h.rssBytes ?? 0)),
  };
}

/** One second as the self-check reads it (the worst worker; percentiles of that second). */
export interface SecondGeneratorFigures {
  cpuMax: number;
  loopDelayP99MaxMs: number;
  /** Iteration start lateness p95 (ms); null when nothing was scheduled that second (closed model). */
  scheduleDelayP95Ms: number | null;
  /** The target's service-time p95 that second (ms): the limits scale with it as in judgeGenerator. */
  serviceP95Ms: number;
}

/** The run-level limits applied to one second: the phases (live) and the audits (from records) share it. */
export function secondLimited(f: SecondGeneratorFigures): boolean {
  const late = f.scheduleDelayP95Ms !== null && f.scheduleDelayP95Ms > Math.max(GENERATOR_LIMITS.scheduleDelayP95Ms, 0.1 * f.serviceP95Ms);
  const stalled = f.loopDelayP99MaxMs > Math.max(GENERATOR_LIMITS.loopDelayP99Ms, 0.25 * f.serviceP95Ms);
  return f.cpuMax > GENERATOR_LIMITS.cpuP95 || stalled || late;
}
