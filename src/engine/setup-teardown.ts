// k6's setup() and teardown(data) for scripts: run once, in the main thread, around the load.
// setup()'s return value is handed to every VU's default function (structured-cloned to workers).
import { pathToFileURL } from 'node:url';
import type { Plan } from '../plan/types.ts';
import { MetricRegistry } from '../metrics/registry.ts';
import { CardinalityGuard } from '../metrics/tags.ts';
import { iterationStore, type IterationContext } from './script/context.ts';
import { clientOptionsFor, createHttpClient } from './http/client.ts';
import { VirtualUser } from './vu.ts';
import { performance } from 'node:perf_hooks';
import { installScriptHooks } from './script-loader/hooks.ts';

export class ScriptLifecycleError extends Error {
  override name = 'ScriptLifecycleError';
  readonly phase: 'setup' | 'teardown';
  constructor(message: string, phase: 'setup' | 'teardown', cause: unknown) {
    super(message, { cause });
    this.phase = phase;
  }
}

async function callLifecycle(plan: Plan, name: 'setup' | 'teardown', arg: unknown): Promise<unknown> {
  if (!plan.scriptPath) return undefined;
  installScriptHooks();
  const mod = (await import(pathToFileURL(plan.scriptPath).href)) as Record<string, unknown>;
  const fn = mod[name];
  if (typeof fn !== 'function') return undefined;
  // Setup and teardown requests are not part of the measured load: they go to a throwaway registry.
  const vu = new VirtualUser(0, () => createHttpClient({ ...clientOptionsFor(plan.http), keepAlive: true, pipelining: 1 }));
  const ctx: IterationContext = {
    vu,
    group: '::' + name,
    intendedStart: null,
    iteration: 0,
    scenario: {
      scenarioName: name,
      registry: new MetricRegistry(),
      baseTags: { scenario: name },
      http: { ...plan.http, discardResponseBodies: false },
      guard: new CardinalityGuard(),
      env: plan.env,
      now: () => performance.now(),
      recorders: new Map(),
    },
  };
  try {
    const out = await iterationStore.run(ctx, () => (fn as (d: unknown) => unknown)(arg));
    // Structured clone now, so a non-cloneable return fails here with a clear message.
    return out === undefined ? undefined : structuredClone(out);
  } catch (e) {
    // The user's error: the caller shows its message and stack (cause), it is no internal error.
    throw new ScriptLifecycleError(`${name}() threw: ${e instanceof Error ? e.message : String(e)}`, name, e);
  } finally {
    vu.client.close();
  }
}

export const runSetup = (plan: Plan) => callLifecycle(plan, 'setup', undefined);
export const runTeardown = (plan: Plan, data: unknown) => callLifecycle(plan, 'teardown', data);
