// constant-arrival-rate: `rate` iterations per `timeUnit` for `duration`, open model.
import type { ConstantArrivalRate } from '../../plan/types.ts';
import { createArrivalSchedule } from './arrival-schedule.ts';
import { runArrivalRate } from './arrival-rate-loop.ts';
import type { ScenarioContext } from './context.ts';

export function constantArrivalRate(ctx: ScenarioContext<ConstantArrivalRate>): Promise<void> {
  return runArrivalRate(ctx, createArrivalSchedule(ctx.scenario, ctx.stripe), ctx.scenario.durationMs);
}
