// stress: a staircase of arrival rates until the SLO breaks, errors pass the limit, or throughput
// stops growing — the breaking point. One run (continuity: the service is never rested between
// steps), stopped early from the per-second watch as soon as a step fails.
import type { PhaseRecord, StressStep } from '../../record/assessment-record.ts';
import { iterationRate, mergeSeconds, phasePlan, runPhase, sloHolds, vuPool, type PhaseEnv, type SecondStats } from '../phase-runner.ts';

/** Achieved below this share of offered = the service no longer keeps up (plateau). */
const PLATEAU_SHARE = 0.9;
/** Errors above this share stop the staircase whatever the SLO says (ASSESSMENT-RULES.md §2: > 5 % is P0). */
const ERROR_STOP = 0.05;

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
  };
}

export async function stressPhase(env: PhaseEnv, expectedRate: number | null, maxRate = 20_000): Promise<PhaseRecord> {
  const { stepSeconds: STEP_SECONDS, settleSeconds: SETTLE_SECONDS } = env.timing;
  const rates = staircase(expectedRate, maxRate);
  const stages = rates.flatMap((r) => {
    const it = iterationRate(env, r);
    return [{ durationMs: 0, target: it }, { durationMs: STEP_SECONDS * 1000, target: it }];
  });
  const top = rates[rates.length - 1]!;
  const plan = phasePlan(env, 'stress', {
    executor: 'ramping-arrival-rate', startRate: iterationRate(env, rates[0]!), timeUnitMs: 1000, stages, gracefulStopMs: 2000, ...vuPool(env, top),
  });
  // A saturated service must not hold VUs for the default 60 s: time out at 10 × the SLO (≥ 5 s).
  plan.http = { ...plan.http, timeoutMs: Math.max(5000, 10 * env.slo.latencyMs) };

  const steps: StressStep[] = [];
  let stopReason: NonNullable<PhaseRecord['stress']>['stopReason'] = 'max_rate';
  /** The first step that failed any criterion (SLO, errors, plateau): the breaking point. */
  let breaking: StressStep | null = null;
  const judge = (all: SecondStats[]): string | null => {
    const i = steps.length;
    const end = (i + 1) * STEP_SECONDS - 1;
    if (all.length - 1 < end) return null;
    const rate = rates[i]!;
    const step = stepStats(rate, i * STEP_SECONDS + SETTLE_SECONDS, all.slice(i * STEP_SECONDS + SETTLE_SECONDS, end + 1), env);
    steps.push(step);
    const reason = step.errorRate > ERROR_STOP ? 'errors' : step.achievedRate < PLATEAU_SHARE * rate ? 'plateau' : !step.sloOk ? 'slo_breached' : null;
    env.log(`  stress ${rate} req/s → ${step.achievedRate.toFixed(0)} req/s, p95 ${step.p95Ms.toFixed(1)} ms, errors ${(step.errorRate * 100).toFixed(2)} %${reason ? `  ✗ ${reason.replace('_', ' ')}` : ''}`);
    if (!reason) return null;
    breaking = step;
    stopReason = reason;
    return `stress: ${reason} at ${rate} req/s`;
  };
  const { run } = await runPhase(env, plan, (_s, all) => judge(all));
  if (env.interrupted || run.status === 'interrupted') stopReason = 'interrupted';
  const broke = breaking as StressStep | null;
  const held = steps.filter((s) => s !== broke && s.sloOk);
  const maxSustainableRate = held.length ? Math.max(...held.map((s) => s.offeredRate)) : null;
  const verdict = !steps.length ? 'failed' : expectedRate === null || (maxSustainableRate ?? 0) >= expectedRate ? 'passed' : (maxSustainableRate ?? 0) >= expectedRate * 0.5 ? 'degraded' : 'failed';
  // The verdict judges the capacity, not whether the staircase broke (finding where it breaks is the
  // phase's job): the reason says so first, so "✓ passed" never stands beside a bare "broke at".
  const sustainable = maxSustainableRate ?? 0;
  const judged = !steps.length
    ? 'no stress step completed'
    : expectedRate === null
      ? `capacity measured: sustainable up to ${sustainable} req/s (no expected rate to judge it against)`
      : `sustainable up to ${sustainable} req/s ${sustainable >= expectedRate ? '≥' : '<'} the expected ${expectedRate} req/s`;
  const why = broke
    ? `${judged}; breaking point ${broke.offeredRate} req/s (${stopReason.replace('_', ' ')}: ${broke.achievedRate.toFixed(0)} req/s achieved, p95 ${broke.p95Ms.toFixed(1)} ms, errors ${(broke.errorRate * 100).toFixed(2)} %)`
    : `${judged}; held every step up to ${rates[steps.length - 1] ?? 0} req/s`;
  return {
    name: 'stress',
    description: `staircase of arrival rates ${rates.slice(0, Math.max(1, steps.length)).join(' → ')} req/s, ${STEP_SECONDS} s per step`,
    offeredRate: steps.length ? steps[steps.length - 1]!.offeredRate : rates[0]!,
    run,
    verdict,
    verdictReason: why,
    stress: { steps, stopReason, breakingRate: broke?.offeredRate ?? null, maxSustainableRate },
  };
}
