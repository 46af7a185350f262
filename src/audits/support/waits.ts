// Words for where a thread waits off CPU (probes/proc/wait-sampler.ts samples), shared by the main
// thread's and the other threads' findings of off-cpu-wait (which waits are idle: analysis/off-cpu.ts).

import { DISK_CALLS } from '../../analysis/off-cpu.ts';
import { round } from '../../analysis/format.ts';
import type { Evidence } from '../../record/findings.ts';
import type { PhaseName } from '../../record/phase-name.ts';
import type { OffCpuWait, SyscallTrace } from '../../record/proc-samples.ts';

/** What a wait is, in words. */
export function kindOf(w: OffCpuWait): string {
  const o = w.object ?? '';
  if (w.syscall === 'futex') return 'a lock or a synchronous wait (futex)';
  if (/^tcp /.test(o)) return `a downstream over TCP (${o.slice(4)})`;
  if (/^client /.test(o)) return `a client's connection (${o.slice(7)})`;
  if (o === 'pipe') return 'a pipe (a child process or another thread)';
  // A FIFO opened by its path: the kernel sleeps in pipe_read/pipe_write (anon_pipe_… since 6.15).
  if (o.startsWith('/') && /pipe/.test(w.wchan)) return `a named pipe (${o}) and the process at its other end`;
  if (o.startsWith('/') || DISK_CALLS.has(w.syscall)) return `the disk${o ? ` (${o})` : ''}`;
  if (w.syscall === 'nanosleep' || w.syscall === 'clock_nanosleep') return 'a sleep';
  if (w.syscall === 'wait4') return 'a child process to exit';
  if (w.syscall === 'connect') return `a connection to be set up${o ? ` (${o})` : ''}`;
  return `${w.syscall}${o ? ` on ${o}` : ''}`;
}

export const describeWait = (w: OffCpuWait) => `${w.syscall}${w.wchan !== '0' ? ` in ${w.wchan}` : ''}${w.object ? ` on ${w.object}` : ''}`;

/**
 * What perf trace measured of one system call of one thread group over its slice (per-call time the
 * /proc samples cannot give), as a clause and evidence; null without a trace of that call.
 */
export function tracedCall(
  trace: SyscallTrace | undefined,
  group: { main: true } | { name: string },
  syscall: string,
  phase: PhaseName,
): { clause: string; evidence: Evidence[] } | null {
  const g = trace?.groups.find((x) => ('main' in group ? x.main : !x.main && x.name === group.name));
  const c = g?.syscalls.find((x) => x.name === syscall);
  if (!trace || !c || c.calls === 0) return null;
  const avg = c.totalMs / c.calls;
  const seconds = round(trace.durationMs / 1000, 1);
  return {
    clause:
      `over ${seconds} s of the window, perf trace counted ${c.calls} ${syscall} call${c.calls > 1 ? 's' : ''}, ` +
      `${round(avg, avg < 10 ? 2 : 0)} ms each on average (longest ${round(c.maxMs, 1)} ms)`,
    evidence: [
      { label: `perf trace: ${syscall} calls in ${seconds} s`, value: c.calls, unit: 'count', phase },
      { label: `perf trace: ${syscall} mean duration`, value: round(avg, 3), unit: 'ms', phase },
      { label: `perf trace: ${syscall} longest`, value: round(c.maxMs, 3), unit: 'ms', phase },
    ],
  };
}
