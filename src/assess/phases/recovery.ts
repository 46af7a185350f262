// recovery: overload the service past its breaking point, drop to the expected load, and measure
// how long until latency is back to normal (ASSESSMENT-RULES.md §6: pass when < 5 min).
import type { PhaseRecord } from '../../record/assessment-record.ts';
import { runPhase, steppedRatePlan, type PhaseEnv } from '../phase-runner.ts';

/**
 * Back to normal = the per-second p95 is within max(1.5 × baseline p95, baseline p95 + 10 ms, and
 * never above the SLO) for `stableSeconds` in a row: a single quiet second is not a recovery.
 */
export function recoveryLimit(baselineP95Ms: number, sloMs: number): number {
  return Math.min(sloMs, Math.max(1.5 * baselineP95Ms, baselineP95Ms + 10));
}

export async function recoveryPhase(env: PhaseEnv, baseRate: number, overloadRate: number, baselineP95Ms: number): Promise<PhaseRecord> {
  const { overloadSeconds: o, afterSeconds: a, stableSeconds } = env.timing.recovery;
  const plan = steppedRatePlan(env, 'recovery', [
    { reqRate: overloadRate, seconds: o },
    { reqRate: baseRate, seconds: a },
  ]);
  const limitMs = recoveryLimit(baselineP95Ms, env.slo.latencyMs);
  let recoveredAt: number | null = null;
  let streak = 0;
  const { run } = await runPhase(env, plan, (s) => {
    if (s.index < o || recoveredAt !== null) return null;
    const ok = s.requests > 0 && s.failed === 0 && s.latency.percentile(95) <= limitMs;
    streak = ok ? streak + 1 : 0;
    if (streak >= stableSeconds) {
      recoveredAt = s.index - stableSeconds + 1;
      // Recovered and stable: no need to hold the load longer.
      return 'recovered';
    }
    return null;
  });
  const after = recoveredAt === null ? null : recoveredAt - o;
  // ASSESSMENT-RULES.md §6 passes a recovery under 5 minutes; this phase watches for `afterSeconds` only, so not
  // recovering within it is "degraded" (unknown beyond), not "failed".
  const verdict = after === null ? 'degraded' : 'passed';
  return {
    name: 'recovery',
    description:
      `${overloadRate} req/s (overload) for ${o} s, then ${baseRate} req/s until p95 ≤ ${limitMs.toFixed(1)} ms for ` +
      `${stableSeconds} s`,
    offeredRate: overloadRate,
    run,
    verdict,
    verdictReason:
      after === null
        ? `latency was not back within ${limitMs.toFixed(1)} ms in ${a} s after the overload`
        : `back to normal ${after} s after the overload ended`,
    recovery: { fromSecond: o, limitMs, baselineP95Ms, recoveredAfterSeconds: after },
  };
}
