// Which off-CPU waits (probes/proc/wait-sampler.ts) are idle and which hold a thread up, shared by the
// audits that name them and by the window probes that decide whether a wait is worth tracing
// (perf trace). Pure.
import type { MainThreadWaits, OffCpuWait, ThreadGroupWaits } from '../record/proc-samples.ts';

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
export const DISK_CALLS = new Set(['fsync', 'fdatasync', 'pread64', 'pwrite64']);
/** Files a thread may wait on for input without being held up (a terminal, an event device, the kernel). */
const NOT_A_DEPENDENCY = /^\/(dev|proc|sys)\//;

/** Blocking waits on this share of the main thread's samples make its waiting the thing to explain. */
export const BLOCKED_SHARE_MIN = 0.3;
/** A group held up this share of its thread samples spends most of its time waiting: its work queues. */
export const GROUP_BLOCKED_MIN = 0.5;
/** Thread samples below this say nothing about the window. */
export const MIN_GROUP_SAMPLES = 50;

/** The main thread's waits that are not idle (any system call but the event loop's own). */
export const blockingWaits = (waits: MainThreadWaits): OffCpuWait[] =>
  waits.waits.filter((w) => !IDLE_CALLS.has(w.syscall) && !NOT_A_WAIT.has(w.syscall));

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

/** The group's waits that hold it up (holdsUp), largest first, with their summed share; null below GROUP_BLOCKED_MIN. */
export function heldWaits(g: ThreadGroupWaits): { waits: OffCpuWait[]; share: number } | null {
  if (g.samples < MIN_GROUP_SAMPLES) return null;
  const waits = g.waits.filter(holdsUp);
  const share = waits.reduce((s, w) => s + w.share, 0);
  return waits.length && share >= GROUP_BLOCKED_MIN ? { waits, share } : null;
}

/** Whether the window's waits so far are worth naming: the main thread blocked, or a group held up. */
export function waitsWorthNaming(waits: MainThreadWaits): boolean {
  const main = blockingWaits(waits).reduce((s, w) => s + w.share, 0);
  return main >= BLOCKED_SHARE_MIN || (waits.threadGroups ?? []).some((g) => heldWaits(g) !== null);
}
