// The per-iteration context that script functions (http.get, check, group, sleep …) find through
// AsyncLocalStorage, so scripts can import them at module level as in k6.
import { AsyncLocalStorage } from 'node:async_hooks';
import type { MetricRegistry } from '../../metrics/registry.ts';
import type { CardinalityGuard, Tags } from '../../metrics/tags.ts';
import type { HttpSettings } from '../../plan/types.ts';
import type { ResponseRecorder } from '../response-metrics.ts';
import type { RequestPacer } from '../request-pacer.ts';
import type { VirtualUser } from '../vu.ts';

/** Shared by every iteration of one scenario in one worker. */
export interface ScriptScenarioEnv {
  scenarioName: string;
  registry: MetricRegistry;
  baseTags: Tags;
  http: HttpSettings;
  guard: CardinalityGuard;
  env: Record<string, string>;
  now(): number;
  /** Response recorders by "method name group tags" (see script/http.ts). */
  recorders: Map<string, ResponseRecorder>;
  /** The run's cap on requests per second (http.rps): every request waits for its slot. */
  pacer?: RequestPacer | undefined;
}

export interface IterationContext {
  vu: VirtualUser;
  scenario: ScriptScenarioEnv;
  /** "" at the root, "::name::sub" inside groups (k6's group tag). */
  group: string;
  /** The first request of an iteration is late by as much as the iteration was: measure from here. */
  intendedStart: number | null;
  iteration: number;
  /** Requests sent and not yet answered: above 0 when the iteration ends, one was not awaited. */
  pending?: number;
}

export const iterationStore = new AsyncLocalStorage<IterationContext>();

/** While a VU's own instance of the script module is evaluated (Plan.scriptPerVu): which VU. */
export const vuInitStore = new AsyncLocalStorage<{ vuId: number }>();

export function currentIteration(what: string): IterationContext {
  const ctx = iterationStore.getStore();
  if (!ctx) throw new Error(`${what} can only be called while a VU runs an iteration (inside the exported scenario function)`);
  return ctx;
}
