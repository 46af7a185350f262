// Linux `perf` on-CPU stacks of any process over the measured window (issue 12): `perf record -e
// cpu-clock -g -p PID` from the window's start to its end, then `perf script`. cpu-clock is a
// software event: it works in VMs without a PMU. Needs the perf binary (Debian: linux-perf) and
// the right to trace the process (root, CAP_PERFMON, or kernel.perf_event_paranoid ≤ 1 for
// another user's process); when it cannot run, the error says why and the /proc probes still run.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readlinkSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Samples per second: a prime, so the sampling does not beat in step with the target's own timers. */
export const PERF_FREQUENCY = 499;
/** Samples per second with DWARF unwinding (Python targets): each sample copies 8 KiB of stack. */
export const PERF_DWARF_FREQUENCY = 199;
/** A CPython interpreter (python3.12, python3, python). */
const PYTHON_EXE = /(^|\/)python[\d.]*$/;

export interface PerfRecording {
  /** perf record's own pid (its CPU is what sampling costs the machine); null when it did not start. */
  readonly pid: number | null;
  /** Stops perf and returns `perf script` of what it recorded, or the reason there is none. */
  stop(): Promise<{ script: string; exe: string | null } | { error: string }>;
}

function run(
  cmd: string,
  args: string[],
  timeoutMs: number,
): Promise<{ code: number | null; stdout: string; stderr: string; error?: string }> {
  return new Promise((resolve) => {
    let stdout = '';
    let stderr = '';
    let child: ChildProcess;
    try {
      child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    } catch (e) {
      resolve({ code: null, stdout, stderr, error: (e as Error).message });
      return;
    }
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.stdout!.setEncoding('utf8').on('data', (d: string) => {
      if (stdout.length < 256 * 1024 * 1024) stdout += d;
    });
    child.stderr!.setEncoding('utf8').on('data', (d: string) => {
      stderr += d;
    });
    child.on('error', (e) => {
      clearTimeout(timer);
      resolve({ code: null, stdout, stderr, error: e.message });
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

const firstLine = (s: string) =>
  s
    .split('\n')
    .map((l) => l.trim())
    .find((l) => l && !l.startsWith('[ perf record')) ?? '';

export function startPerfRecord(pid: number, o: { perfPath?: string } = {}): PerfRecording {
  const perf = o.perfPath ?? 'perf';
  const dir = mkdtempSync(join(tmpdir(), 'sg-perf-'));
  const data = join(dir, 'perf.data');
  let exe: string | null = null;
  try {
    exe = readlinkSync(`/proc/${pid}/exe`);
  } catch {
    exe = null;
  }
  let stderr = '';
  let spawnError: string | null = null;
  let child: ChildProcess | null = null;
  try {
    // CPython is built without frame pointers (pyenv, most distributions): frame-pointer unwinding
    // stops in the interpreter and never reaches the `py::` frames of a Python 3.12+ started with
    // -X perf. DWARF unwinding (a copy of the stack per sample, unwound by `perf script`) does reach
    // them; at a lower rate, as each sample costs more to record and to unwind.
    const python = exe !== null && PYTHON_EXE.test(exe);
    const callGraph = python ? ['--call-graph', 'dwarf', '-F', String(PERF_DWARF_FREQUENCY)] : ['-g', '-F', String(PERF_FREQUENCY)];
    child = spawn(perf, ['record', '-e', 'cpu-clock', ...callGraph, '-p', String(pid), '-o', data], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    child.stderr!.setEncoding('utf8').on('data', (d: string) => {
      stderr += d;
    });
  } catch (e) {
    spawnError = (e as Error).message;
  }
  // perf record writes its data on SIGINT and then ends itself by that signal: both count as done
  // when the data file is there. ('error' — no perf binary — comes instead of, or before, 'close'.)
  const exited = new Promise<string>((resolve) => {
    if (!child) {
      resolve('not started');
      return;
    }
    child.on('error', (e) => {
      spawnError = e.message;
      resolve('error');
    });
    child.on('close', (code, signal) => resolve((code === 0 || signal === 'SIGINT') && existsSync(data) ? 'ok' : `exit ${code ?? signal}`));
  });
  return {
    pid: child?.pid ?? null,
    async stop() {
      try {
        if (spawnError) return { error: `perf could not start: ${spawnError} (Debian: apt-get install linux-perf)` };
        if (child && child.exitCode === null) child.kill('SIGINT');
        const how = await exited;
        if (spawnError) return { error: `perf could not start: ${spawnError} (Debian: apt-get install linux-perf)` };
        if (how !== 'ok') return { error: `perf record failed (${how}): ${firstLine(stderr) || 'no output'}` };
        const r = await run(perf, ['script', '-F', 'comm,pid,tid,time,event,ip,sym,dso', '-i', data], 120_000);
        if (r.code !== 0) return { error: `perf script failed (exit ${r.code ?? r.error}): ${firstLine(r.stderr)}` };
        return { script: r.stdout, exe };
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}
