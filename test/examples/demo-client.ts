// Test helpers for the demo service: start it as a child process (as `speedguard demo` does, with
// DATABASE_URL; or without, when it starts its own PostgreSQL), a small keep-alive HTTP client that
// times each request, and what is left of a demo's processes after it stopped.
import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { fileURLToPath } from 'node:url';

export const SERVER = fileURLToPath(new URL('../../examples/demo/server.ts', import.meta.url));

export interface DemoProcess {
  child: ChildProcess;
  port: number;
  url: string;
  startupMs: number;
  stdout(): string;
  stderr(): string;
  /** SIGTERM, then the exit code (SIGKILL after timeoutMs, and an error). */
  stop(timeoutMs?: number): Promise<number | null>;
}

/** Starts the demo server: on `databaseUrl` (as `speedguard demo` runs it), else on its own private PostgreSQL. */
export async function startDemo(o: { databaseUrl?: string; timeoutMs?: number } = {}): Promise<DemoProcess> {
  const timeoutMs = o.timeoutMs ?? (o.databaseUrl ? 10_000 : 30_000);
  const t0 = performance.now();
  const env = { ...process.env };
  if (o.databaseUrl) env.DATABASE_URL = o.databaseUrl;
  else delete env.DATABASE_URL;
  const child = spawn(process.execPath, [SERVER, '--port', '0'], { stdio: ['ignore', 'pipe', 'pipe'], env });
  let out = '';
  let err = '';
  child.stderr!.on('data', (d: Buffer) => (err += d));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`demo server did not print "listening" within ${timeoutMs} ms; stderr: ${err}`));
    }, timeoutMs);
    child.stdout!.on('data', (d: Buffer) => {
      out += d;
      const m = /^listening (\d+)\n/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(Number(m[1]));
      }
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`demo server exited early (code ${code}); stderr: ${err}`));
    });
  });
  const startupMs = performance.now() - t0;
  return {
    child,
    port,
    url: `http://127.0.0.1:${port}`,
    startupMs,
    stdout: () => out,
    stderr: () => err,
    async stop(stopTimeoutMs = 5_000) {
      if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
      child.kill('SIGTERM');
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => {
          child.kill('SIGKILL');
          reject(new Error(`demo server did not exit within ${stopTimeoutMs} ms of SIGTERM`));
        }, stopTimeoutMs);
      });
      try {
        return await Promise.race([exited, timeout]);
      } finally {
        clearTimeout(timer);
      }
    },
  };
}

export interface Timed {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  /** The body as received (possibly compressed). */
  body: Buffer;
  ms: number;
}

export class DemoClient {
  readonly #base: string;
  readonly #agent = new Agent({ keepAlive: true, maxSockets: 64 });

  constructor(base: string) {
    this.#base = base;
  }

  get(path: string, headers: Record<string, string> = {}, timeoutMs = 10_000): Promise<Timed> {
    return new Promise((resolve, reject) => {
      const t0 = performance.now();
      const req = request(`${this.#base}${path}`, { agent: this.#agent, headers, timeout: timeoutMs }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks), ms: performance.now() - t0 }),
        );
        res.on('error', reject);
      });
      req.on('timeout', () => req.destroy(new Error(`GET ${path} timed out after ${timeoutMs} ms`)));
      req.on('error', reject);
      req.end();
    });
  }

  async json<T = any>(path: string): Promise<T> {
    const r = await this.get(path);
    if (r.status !== 200) throw new Error(`GET ${path} → ${r.status}: ${r.body.toString()}`);
    return JSON.parse(r.body.toString()) as T;
  }

  /** n requests at once; their latencies (ms), each checked for status 200. */
  async concurrent(path: string, n: number): Promise<number[]> {
    const results = await Promise.all(Array.from({ length: n }, () => this.get(path)));
    for (const r of results) if (r.status !== 200) throw new Error(`GET ${path} → ${r.status}`);
    return results.map((r) => r.ms);
  }

  /** n requests one after another; their latencies (ms). */
  async sequential(path: string, n: number): Promise<number[]> {
    const out: number[] = [];
    for (let i = 0; i < n; i++) {
      const r = await this.get(path);
      if (r.status !== 200) throw new Error(`GET ${path} → ${r.status}`);
      out.push(r.ms);
    }
    return out;
  }

  close(): void {
    this.#agent.destroy();
  }
}

export const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;

/** Running (a zombie — exited, not yet reaped by whoever inherited it — counts as gone). */
export const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    return readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.[0] !== 'Z';
  } catch {
    return true; // no /proc (not Linux): kill(0) succeeded
  }
};

/** Polls (bounded: ≤ timeoutMs) until the process is gone — another process's exit is no event of ours. */
export async function gone(pid: number, timeoutMs = 3_000): Promise<boolean> {
  const until = performance.now() + timeoutMs;
  while (performance.now() < until) {
    if (!alive(pid)) return true;
    await new Promise((r) => setTimeout(r, 20));
  }
  return !alive(pid);
}

/**
 * Live processes of a PostgreSQL cluster (Linux /proc): those whose command line names `dir` (the
 * postmaster: `postgres -D <dir>/data`) and their children (the backends, whose command lines are
 * rewritten to "postgres: …"). Empty = nothing of that cluster is left.
 */
export function clusterProcesses(dir: string): number[] {
  const byParent = new Map<number, number[]>();
  const named: number[] = [];
  for (const entry of readdirSync('/proc')) {
    const pid = Number(entry);
    if (!Number.isSafeInteger(pid)) continue;
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
      if (stat[0] === 'Z') continue;
      const ppid = Number(stat[1]);
      byParent.set(ppid, [...(byParent.get(ppid) ?? []), pid]);
      if (readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(dir)) named.push(pid);
    } catch {
      // Exited while we looked.
    }
  }
  return [...named, ...named.flatMap((pid) => byParent.get(pid) ?? [])];
}

/** Polls (bounded) until no process of the cluster in `dir` is left; those still there. */
export async function clusterGone(dir: string, timeoutMs = 15_000): Promise<number[]> {
  const until = performance.now() + timeoutMs;
  let left = clusterProcesses(dir);
  while (left.length > 0 && performance.now() < until) {
    await new Promise((r) => setTimeout(r, 50));
    left = clusterProcesses(dir);
  }
  return left;
}
