// baseline, sustained (soak) and peak: a constant arrival rate for a while, judged against the SLO.
import type { PhaseName } from '../../record/phase-name.ts';
import type { PhaseRecord } from '../../record/assessment-record.ts';
import type { Plan } from '../../plan/types.ts';
import { selectMetric } from '../../record/select.ts';
import { iterationRate, mergeSeconds, phasePlan, runPhase, verdictOf, vuPool, type PhaseEnv } from '../phase-runner.ts';

const WHAT: Record<string, string> = {
  baseline: 'the expected load, steady',
  sustained: 'the expected load held for long (soak)',
  peak: 'the expected peak, sustained',
  capacity: 'profiled at the highest rate the stress phase sustained, where the capacity is decided',
};

type SteadyName = Extract<PhaseName, 'baseline' | 'sustained' | 'peak' | 'capacity'>;

/** The phase's load: a constant arrival rate (req/s) for a while. The observer-effect reference runs it too, shorter. */
export function steadyPlan(env: PhaseEnv, name: SteadyName, rate: number, durationMs: number): Plan {
  return phasePlan(env, name, {
    executor: 'constant-arrival-rate',
    rate: iterationRate(env, rate),
    timeUnitMs: 1000,
    durationMs,
    ...vuPool(env, rate),
  });
}

export async function steadyPhase(env: PhaseEnv, name: SteadyName, rate: number, durationMs: number): Promise<PhaseRecord> {
  const { run, seconds } = await runPhase(env, steadyPlan(env, name, rate, durationMs));
  // The first second warms connections up; judge the rest (whole seconds: requests completing after
  // the last full second are in the phase's totals only).
  const judged = seconds.length > 2 ? seconds.slice(1) : seconds;
  const v = verdictOf(mergeSeconds(judged), env.slo, {
    requests: selectMetric(run, 'http_reqs')?.sum ?? 0,
    scope: `judged over seconds ${secondsRange(judged)}${judged.length < seconds.length ? '; the first warms connections up' : ''}`,
  });
  return {
    name,
    description: `${WHAT[name]}: ${rate} req/s for ${Math.round(durationMs / 1000)} s`,
    offeredRate: rate,
    run,
    verdict: v.verdict,
    verdictReason: v.reason,
  };
}

/** "2–20": the 1-based seconds a verdict judged, or "none". */
function secondsRange(judged: readonly { index: number }[]): string {
  return judged.length ? `${judged[0]!.index + 1}–${judged[judged.length - 1]!.index + 1}` : 'none';
}
