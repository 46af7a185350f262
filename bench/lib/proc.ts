// Runs one benchmark process pinned to a core, bounded in time, with its peak RSS.
// Every command goes through `bash -c` so that `ulimit -n` can be raised for that process only,
// then `taskset` pins it and `/usr/bin/time -v` reports its peak RSS (ru_maxrss of the process tree).
import { spawn } from 'node:child_process';

export interface PinnedRun {
  code: number | null;
  stdout: string;
  stderr: string;
  /** Peak resident set size in bytes as /usr/bin/time -v reports it; undefined if not measured. */
  maxRssBytes?: number;
  /** What /usr/bin/time -v printed (kept apart from the tool's own stderr). */
  timeReport: string;
  wallMs: number;
  timedOut: boolean;
}

export interface PinnedRunOptions {
  /** Core for `taskset -c`. */
  cpu: number;
  /** Hard bound: SIGTERM at this point, SIGKILL 5 s later. */
  timeoutMs: number;
  /** Raise the soft open-files limit to the hard limit first (needed for thousands of sockets). */
  raiseNofile?: boolean;
  measureRss?: boolean;
  cwd?: string;
}

const RSS_LINE = /Maximum resident set size \(kbytes\):\s*(\d+)/;

export function runPinned(argv: string[], opts: PinnedRunOptions): Promise<PinnedRun> {
  const prefix = opts.raiseNofile ? 'ulimit -n "$(ulimit -Hn)" && ' : '';
  const time = opts.measureRss ? '/usr/bin/time -v ' : '';
  const script = `${prefix}exec taskset -c ${opts.cpu} ${time}"$@"`;
  const started = performance.now();
  return new Promise((resolve, reject) => {
    // detached: its own process group, so a timeout can end the whole tree by group id.
    const child = spawn('bash', ['-c', script, 'bench', ...argv], { cwd: opts.cwd, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      stdout += d;
    });
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      stderr += d;
    });
    let timedOut = false;
    let killer: NodeJS.Timeout | undefined;
    const timer = setTimeout(() => {
      timedOut = true;
      signalGroup(child.pid, 'SIGTERM');
      killer = setTimeout(() => signalGroup(child.pid, 'SIGKILL'), 5000);
    }, opts.timeoutMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      if (killer) clearTimeout(killer);
      const cut = opts.measureRss ? stderr.lastIndexOf('\tCommand being timed:') : -1;
      const timeReport = cut >= 0 ? stderr.slice(cut) : '';
      const m = RSS_LINE.exec(timeReport);
      resolve({
        code,
        stdout,
        stderr: cut >= 0 ? stderr.slice(0, cut) : stderr,
        timeReport,
        maxRssBytes: m ? Number(m[1]) * 1024 : undefined,
        wallMs: performance.now() - started,
        timedOut,
      });
    });
  });
}

function signalGroup(pid: number | undefined, sig: NodeJS.Signals): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, sig);
  } catch {
    /* already gone */
  }
}

/** Runs a short shell command and returns its stdout (for `command -v`, `nproc`, …). */
export function sh(script: string, timeoutMs = 600_000): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('bash', ['-c', script], { stdio: ['ignore', 'pipe', 'inherit'], timeout: timeoutMs });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      out += d;
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, out }));
  });
}
