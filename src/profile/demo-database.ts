// The demo shop's database as a process: examples/demo/start-database.ts in its own process group
// (a terminal's Ctrl-C reaches speedguard, which stops it in order), one JSON line with its URL on
// stdout, stopped by closing its stdin. The product starts the demo as processes and imports none
// of its code.
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { RuntimeFailure } from '../errors.ts';
import { ownModule } from '../own-files.ts';

const DATABASE = fileURLToPath(ownModule('../../examples/demo/start-database.ts', import.meta.url));

export interface DemoDatabase {
  url: string;
  port: number;
  dir: string;
  version: string;
  timings: { startMs: number; seedMs: number };
  stop(): Promise<void>;
}

/** Starts it and waits for its URL; stop() closes its stdin and waits for it to exit. */
export async function startDemoDatabase(): Promise<DemoDatabase> {
  const child = spawn(process.execPath, [DATABASE], { stdio: ['pipe', 'pipe', 'inherit'], detached: true });
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  const lines = createInterface({ input: child.stdout! });
  const first = await new Promise<string | null>((resolve) => {
    lines.once('line', resolve);
    child.once('exit', () => resolve(null));
  });
  lines.close();
  if (first === null) throw new RuntimeFailure('the demo database did not start (see the lines above)');
  const info = JSON.parse(first) as Omit<DemoDatabase, 'stop'>;
  return {
    ...info,
    stop: async () => {
      child.stdin!.end();
      await exited;
    },
  };
}
