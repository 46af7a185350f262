// per-vu-iterations: each of `vus` VUs runs exactly `iterations` iterations, within `maxDuration`.
import type { PerVuIterations } from '../../plan/types.ts';
import type { VirtualUser } from '../vu.ts';
import { runClosedLoop } from './closed-loop.ts';
import type { ScenarioContext } from './context.ts';
import { shareOf } from './stripe.ts';

export function perVuIterations(ctx: ScenarioContext<PerVuIterations>): Promise<void> {
  const s = ctx.scenario;
  const done = new Map<VirtualUser, number>();
  const next = (vu: VirtualUser) => {
    const n = done.get(vu) ?? 0;
    if (n >= s.iterations) return false;
    done.set(vu, n + 1);
    return true;
  };
  return runClosedLoop(ctx, shareOf(s.vus, ctx.stripe), next, ctx.startAt + s.maxDurationMs, s.gracefulStopMs);
}
