// Executor registry: one line per executor. Adding an executor = one file + one line here.
import type { ExecutorName, Scenario } from '../../plan/types.ts';
import { constantArrivalRate } from './constant-arrival-rate.ts';
import { constantVus } from './constant-vus.ts';
import type { ExecutorRuntime } from './context.ts';
import { perVuIterations } from './per-vu-iterations.ts';
import { rampingArrivalRate } from './ramping-arrival-rate.ts';
import { rampingVus } from './ramping-vus.ts';
import { sharedIterations } from './shared-iterations.ts';

export const EXECUTORS: Record<ExecutorName, ExecutorRuntime<never>> = {
  'shared-iterations': sharedIterations,
  'per-vu-iterations': perVuIterations,
  'constant-vus': constantVus,
  'ramping-vus': rampingVus,
  'constant-arrival-rate': constantArrivalRate,
  'ramping-arrival-rate': rampingArrivalRate,
};

export function executorFor(s: Scenario): ExecutorRuntime<Scenario> {
  return EXECUTORS[s.executor] as ExecutorRuntime<Scenario>;
}
