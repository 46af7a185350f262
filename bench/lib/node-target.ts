// Starts a Node fixture server pinned to the target core; the fixture prints {"port":…} when ready.
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { NODE } from './tools.ts';

export interface NodeTarget {
  port: number;
  /** Wall-clock ms (Date.now()) at which the fixture started listening. */
  startedAtMs: number;
  pids(): number[];
  stop(): Promise<void>;
}

export async function startNodeTarget(script: string, args: string[], cpu: number, timeoutMs = 10_000): Promise<NodeTarget> {
  const child = spawn('taskset', ['-c', String(cpu), NODE, script, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const lines = createInterface({ input: child.stdout });
  const first = await new Promise<string>((resolve, reject) => {
    const t = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${script} printed no port within ${timeoutMs} ms`));
    }, timeoutMs);
    lines.once('line', (l) => {
      clearTimeout(t);
      resolve(l);
    });
    child.once('exit', (code) => {
      clearTimeout(t);
      reject(new Error(`${script} exited ${code} before listening`));
    });
  });
  const info = JSON.parse(first) as { port: number; startedAtMs: number };
  return {
    port: info.port,
    startedAtMs: info.startedAtMs,
    pids: () => (child.pid === undefined ? [] : [child.pid]),
    async stop() {
      child.kill('SIGTERM');
      const t = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(t);
    },
  };
}
