// Entry point of a load worker thread: runs its WorkerEngine and relays messages.
import { parentPort, workerData } from 'node:worker_threads';
import { WorkerEngine, type WorkerInit, type WorkerMessage } from './worker-engine.ts';
import { onUnhandledRejection } from './script-errors.ts';

const init = workerData as WorkerInit;
// A promise a script forgot to await that rejects: counted as an iteration error, never a crash.
process.on('unhandledRejection', onUnhandledRejection);
const port = parentPort!;
const engine = new WorkerEngine(init, (m: WorkerMessage) => port.postMessage(m));
let start!: (at: number) => void;
const started = new Promise<number>((r) => (start = r));
port.on('message', (m: { type: 'stop' | 'abort' } | { type: 'start'; startAtEpochMs: number }) => {
  if (m.type === 'start') start(m.startAtEpochMs);
  else if (m.type === 'stop') engine.stop();
  else engine.abort();
});
try {
  // Loader hooks the script needs (k6 scripts: the k6 modules and the async transform) are per thread.
  for (const url of init.plan.preload ?? []) await import(url);
  await engine.prepare();
  await engine.run(await started);
} catch (e) {
  port.postMessage({ type: 'fatal', worker: init.stripe.index, message: (e as Error).message } satisfies WorkerMessage);
  port.postMessage({ type: 'done', worker: init.stripe.index, connectionsOpened: 0, guardOverflow: [] } satisfies WorkerMessage);
}
port.close();
