// k6's setup() and teardown(data) for scripts: run once around the load, each in a thread of its own
// (lifecycle-worker.ts), as k6 runs them in a VU of their own. In the main thread a synchronous endless
// loop would keep every signal handler from running: Ctrl-C, SIGTERM and the time limits could never
// end the run (issue 11 §4). In a thread, a second Ctrl-C (abort) or the time limit terminates it.
// setup()'s return value is handed to every VU's default function (structured-cloned to workers).
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { ownModule } from '../own-files.ts';
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

/** A second Ctrl-C (or another abort) ended setup() or teardown() before it returned. */
export class LifecycleInterrupted extends Error {
  override name = 'LifecycleInterrupted';
}

export type LifecycleName = 'setup' | 'teardown';

/** Runs setup() or teardown() in this thread (the lifecycle worker's). */
export async function callLifecycle(plan: Plan, name: LifecycleName, arg: unknown): Promise<unknown> {
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

/** What the lifecycle worker answers: the (cloned) value, or the user's error as plain data. */
export type LifecycleReply =
  | { ok: true; value: unknown }
  | { ok: false; message: string; cause: { name: string; message: string; stack?: string | undefined } };

/** An Error again from its cloned fields, so the user's name, message and stack are shown as thrown. */
function rebuilt(cause: { name: string; message: string; stack?: string | undefined }): Error {
  const e = new Error(cause.message);
  e.name = cause.name;
  if (cause.stack !== undefined) e.stack = cause.stack;
  return e;
}

// After its answer a lifecycle thread normally exits by itself at once; one the script left busy (a
// timer, a socket) is terminated after this long, so console output it wrote first still arrives.
const EXIT_GRACE_MS = 1_000;
// The worker enforces setupTimeout itself for code that awaits; a synchronous loop cannot see its
// timer, so the main thread terminates the worker this long after the limit.
const TIMEOUT_BACKSTOP_MS = 1_000;

async function runInThread(plan: Plan, name: LifecycleName, arg: unknown, abort?: AbortSignal): Promise<unknown> {
  if (!plan.scriptPath) return undefined;
  installScriptHooks();
  // The main thread imported the script for its options already: this only reads its exports.
  const mod = (await import(pathToFileURL(plan.scriptPath).href)) as Record<string, unknown>;
  if (typeof mod[name] !== 'function') return undefined;
  const why = () => (abort?.reason instanceof Error ? abort.reason.message : String(abort?.reason ?? 'aborted'));
  if (abort?.aborted) throw new LifecycleInterrupted(`${why()} before ${name}()`);
  const worker = new Worker(ownModule('./lifecycle-worker.ts', import.meta.url), { workerData: { plan, name, arg } });
  const limitMs = name === 'setup' ? plan.lifecycleTimeouts?.setupMs : plan.lifecycleTimeouts?.teardownMs;
  return new Promise<unknown>((resolve, reject) => {
    let settled = false;
    const settle = (f: () => void, terminateNow: boolean) => {
      if (settled) return;
      settled = true;
      clearTimeout(backstop);
      abort?.removeEventListener('abort', onAbort);
      if (terminateNow) void worker.terminate();
      else setTimeout(() => void worker.terminate(), EXIT_GRACE_MS).unref();
      f();
    };
    const onAbort = () => settle(() => reject(new LifecycleInterrupted(`${why()} during ${name}()`)), true);
    abort?.addEventListener('abort', onAbort, { once: true });
    const backstop =
      limitMs === undefined
        ? undefined
        : setTimeout(() => {
            const option = name === 'setup' ? 'setupTimeout' : 'teardownTimeout';
            const message = `${name}() did not finish within ${limitMs / 1000}s (${option})`;
            settle(() => reject(new ScriptLifecycleError(message, name, new LifecycleTimeout(message))), true);
          }, limitMs + TIMEOUT_BACKSTOP_MS);
    worker.on('message', (m: LifecycleReply) =>
      settle(() => (m.ok ? resolve(m.value) : reject(new ScriptLifecycleError(m.message, name, rebuilt(m.cause)))), false),
    );
    // An exception the script's own callbacks threw outside the call (a timer) ends the thread: still the user's.
    worker.on('error', (e) => settle(() => reject(new ScriptLifecycleError(`${name}() threw: ${e.message}`, name, e)), true));
    worker.on('exit', (code) => settle(() => reject(new Error(`the ${name}() thread exited (code ${code}) before it answered`)), false));
  });
}

export const runSetup = (plan: Plan, abort?: AbortSignal) => runInThread(plan, 'setup', undefined, abort);
export const runTeardown = (plan: Plan, data: unknown, abort?: AbortSignal) => runInThread(plan, 'teardown', data, abort);
