// constant-vus: a fixed number of VUs loop iterations for `duration`.
import type { ConstantVus } from '../../plan/types.ts';
import { runClosedLoop } from './closed-loop.ts';
import type { ScenarioContext } from './context.ts';
import { shareOf } from './stripe.ts';

export function constantVus(ctx: ScenarioContext<ConstantVus>): Promise<void> {
  const s = ctx.scenario;
  return runClosedLoop(ctx, shareOf(s.vus, ctx.stripe), () => true, ctx.startAt + s.durationMs, s.gracefulStopMs);
}
