// spike: the expected load, a sudden jump to N× for a few seconds, and back — how the service
// tolerates a burst (errors, latency during it).
import type { PhaseRecord } from '../../record/assessment-record.ts';
import { mergeSeconds, phasePlan, runPhase, verdictOf, vuPool, type PhaseEnv } from '../phase-runner.ts';

export async function spikePhase(env: PhaseEnv, baseRate: number, spikeRate: number): Promise<PhaseRecord> {
  const { beforeSeconds: b, spikeSeconds: k, afterSeconds: a } = env.timing.spike;
  const stages = [
    { durationMs: 0, target: baseRate }, { durationMs: b * 1000, target: baseRate },
    { durationMs: 0, target: spikeRate }, { durationMs: k * 1000, target: spikeRate },
    { durationMs: 0, target: baseRate }, { durationMs: a * 1000, target: baseRate },
  ];
  const plan = phasePlan(env, 'spike', { executor: 'ramping-arrival-rate', startRate: baseRate, timeUnitMs: 1000, stages, ...vuPool(spikeRate) });
  plan.http = { ...plan.http, timeoutMs: Math.max(5000, 10 * env.slo.latencyMs) };
  const { run, seconds } = await runPhase(env, plan);
  const during = mergeSeconds(seconds.slice(b, b + k));
  const v = verdictOf(during, env.slo);
  return {
    name: 'spike',
    description: `${baseRate} req/s, a jump to ${spikeRate} req/s for ${k} s, back to ${baseRate} req/s`,
    offeredRate: spikeRate,
    run,
    verdict: v.verdict,
    verdictReason: `during the spike: ${v.reason}`,
    spike: { baseRate, spikeRate, spikeFromSecond: b, spikeToSecond: b + k - 1 },
  };
}
