// Running one assessment phase: the user's flow under a phase-specific executor, with the SLO as
// thresholds, and an exact per-second view of the whole target (all endpoints merged) collected live.
import { startRun, type IntervalProgress, type RunHandle } from '../engine/coordinator.ts';
import { GENERATOR_LIMITS, secondLimited } from '../engine/generator-check.ts';
import { Accumulator } from '../metrics/accumulator.ts';
import type { Plan, Scenario } from '../plan/types.ts';
import type { PhaseName } from '../record/phase-name.ts';
import type { Slo } from '../record/assessment-record.ts';
import type { RunRecord } from '../record/run-record.ts';
import type { PhaseTiming } from './timing.ts';
import { percent } from '../analysis/format.ts';

/** The target as a whole during one second (or a span of seconds). */
export interface SecondStats {
  index: number;
  requests: number;
  failed: number;
  dropped: number;
  /** Intended start → last byte (what a user of an open system waits), all endpoints merged. */
  latency: Accumulator;
  /** Service time (request sent → last byte), all endpoints merged: the generator's schedule lag is not in it. */
  serviceTime: Accumulator;
  /** Seconds in which the load generator, not the target, set the pace (engine/generator-check.ts secondLimited). */
  generatorLimited: number;
  /** Seconds in which a generator worker was itself busy past its CPU limit (working, not starved). */
  generatorBusy: number;
  /** The generator's worst event-loop delay p99 (ms): responses waited at least this long to be read. */
  generatorLoopDelayMs: number;
}

export interface PhaseEnv {
  base: Plan;
  slo: Slo;
  timing: PhaseTiming;
  workers: number | undefined;
  log(line: string): void;
  /** Set while a phase runs, so Ctrl-C can stop it. */
  current: RunHandle | null;
  /** True once the user interrupted: remaining phases are skipped. */
  interrupted: boolean;
  /** HTTP requests one iteration makes (request steps in the flow; 1 for scripts). */
  requestsPerIteration: number;
}

/** Requests per iteration of a plan: its flow's request steps, groups included; scripts count 1. */
export function requestsPerIteration(plan: Plan): number {
  const flow = Object.values(plan.scenarios)[0]?.flow;
  if (!flow) return 1;
  const count = (steps: NonNullable<typeof flow>): number =>
    steps.reduce((n, s) => n + (s.kind === 'request' ? 1 : s.kind === 'group' ? count(s.steps) : 0), 0);
  return Math.max(1, count(flow));
}

/**
 * Phases speak in requests per second (what capacity means to users); executors schedule
 * iterations. A flow of k requests runs at reqRate / k iterations per second.
 */
export function iterationRate(env: PhaseEnv, reqRate: number): number {
  return reqRate / env.requestsPerIteration;
}

/** The scenario template every phase fills in: the user's flow (or script function) and http settings. */
export function phasePlan(env: PhaseEnv, name: PhaseName, executor: Partial<Scenario> & Pick<Scenario, 'executor'>): Plan {
  const first = Object.values(env.base.scenarios)[0]!;
  const scenario = {
    startTimeMs: 0,
    gracefulStopMs: 2000,
    exec: first.exec,
    tags: { ...first.tags, phase: name },
    env: first.env,
    flow: first.flow,
    ...executor,
  } as Scenario;
  return { ...env.base, scenarios: { [name]: scenario }, thresholds: sloThresholds(env.slo) };
}

/**
 * An open-model phase that holds request rates in steps: each level jumps at once to its rate and holds it
 * for its seconds (spike and recovery). Requests time out at 10 × the SLO (≥ 5 s) so an overloaded service
 * does not hold VUs for the default 60 s.
 */
export function steppedRatePlan(env: PhaseEnv, name: PhaseName, levels: readonly { reqRate: number; seconds: number }[]): Plan {
  const stages = levels.flatMap((l) => {
    const target = iterationRate(env, l.reqRate);
    return [
      { durationMs: 0, target },
      { durationMs: l.seconds * 1000, target },
    ];
  });
  const plan = phasePlan(env, name, {
    executor: 'ramping-arrival-rate',
    startRate: iterationRate(env, levels[0]!.reqRate),
    timeUnitMs: 1000,
    stages,
    ...vuPool(env, Math.max(...levels.map((l) => l.reqRate))),
  });
  plan.http = { ...plan.http, timeoutMs: Math.max(5000, 10 * env.slo.latencyMs) };
  return plan;
}

/** The SLO as run thresholds: latency from the intended start (what a user waits) and failures. */
export function sloThresholds(slo: Slo): Plan['thresholds'] {
  return {
    http_req_latency: [{ expression: `p(${slo.latencyPercentile})<${slo.latencyMs}`, abortOnFail: false, delayAbortEvalMs: 0 }],
    http_req_failed: [{ expression: `rate<${slo.errorRate}`, abortOnFail: false, delayAbortEvalMs: 0 }],
  };
}

