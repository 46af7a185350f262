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

/** setup() or teardown() ran past its time limit (k6's setupTimeout / teardownTimeout). The name is
 *  what the record keeps (scriptErrors[].name), so a reader tells a timeout from a throw. */
export const LIFECYCLE_TIMEOUT = 'LifecycleTimeout';

class LifecycleTimeout extends Error {
  override name = LIFECYCLE_TIMEOUT;
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
  const limitMs = name === 'setup' ? plan.lifecycleTimeouts?.setupMs : plan.lifecycleTimeouts?.teardownMs;
  let timer: NodeJS.Timeout | undefined;
  try {
    const call = iterationStore.run(ctx, async () => (fn as (d: unknown) => unknown)(arg));
    // Past the limit the call is abandoned: its sleeps end and its requests are cut (vu.interrupt),
    // so it cannot keep the process alive. A synchronous endless loop cannot be stopped this way.
    const out = await (limitMs === undefined
      ? call
      : Promise.race([
          call,
          new Promise<never>((_, reject) => {
            timer = setTimeout(() => {
              vu.interrupt();
              const option = name === 'setup' ? 'setupTimeout' : 'teardownTimeout';
              reject(new LifecycleTimeout(`${name}() did not finish within ${limitMs / 1000}s (${option})`));
            }, limitMs);
          }),
        ]));
    // Structured clone now, so a non-cloneable return fails here with a clear message.
    return out === undefined ? undefined : structuredClone(out);
  } catch (e) {
    // The user's error: the caller shows its message and stack (cause), it is no internal error.
    const what = e instanceof LifecycleTimeout ? e.message : `${name}() threw: ${e instanceof Error ? e.message : String(e)}`;
    throw new ScriptLifecycleError(what, name, e);
  } finally {
    clearTimeout(timer);
    vu.client.close();
  }
}

export const runSetup = (plan: Plan) => callLifecycle(plan, 'setup', undefined);
export const runTeardown = (plan: Plan, data: unknown) => callLifecycle(plan, 'teardown', data);
