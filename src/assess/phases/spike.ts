// spike: the expected load, a sudden jump to N× for a few seconds, and back — how the service
// tolerates a burst (errors, latency during it).
import type { PhaseRecord } from '../../record/assessment-record.ts';
import { selectMetric } from '../../record/select.ts';
import { iterationRate, mergeSeconds, phasePlan, runPhase, verdictOf, vuPool, type PhaseEnv } from '../phase-runner.ts';

export async function spikePhase(env: PhaseEnv, baseRate: number, spikeRate: number): Promise<PhaseRecord> {
  const { beforeSeconds: b, spikeSeconds: k, afterSeconds: a } = env.timing.spike;
  const base = iterationRate(env, baseRate);
  const peak = iterationRate(env, spikeRate);
  const stages = [
    { durationMs: 0, target: base },
    { durationMs: b * 1000, target: base },
    { durationMs: 0, target: peak },
    { durationMs: k * 1000, target: peak },
    { durationMs: 0, target: base },
    { durationMs: a * 1000, target: base },
  ];
  const plan = phasePlan(env, 'spike', {
    executor: 'ramping-arrival-rate',
    startRate: base,
    timeUnitMs: 1000,
    stages,
    ...vuPool(env, spikeRate),
  });
  plan.http = { ...plan.http, timeoutMs: Math.max(5000, 10 * env.slo.latencyMs) };
  const { run, seconds } = await runPhase(env, plan);
  const during = mergeSeconds(seconds.slice(b, b + k));
  const v = verdictOf(during, env.slo, { requests: selectMetric(run, 'http_reqs')?.sum ?? 0, scope: `during the ${k} s spike` });
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
