// System calls with their durations, per thread, over a short slice of the window (issue 12, off-CPU
// time): `perf trace -s -p PID -o FILE`, ended by SIGINT, then its summary parsed
// (analysis/perf-trace.ts). It hooks every system call of the target (the raw_syscalls tracepoints),
// so the target pays on each call and perf handles each event live: on a Node service doing ~55,000
// system calls a second its throughput fell 13–35 % while traced (BENCHMARKS.md, "Off-CPU sampler
// cost"). Hence only a slice, and only when the /proc samples already showed a wait (a waiting
// service makes few calls). Needs the perf binary and the right to trace the process (root or
// CAP_PERFMON, or perf_event_paranoid ≤ 1 for one's own processes) and tracefs.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SyscallTrace } from '../../record/proc-samples.ts';
import { parsePerfTraceSummary } from '../../analysis/perf-trace.ts';
import { threadGroupName } from '../proc/compute.ts';
import { processCpuMs } from '../proc/read.ts';

/** How long the slice lasts. */
export const TRACE_MS = 1000;

export function tracePerfSyscalls(
  pid: number,
  o: { durationMs?: number; perfPath?: string } = {},
): Promise<SyscallTrace | { error: string }> {
  const durationMs = o.durationMs ?? TRACE_MS;
  const dir = mkdtempSync(join(tmpdir(), 'sg-perf-trace-'));
  const out = join(dir, 'summary.txt');
  const startedAtEpochMs = Date.now();
  return new Promise((resolve) => {
    let stderr = '';
    let perfCpuMs: number | null = null;
    const done = (r: SyscallTrace | { error: string }) => {
      rmSync(dir, { recursive: true, force: true });
      resolve(r);
    };
    const child = spawn(o.perfPath ?? 'perf', ['trace', '-s', '-p', String(pid), '-o', out], { stdio: ['ignore', 'ignore', 'pipe'] });
    child.stderr!.setEncoding('utf8').on('data', (d: string) => {
      if (stderr.length < 4096) stderr += d;
    });
    const stop = setTimeout(() => {
      perfCpuMs = child.pid !== undefined ? processCpuMs(child.pid) : null;
      child.kill('SIGINT');
    }, durationMs);
    // perf that does not end on SIGINT within 5 s is killed: the window must not wait on it.
    const kill = setTimeout(() => child.kill('SIGKILL'), durationMs + 5000);
    child.on('error', (e) => {
      clearTimeout(stop);
      clearTimeout(kill);
      done({ error: `perf trace could not start: ${e.message} (Debian: apt-get install linux-perf)` });
    });
    child.on('close', (code, signal) => {
      clearTimeout(stop);
      clearTimeout(kill);
      let text = '';
      try {
        text = readFileSync(out, 'utf8');
      } catch {
        text = '';
      }
      const groups = parsePerfTraceSummary(text, { pid, groupName: threadGroupName });
      if (!groups.length) {
        const why = stderr.split('\n').find((l) => l.trim()) ?? (text.trim() ? 'no thread in its summary' : 'no output');
        done({ error: `perf trace gave no summary (exit ${code ?? signal}): ${why.trim()}` });
        return;
      }
      done({ startedAtEpochMs, durationMs: Date.now() - startedAtEpochMs, perfCpuMs, groups });
    });
  });
}
