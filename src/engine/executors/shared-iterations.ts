// shared-iterations: `vus` VUs share a pool of `iterations`, within `maxDuration`.
import type { SharedIterations } from '../../plan/types.ts';
import { runClosedLoop } from './closed-loop.ts';
import type { ScenarioContext } from './context.ts';
import { shareOf } from './stripe.ts';

export function sharedIterations(ctx: ScenarioContext<SharedIterations>): Promise<void> {
  const s = ctx.scenario;
  let left = shareOf(s.iterations, ctx.stripe);
  const vus = Math.min(shareOf(s.vus, ctx.stripe), left);
  return runClosedLoop(ctx, vus, () => left-- > 0, ctx.startAt + s.maxDurationMs, s.gracefulStopMs);
}
