// Entry point of the thread setup() or teardown(data) runs in (setup-teardown.ts says why): runs the
// call and answers once, with the value or the user's error as plain data the main thread shows.
import { parentPort, workerData } from 'node:worker_threads';
import type { Plan } from '../plan/types.ts';
import { type LifecycleName, type LifecycleReply, ScriptLifecycleError, callLifecycle } from './setup-teardown.ts';
import { onUnhandledRejection } from './script-errors.ts';

const { plan, name, arg } = workerData as { plan: Plan; name: LifecycleName; arg: unknown };
const port = parentPort!;
// A promise setup() forgot to await that rejects is not a crash of the thread (as in the VUs' threads).
process.on('unhandledRejection', onUnhandledRejection);

function plain(e: unknown): { name: string; message: string; stack?: string | undefined } {
  return e instanceof Error ? { name: e.name, message: e.message, stack: e.stack } : { name: typeof e, message: String(e) };
}

let reply: LifecycleReply;
try {
  // Loader hooks the script needs (k6 scripts: the k6 modules and the async transform) are per thread.
  for (const url of plan.preload ?? []) await import(url);
  reply = { ok: true, value: await callLifecycle(plan, name, arg) };
} catch (e) {
  if (!(e instanceof ScriptLifecycleError)) throw e;
  reply = { ok: false, message: e.message, cause: plain(e.cause) };
}
port.postMessage(reply);
port.close();
