// Shared by the agent tests: spawn a fixture target with the agent, drive HTTP at it, stop it.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import http from 'node:http';
import { fileURLToPath } from 'node:url';
import type { AgentCollector } from '../../../src/probes/node-agent/collector.ts';
import type { AgentSample } from '../../../src/record/agent-samples.ts';

export const FIXTURES = fileURLToPath(new URL('../../fixtures/agent/', import.meta.url));

export interface Target {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  exited: Promise<number | null>;
}

export function spawnTarget(command: string, args: string[], env: Record<string, string | undefined>): Target {
  const child = spawn(command, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout!.setEncoding('utf8').on('data', (c: string) => {
    out += c;
  });
  child.stderr!.setEncoding('utf8').on('data', (c: string) => {
    err += c;
  });
  const exited = once(child, 'exit').then(([code]) => code as number | null);
  return { child, stdout: () => out, stderr: () => err, exited };
}

/** Stops the spawned process and `alsoPids` (e.g. a server a shell forked, which SIGTERM to sh would orphan). */
export async function stopTarget(t: Target, alsoPids: number[] = []): Promise<void> {
  for (const pid of alsoPids) {
    try {
      process.kill(pid, 'SIGTERM');
    } catch {
      /* already gone */
    }
  }
  if (t.child.exitCode === null && t.child.signalCode === null) t.child.kill('SIGTERM');
  await t.exited;
}

const agent = new http.Agent({ keepAlive: true, maxSockets: 8 });

export function get(port: number, path: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', port, path, agent }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => {
        body += c;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.setTimeout(10_000, () => req.destroy(new Error(`GET ${path} timed out`)));
  });
}

/** `total` requests, at most `concurrency` at once. */
export async function drive(port: number, path: string, total: number, concurrency = 8): Promise<number[]> {
  const statuses: number[] = [];
  let next = 0;
  const worker = async () => {
    while (next < total) {
      next++;
      statuses.push((await get(port, path)).status);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, total) }, worker));
  return statuses;
}

/** Resolves with the next `n` samples that arrive (rejects after timeoutMs). */
export function nextSamples(c: AgentCollector, n: number, timeoutMs = 10_000): Promise<AgentSample[]> {
  return new Promise((resolve, reject) => {
    const got: AgentSample[] = [];
    const timer = setTimeout(() => {
      off();
      reject(new Error(`only ${got.length}/${n} samples within ${timeoutMs} ms`));
    }, timeoutMs);
    const off = c.onSample((s) => {
      got.push(s);
      if (got.length >= n) {
        clearTimeout(timer);
        off();
        resolve(got);
      }
    });
  });
}

export function sumIncoming(samples: AgentSample[], key: string): number {
  return samples.reduce((n, s) => n + (s.httpIn.byMethodStatus[key]?.count ?? 0), 0);
}
