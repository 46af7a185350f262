// What /proc says about a process over a measured window (any language), as stored in a record's
// probes.target. The sampler (probes/proc/) produces it; audits and reports read it.

export interface ProcSample {
  /** Wall-clock time of the reading that closes the interval (ms since the epoch). */
  t: number;
  /** Measured wall time since the previous reading (ms), from a monotonic clock. */
  intervalMs: number;
  /** user+system CPU over the interval as % of ONE core (a process using 2 cores reads 200). */
  cpuPercent: number;
  userPercent: number;
  systemPercent: number;
  numThreads: number;
  /** CPU % of one core of the thread whose tid == pid (the JS thread of a Node process). */
  mainThreadCpuPercent: number | null;
  /** CPU of the threads grouped by comm ("libuv-worker", "V8Worker", …); main thread as "main". */
  threadGroups: ThreadGroupSample[];
  rssBytes: number | null;
  /** Peak RSS since the process started (VmHWM). */
  hwmBytes: number | null;
  /** Context-switch counts during the interval (deltas). */
  voluntaryCtxtSwitches: number | null;
  nonvoluntaryCtxtSwitches: number | null;
  /** Byte deltas during the interval; null when /proc/<pid>/io is not readable for us. */
  io: IoDelta | null;
  /** Entries in /proc/<pid>/fd (files, sockets, pipes); null when not readable. */
  openFds: number | null;
  /** Time the process's threads spent runnable but waiting for a CPU during the interval (ms). */
  runqueueWaitMs: number | null;
  /** Cgroup CPU throttling during the interval; null when no cpu.stat was found. */
  throttling: ThrottlingDelta | null;
  /** Descendant processes (only with includeChildren): summed CPU and RSS. */
  children: ChildrenSample | null;
}

export interface ThreadGroupSample {
  name: string;
  threads: number;
  cpuPercent: number;
}

export interface IoDelta {
  readBytes: number;
  writeBytes: number;
  rchar: number;
  wchar: number;
}

export interface ThrottlingDelta {
  nrPeriods: number;
  nrThrottled: number;
  throttledMs: number;
}

export interface ChildrenSample {
  count: number;
  cpuPercent: number;
  rssBytes: number;
}

export interface CgroupInfo {
  /** Path inside the cgroup hierarchy, from /proc/<pid>/cgroup. */
  path: string;
  version: 1 | 2;
  /** Directory the cpu.stat was read from. */
  dir: string;
  /** CPU quota in cores (cpu.max quota/period), or null when unlimited. */
  quotaCores: number | null;
}

export interface ThreadGroupSummary {
  name: string;
  /** Share of the process's sampled CPU time spent in this group (0..1). */
  cpuShare: number;
  avgCpuPercent: number;
  maxThreads: number;
}

export interface ProcMeasuredSummary {
  supported: true;
  pid: number;
  /** True when the process went away while we sampled it (the sampler then stopped itself). */
  exited: boolean;
  /** Number of samples (intervals) the figures below come from. */
  samples: number;
  durationMs: number;
  clockTicksPerSecond: number;
  cpu: { avgPercent: number; peakPercent: number; userAvgPercent: number; systemAvgPercent: number } | null;
  /** Main thread's share of all the thread CPU time sampled (0..1). */
  mainThreadShare: number | null;
  threadGroups: ThreadGroupSummary[];
  rss: { peakBytes: number; lastBytes: number; slopeMBPerMin: number | null } | null;
  hwmBytes: number | null;
  ctxtSwitches: { voluntaryPerSec: number; nonvoluntaryPerSec: number } | null;
  io: { readBytesPerSec: number; writeBytesPerSec: number; rcharPerSec: number; wcharPerSec: number } | null;
  openFds: { max: number; last: number } | null;
  /** Share of wall time the process spent waiting on a runqueue, summed over its threads (can exceed 1). */
  runqueueWaitShare: number | null;
  /** Throttled time / wall time for the process's cgroup (0..1), and periods throttled. */
  throttling: { throttledShare: number; nrThrottled: number; throttledPeriodShare: number | null } | null;
  cgroup: CgroupInfo | null;
}

/** Returned instead of a measurement where /proc does not exist (macOS, Windows, …). */
export interface ProcUnsupportedSummary {
  supported: false;
  pid: number;
  platform: string;
  reason: string;
}

export type ProcSummary = ProcMeasuredSummary | ProcUnsupportedSummary;

/** One place the main thread was found waiting (off CPU): the system call, the kernel function, and what it waited on. */
export interface OffCpuWait {
  /** System call name ("futex", "read", "epoll_wait"), or "syscall N" when not in our table; "none" outside a system call. */
  syscall: string;
  /** Kernel function the thread sleeps in (/proc/PID/task/TID/wchan), e.g. "futex_do_wait", "sk_wait_data". */
  wchan: string;
  /** The file descriptor's object for fd calls: "tcp 127.0.0.1:5432", "/var/data/x.db", "pipe"; null otherwise. */
  object: string | null;
  samples: number;
  /** Share of all samples (0..1). */
  share: number;
}

/**
 * Where the target's main thread waits (issue 12, off-CPU time): its state sampled from /proc every
 * few ms over the measured window, from speedguard's process (no cost to the target, any language).
 */
export interface MainThreadWaits {
  intervalMs: number;
  samples: number;
  /** Share of samples on a CPU or runnable (R), and in uninterruptible sleep (D: usually disk I/O). */
  runningShare: number;
  diskShare: number;
  /** Sleeping samples (S and D) grouped by (syscall, wchan, object), largest first (at most 12). */
  waits: OffCpuWait[];
  /**
   * The target's other threads, sampled at the same ticks and grouped by name (absent in records
   * written before they were sampled): a thread pool that waits on a disk or a downstream.
   */
  threadGroups?: ThreadGroupWaits[];
  /** More threads than the sampler follows (MAX_THREADS in probes/proc/wait-sampler.ts): some were not sampled. */
  threadsCapped?: boolean;
}

/** Where the threads of one group (same name, numbers removed) wait: every other thread of the target. */
export interface ThreadGroupWaits {
  /** The thread name without its number (/proc/PID/task/TID/comm): "libuv-worker", "V8 DefaultWorke", "python3.12". */
  name: string;
  /** Threads of the group seen over the window, and how many were sampled per tick on average. */
  threads: number;
  meanThreads: number;
  /** Thread samples (one per thread per tick). */
  samples: number;
  runningShare: number;
  diskShare: number;
  /** Sleeping samples grouped as for the main thread, share of the group's thread samples, largest first (at most 6). */
  waits: OffCpuWait[];
}

/** One system call's totals for a thread group over a `perf trace -s` slice. */
export interface TracedSyscall {
  name: string;
  calls: number;
  errors: number;
  /** Time inside the call summed over the group's threads, and the longest single call (ms). */
  totalMs: number;
  maxMs: number;
}

/**
 * Every system call of the target's threads over a short slice of the window, with its time (Linux
 * `perf trace -s -p PID`), taken only when the /proc samples showed a wait worth naming: it costs the
 * target on every system call. Per-call durations the samples cannot give.
 */
export interface SyscallTrace {
  startedAtEpochMs: number;
  durationMs: number;
  /** CPU time perf itself used for the slice (ms), from /proc; null when not read. */
  perfCpuMs: number | null;
  /** By thread group (as ThreadGroupWaits; the main thread apart, `main: true`), calls by total time, largest first (at most 8). */
  groups: { name: string; main: boolean; threads: number; syscalls: TracedSyscall[] }[];
}
