// stress: a staircase of arrival rates until the SLO breaks, errors pass the limit, or throughput
// stops growing — the breaking point. One run (continuity: the service is never rested between
// steps), stopped early from the per-second watch as soon as a step fails.
import type { PhaseRecord, StressStep } from '../../record/assessment-record.ts';
import { iterationRate, mergeSeconds, phasePlan, runPhase, sloHolds, vuPool, type PhaseEnv, type SecondStats } from '../phase-runner.ts';
import { percent } from '../../analysis/format.ts';

/** Achieved below this share of offered = the service no longer keeps up (plateau). */
const PLATEAU_SHARE = 0.9;
/** Errors above this share stop the staircase whatever the SLO says (ASSESSMENT-RULES.md §2: > 5 % is P0). */
const ERROR_STOP = 0.05;
/** A step with at least this share of its seconds generator-limited measured the generator, not the target. */
const GENERATOR_LIMITED_SHARE = 0.5;
/**
 * ... provided the target's own service time stayed under this share of the objective: a target near
 * its limit (service time approaching the objective) is breaking, whatever else the host is doing.
 */
const SERVICE_HEADROOM = 0.5;

/**
 * The rates to try: multiples of the expected rate, or a ×1.5 ladder from 25 req/s. ×1.5 rather than
 * doubling: the capacity fit needs several steps below the break, and a 2× jump past it says little
 * about where between the two rates the service gave out.
 */
export function staircase(expectedRate: number | null, maxRate: number): number[] {
  const rates = expectedRate
    ? [0.25, 0.5, 1, 1.5, 2, 3, 4, 6, 8, 12, 16].map((k) => Math.max(1, Math.round(k * expectedRate)))
    : Array.from({ length: 20 }, (_, i) => Math.round(25 * 1.5 ** i));
  return [...new Set(rates.filter((r) => r <= maxRate))];
}

export function stepStats(rate: number, from: number, seconds: SecondStats[], env: PhaseEnv): StressStep {
  const s = mergeSeconds(seconds);
  const span = Math.max(1, seconds.length);
  const h = sloHolds(s, env.slo);
  const achieved = s.requests / span;
  const meanSeconds = s.latency.count ? s.latency.sum / s.latency.count / 1000 : 0;
  return {
    offeredRate: rate,
    achievedRate: achieved,
    p50Ms: s.latency.percentile(50),
    p95Ms: s.latency.percentile(95),
    p99Ms: s.latency.percentile(99),
    errorRate: h.errorRate,
    concurrency: achieved * meanSeconds,
    fromSecond: from,
    toSecond: from + seconds.length - 1,
    sloOk: h.latencyOk && h.errorsOk && s.dropped === 0,
    droppedIterations: s.dropped,
    generatorLimitedSeconds: s.generatorLimited,
    generatorBusySeconds: s.generatorBusy,
    generatorLoopDelayMs: s.generatorLoopDelayMs,
    serviceP95Ms: s.serviceTime.count ? s.serviceTime.percentile(95) : 0,
  };
}

/**
 * A failed step (plateau or latency) that the generator, not the target, failed: most of its seconds
 * were generator-limited, and the target's service time is explained by the generator: either the
 * generator was busy itself (its own CPU past the limit: working flat out, not starved), or service
 * time stayed within SERVICE_HEADROOM of the objective plus the generator's own event-loop delay (a
 * stalled generator reads responses late, which its service-time clock counts). A target that saturates
 * queues requests: its service time grows past both, and it breaks as before, even when it also
 * starves a co-located generator of CPU.
 */
export function generatorGaveOut(step: StressStep, seconds: number, env: PhaseEnv): boolean {
  const half = GENERATOR_LIMITED_SHARE * seconds;
  if ((step.generatorLimitedSeconds ?? 0) < half || step.errorRate > env.slo.errorRate) return false;
  const explained = SERVICE_HEADROOM * env.slo.latencyMs + (step.generatorLoopDelayMs ?? 0);
  return (step.generatorBusySeconds ?? 0) >= half || (step.serviceP95Ms ?? Infinity) <= explained;
}

/** The stress staircase's top without --max-rate (req/s). */
export const DEFAULT_MAX_RATE = 20_000;

