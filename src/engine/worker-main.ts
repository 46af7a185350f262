// Entry point of a load worker thread: runs its WorkerEngine and relays messages.
import { parentPort, workerData } from 'node:worker_threads';
import { WorkerEngine, type WorkerInit, type WorkerMessage } from './worker-engine.ts';

const init = workerData as WorkerInit;
const port = parentPort!;
const engine = new WorkerEngine(init, (m: WorkerMessage) => port.postMessage(m));
port.on('message', (m: { type: 'stop' | 'abort' }) => {
  if (m.type === 'stop') engine.stop();
  else engine.abort();
});
try {
  await engine.run();
} catch (e) {
  port.postMessage({ type: 'fatal', worker: init.stripe.index, message: (e as Error).message } satisfies WorkerMessage);
  port.postMessage({ type: 'done', worker: init.stripe.index, connectionsOpened: 0, guardOverflow: [] } satisfies WorkerMessage);
}
port.close();
