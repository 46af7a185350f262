// Words for where a thread waits off CPU (probes/proc/wait-sampler.ts samples), shared by the main
// thread's and the other threads' findings of off-cpu-wait, and which waits say the thread is held up
// by something rather than idle.
import type { OffCpuWait } from '../../record/proc-samples.ts';

/** Calls in which a thread waits for work to arrive: an idle event loop or server, not a blocked one. */
export const IDLE_CALLS = new Set([
  'epoll_wait',
  'epoll_pwait',
  'epoll_pwait2',
  'poll',
  'ppoll',
  'select',
  'pselect6',
  'accept',
  'accept4',
]);
/** Samples where the thread ran after all (the syscall file said so) or the read failed. */
export const NOT_A_WAIT = new Set(['running', 'unknown']);
/** Calls that wait on the storage whatever the descriptor. */
const DISK_CALLS = new Set(['fsync', 'fdatasync', 'pread64', 'pwrite64']);
/** Files a thread may wait on for input without being held up (a terminal, an event device, the kernel). */
const NOT_A_DEPENDENCY = /^\/(dev|proc|sys)\//;

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
 * A wait of a thread other than the main one that holds it up on something outside the process: a
 * downstream over TCP, a file or named pipe, the storage, a connection being set up. Not: a futex (a
 * pool thread waiting for work and a thread waiting on a lock look the same in /proc), a sleep (a
 * timer or polling loop), an idle poll, a client's keep-alive connection, an anonymous pipe or
 * eventfd (how threads wake each other). Conservative on purpose: only waits whose object says what
 * the thread waits for.
 */
export function holdsUp(w: OffCpuWait): boolean {
  const o = w.object ?? '';
  if (/^tcp /.test(o)) return true;
  if (o.startsWith('/')) return !NOT_A_DEPENDENCY.test(o);
  return DISK_CALLS.has(w.syscall) || w.syscall === 'connect';
}
