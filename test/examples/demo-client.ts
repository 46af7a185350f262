// Test helpers for the demo service: start it as a child process (as `speedguard demo` does), and a
// small keep-alive HTTP client that times each request.
import { spawn, type ChildProcess } from 'node:child_process';
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

export async function startDemo(timeoutMs = 10_000): Promise<DemoProcess> {
  const t0 = performance.now();
  const child = spawn(process.execPath, [SERVER, '--port', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
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
    child, port, url: `http://127.0.0.1:${port}`, startupMs,
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
        res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks), ms: performance.now() - t0 }));
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