export function secondStatsOf(p: IntervalProgress): SecondStats {
  const s = emptyStats(p.index);
  const schedule = new Accumulator('trend');
  for (const x of p.interval.values()) {
    if (x.metric === 'http_reqs') s.requests += x.acc.sum;
    else if (x.metric === 'http_req_failed') s.failed += x.acc.sum;
    else if (x.metric === 'dropped_iterations') s.dropped += x.acc.sum;
    else if (x.metric === 'http_req_latency') s.latency.merge(x.acc);
    else if (x.metric === 'http_req_duration') s.serviceTime.merge(x.acc);
    else if (x.metric === 'iteration_schedule_delay') schedule.merge(x.acc);
  }
  const generator = p.aggregate.intervals.at(-1)?.generator;
  const limited =
    generator !== undefined &&
    secondLimited({
      cpuMax: generator.cpuMax,
      loopDelayP99MaxMs: generator.loopDelayP99MaxMs,
      scheduleDelayP95Ms: schedule.count ? schedule.percentile(95) : null,
      serviceP95Ms: s.serviceTime.count ? s.serviceTime.percentile(95) : 0,
    });
  s.generatorLimited = limited ? 1 : 0;
  s.generatorBusy = generator !== undefined && generator.cpuMax > GENERATOR_LIMITS.cpuP95 ? 1 : 0;
  s.generatorLoopDelayMs = generator?.loopDelayP99MaxMs ?? 0;
  return s;
}

function emptyStats(index: number): SecondStats {
  return {
    index,
    requests: 0,
    failed: 0,
    dropped: 0,
    latency: new Accumulator('trend'),
    serviceTime: new Accumulator('trend'),
    generatorLimited: 0,
    generatorBusy: 0,
    generatorLoopDelayMs: 0,
  };
}

/** Merge a span of seconds into one. */
export function mergeSeconds(list: readonly SecondStats[]): SecondStats {
  const out = emptyStats(list[0]?.index ?? 0);
  for (const s of list) {
    out.requests += s.requests;
    out.failed += s.failed;
    out.dropped += s.dropped;
    out.latency.merge(s.latency);
    out.serviceTime.merge(s.serviceTime);
    out.generatorLimited += s.generatorLimited;
    out.generatorBusy += s.generatorBusy;
    out.generatorLoopDelayMs = Math.max(out.generatorLoopDelayMs, s.generatorLoopDelayMs);
  }
  return out;
}

export function sloHolds(s: SecondStats, slo: Slo): { latencyOk: boolean; errorsOk: boolean; pLatency: number; errorRate: number } {
  const pLatency = s.latency.count ? s.latency.percentile(slo.latencyPercentile) : 0;
  const errorRate = s.requests ? s.failed / s.requests : 0;
  return { latencyOk: pLatency <= slo.latencyMs, errorsOk: errorRate <= slo.errorRate, pLatency, errorRate };
}

/** Run a phase plan; `watch` sees every second and may stop the run early (returning a reason). */
export async function runPhase(
  env: PhaseEnv,
  plan: Plan,
  watch?: (s: SecondStats, all: SecondStats[]) => string | null,
): Promise<{ run: RunRecord; seconds: SecondStats[] }> {
  const seconds: SecondStats[] = [];
  let handle: RunHandle | null = null;
  let stopped = false;
  handle = startRun(plan, {
    ...(env.workers ? { workers: env.workers } : {}),
    stopGraceMs: 2000,
    onInterval: (p) => {
      const s = secondStatsOf(p);
      seconds.push(s);
      const reason = !stopped && watch ? watch(s, seconds) : null;
      if (reason) {
        stopped = true;
        handle!.stop(reason, 'completed');
      }
    },
  });
  env.current = handle;
  try {
    const run = await handle.result;
    return { run, seconds };
  } finally {
    env.current = null;
  }
}

/**
 * passed: SLO met; degraded: within 2× the latency limit and < 5 % errors; failed: worse. The latency
 * judged is http_req_latency (from the intended start, queueing included): the reason says so, since
 * the tables beside it quote the response time (http_req_duration), a lower figure under load.
 * `ofTotal`: the phase's whole request count when `s` covers only part of it (the judged seconds), so
 * the reason says "42 of the phase's 60 requests" instead of a count that disagrees with the tables.
 */
export function verdictOf(
  s: SecondStats,
  slo: Slo,
  ofTotal?: { requests: number; scope: string },
): { verdict: 'passed' | 'degraded' | 'failed'; reason: string } {
  const h = sloHolds(s, slo);
  const count =
    ofTotal && ofTotal.requests !== s.requests
      ? `${s.requests} of the phase's ${ofTotal.requests} requests (${ofTotal.scope})`
      : `${s.requests} requests`;
  const fig =
    `p${slo.latencyPercentile} ${h.pLatency.toFixed(1)} ms from the intended start (limit ${slo.latencyMs} ms), errors ` +
    `${percent(h.errorRate)} (limit ${percent(slo.errorRate)}), ${count}`;
  if (s.requests === 0) return { verdict: 'failed', reason: 'no request completed' };
  if (h.latencyOk && h.errorsOk) return { verdict: 'passed', reason: fig };
  if (h.pLatency <= 2 * slo.latencyMs && h.errorRate <= 0.05) return { verdict: 'degraded', reason: fig };
  return { verdict: 'failed', reason: fig };
}

/** VU pool for an arrival-rate phase: enough iterations in flight to hold the rate at 10 s latency, within fd limits. */
export function vuPool(env: PhaseEnv, reqRate: number): { preAllocatedVUs: number; maxVUs: number } {
  const rate = iterationRate(env, reqRate);
  const pre = Math.max(10, Math.ceil(rate / 10));
  return { preAllocatedVUs: Math.min(pre, 2000), maxVUs: Math.min(Math.max(pre, Math.ceil(rate * 10)), 5000) };
}
