// ramping-arrival-rate: the arrival rate moves linearly through `stages`, open model.
import type { RampingArrivalRate } from '../../plan/types.ts';
import { createArrivalSchedule } from './arrival-schedule.ts';
import { runArrivalRate } from './arrival-rate-loop.ts';
import type { ScenarioContext } from './context.ts';

export function rampingArrivalRate(ctx: ScenarioContext<RampingArrivalRate>): Promise<void> {
  const total = ctx.scenario.stages.reduce((t, st) => t + st.durationMs, 0);
  return runArrivalRate(ctx, createArrivalSchedule(ctx.scenario, ctx.stripe), total);
}
