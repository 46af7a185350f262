// spike: the expected load, a sudden jump to N× for a few seconds, and back — how the service
// tolerates a burst (errors, latency during it).
import type { PhaseRecord } from '../../record/assessment-record.ts';
import { selectMetric } from '../../record/select.ts';
import { mergeSeconds, runPhase, steppedRatePlan, verdictOf, type PhaseEnv } from '../phase-runner.ts';

export async function spikePhase(env: PhaseEnv, baseRate: number, spikeRate: number): Promise<PhaseRecord> {
  const { beforeSeconds: b, spikeSeconds: k, afterSeconds: a } = env.timing.spike;
  const plan = steppedRatePlan(env, 'spike', [
    { reqRate: baseRate, seconds: b },
    { reqRate: spikeRate, seconds: k },
    { reqRate: baseRate, seconds: a },
  ]);
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