export async function stressPhase(env: PhaseEnv, expectedRate: number | null, maxRate = DEFAULT_MAX_RATE): Promise<PhaseRecord> {
  const { stepSeconds: STEP_SECONDS, settleSeconds: SETTLE_SECONDS } = env.timing;
  const rates = staircase(expectedRate, maxRate);
  const stages = rates.flatMap((r) => {
    const it = iterationRate(env, r);
    return [
      { durationMs: 0, target: it },
      { durationMs: STEP_SECONDS * 1000, target: it },
    ];
  });
  const top = rates[rates.length - 1]!;
  const plan = phasePlan(env, 'stress', {
    executor: 'ramping-arrival-rate',
    startRate: iterationRate(env, rates[0]!),
    timeUnitMs: 1000,
    stages,
    gracefulStopMs: 2000,
    ...vuPool(env, top),
  });
  // A saturated service must not hold VUs for the default 60 s: time out at 10 × the SLO (≥ 5 s).
  plan.http = { ...plan.http, timeoutMs: Math.max(5000, 10 * env.slo.latencyMs) };

  const steps: StressStep[] = [];
  let stopReason: NonNullable<PhaseRecord['stress']>['stopReason'] = 'max_rate';
  /** The first step that failed any criterion (SLO, errors, plateau): the breaking point. */
  let breaking: StressStep | null = null;
  /** The first step at which the generator gave out (then nothing broke: the capacity is a lower bound). */
  let generatorLimit: StressStep | null = null;
  const judge = (all: SecondStats[]): string | null => {
    const i = steps.length;
    const end = (i + 1) * STEP_SECONDS - 1;
    if (all.length - 1 < end) return null;
    const rate = rates[i]!;
    const step = stepStats(rate, i * STEP_SECONDS + SETTLE_SECONDS, all.slice(i * STEP_SECONDS + SETTLE_SECONDS, end + 1), env);
    steps.push(step);
    const reason =
      step.errorRate > ERROR_STOP ? 'errors' : step.achievedRate < PLATEAU_SHARE * rate ? 'plateau' : !step.sloOk ? 'slo_breached' : null;
    if (reason !== null && reason !== 'errors' && generatorGaveOut(step, STEP_SECONDS - SETTLE_SECONDS, env)) {
      // The step failed because the generator could not keep the schedule, not because the target
      // did: no phase may ask for more, or it would measure speedguard.
      env.log(
        `  stress ${rate} req/s → ${step.achievedRate.toFixed(0)} req/s, service p95 ${(step.serviceP95Ms ?? 0).toFixed(1)} ms: the ` +
          `load generator reached its limit on this host`,
      );
      generatorLimit = step;
      stopReason = 'generator_limit';
      return `stress: the load generator reached its limit at ${rate} req/s`;
    }
    env.log(
      `  stress ${rate} req/s → ${step.achievedRate.toFixed(0)} req/s, p95 ${step.p95Ms.toFixed(1)} ms, errors ` +
        `${percent(step.errorRate)}${reason ? `  ✗ ${reason.replace('_', ' ')}` : ''}`,
    );
    if (!reason) return null;
    breaking = step;
    stopReason = reason;
    return `stress: ${reason} at ${rate} req/s`;
  };
  const { run } = await runPhase(env, plan, (_s, all) => judge(all));
  if (env.interrupted || run.status === 'interrupted') stopReason = 'interrupted';
  const broke = breaking as StressStep | null;
  const limit = generatorLimit as StressStep | null;
  const held = steps.filter((s) => s !== broke && s !== limit && s.sloOk);
  const maxSustainableRate = held.length ? Math.max(...held.map((s) => s.offeredRate)) : null;
  // What the generator drove on schedule: the last clean step, or what it managed in the first step when even that was too much.
  const generatorCeilingRps = limit ? (maxSustainableRate ?? Math.floor(limit.achievedRate)) : null;
  const verdict = !steps.length
    ? 'failed'
    : expectedRate === null || (maxSustainableRate ?? 0) >= expectedRate
      ? 'passed'
      : (maxSustainableRate ?? 0) >= expectedRate * 0.5
        ? 'degraded'
        : 'failed';
  // The verdict judges the capacity, not whether the staircase broke (finding where it breaks is the
  // phase's job): the reason says so first, so "✓ passed" never stands beside a bare "broke at".
  const sustainable = maxSustainableRate ?? 0;
  const judged = !steps.length
    ? 'no stress step completed'
    : expectedRate === null
      ? `capacity measured: sustainable up to ${sustainable} req/s (no expected rate to judge it against)`
      : `sustainable up to ${sustainable} req/s ${sustainable >= expectedRate ? '≥' : '<'} the expected ${expectedRate} req/s`;
  const why = limit
    ? `${judged}; the load generator on this host reached its limit at ${limit.offeredRate} req/s (${limit.achievedRate.toFixed(0)} ` +
      `req/s sent) before the service broke, so its capacity is at least ${generatorCeilingRps} req/s`
    : broke
      ? `${judged}; breaking point ${broke.offeredRate} req/s (${stopReason.replace('_', ' ')}: ${broke.achievedRate.toFixed(0)} req/s ` +
        `achieved, p95 ${broke.p95Ms.toFixed(1)} ms, errors ${percent(broke.errorRate)})`
      : `${judged}; held every step up to ${rates[steps.length - 1] ?? 0} req/s`;
  return {
    name: 'stress',
    description: `staircase of arrival rates ${rates.slice(0, Math.max(1, steps.length)).join(' → ')} req/s, ${STEP_SECONDS} s per step`,
    offeredRate: steps.length ? steps[steps.length - 1]!.offeredRate : rates[0]!,
    run,
    verdict,
    verdictReason: why,
    stress: { steps, stopReason, breakingRate: broke?.offeredRate ?? null, maxSustainableRate, generatorCeilingRps },
  };
}
