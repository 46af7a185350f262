// What `speedguard profile` (and `assess --profile`) measured inside and around the target while the
// load ran: the in-process Node agent, /proc for the process, and the CPU profile of exactly the
// measured window (and a sampling heap profile of it). Stored in a record's `probes.target`; the diagnosis audits read it from there.
import type { AgentHello, AgentSample } from './agent-samples.ts';
import type { MainThreadWaits, ProcSample, ProcSummary, SyscallTrace } from './proc-samples.ts';

/** A function in the CPU profile, aggregated over all its call sites. */
export interface CpuHotspot {
  function: string;
  /** Source file (file:// URL turned into a path when local; mapped through source maps when present). */
  file: string;
  /** 1-based line and column in `file`. */
  line: number;
  column: number;
  /** Time the function itself was on the CPU (ms) and its share of all non-idle samples. */
  selfMs: number;
  selfShare: number;
  /** Time with the function anywhere on the stack (ms, recursion counted once) and its share. */
  totalMs: number;
  totalShare: number;
  /**
   * What kind of work it is: synchronous I/O or crypto/zlib/JSON that blocks the event loop, the
   * garbage collector, other native code, or the application's own JavaScript.
   */
  category: 'sync-fs' | 'sync-crypto' | 'sync-zlib' | 'json' | 'regexp' | 'gc' | 'native' | 'user' | 'node-internal' | 'dependency';
  /**
   * For work that is not the application's own code (natives, sync fs/crypto/zlib, JSON, RegExp,
   * Node internals, dependencies): the nearest application frame above it on the stack — "the
   * function doing it" — the one that carried most of this hotspot's time. Absent for user code
   * (the hotspot is the function), GC (no stack) and when no application frame is on the stack.
   */
  caller?: { function: string; file: string; line: number };
  /** The line (1-based, in `file`) with most of the function's self samples (V8 positionTicks), when known. */
  hotLine?: number;
}

/** A pruned call tree for the flame graph (nodes under ~0.5 % merged away). */
export interface FlameNode {
  name: string;
  file: string;
  line: number;
  /** Inclusive time (ms). */
  value: number;
  /** Kind of work (as CpuHotspot.category); absent on "(root)" and "(other)". */
  category?: CpuHotspot['category'];
  children: FlameNode[];
}

/**
 * The narrowest application function (user code or a dependency) holding at least half of the busy
 * time, inclusive, that does that work itself rather than dispatching it to several application
 * callees (analysis/cpu-profile/dominant.ts): e.g. a library's save() whose serialising, writing and
 * renaming together outweigh any single leaf.
 */
export interface CpuSubtree {
  function: string;
  file: string;
  line: number;
  category: 'user' | 'dependency';
  /** Inclusive time (ms) and its share of the busy (non-idle) time. */
  totalMs: number;
  totalShare: number;
  /** Share of the busy time it took itself, with the natives, Node internals and JSON work it calls directly. */
  ownShare: number;
  /** What the work under it was (the sampled frames' kind), largest first, as shares of the busy time. */
  kinds: Array<{ category: CpuHotspot['category']; share: number }>;
  /** For a dependency: the application frame that called it most. */
  caller?: { function: string; file: string; line: number };
}

export interface CpuProfileAnalysis {
  /** Where the .cpuprofile was saved (opens in Chrome DevTools), relative to the report folder when inside it. */
  path: string;
  durationMs: number;
  samples: number;
  /** Shares of the window (0..1). */
  idleShare: number;
  gcShare: number;
  programShare: number;
  topSelf: CpuHotspot[];
  topTotal: CpuHotspot[];
  /** The dominant subtree, when one function holds half the busy time (absent in older records). */
  dominant?: CpuSubtree | null;
  flame: FlameNode | null;
}

/**
 * Where the sampled heap profile says memory was allocated. Bytes of work outside the application
 * (Node internals, natives, dependencies) are credited to the nearest application frame above it.
 */
export interface HeapAllocationSite {
  function: string;
  file: string;
  /** 1-based; 0 when unknown. */
  line: number;
  column: number;
  /** Sampled bytes attributed to this site: still live at the profile's end ('live'), or allocated ('allocated'). */
  bytes: number;
  /** Share of all sampled bytes of the profile (0..1). */
  share: number;
  category: CpuHotspot['category'];
  /**
   * Anonymous sites whose bytes were given to this function because V8 had inlined it into them
   * (the CPU profile shows it running below them; analysis/heap-inlined.ts), as "fn (file:line)".
   */
  inlinedFrom?: string[];
}

/** The sampling heap profile (HeapProfiler.startSampling) of the measured window. */
export interface HeapProfileAnalysis {
  /** Where the .heapprofile was saved (opens in Chrome DevTools, Memory tab). */
  path: string;
  /** Sampled bytes allocated in the window and still live when it ended ('allocated': every sampled byte allocated). */
  totalBytes: number;
  samples: number;
  /** Largest first. */
  topAllocators: HeapAllocationSite[];
  /**
   * What the profile holds (absent: 'live'). 'live': allocations still live when it stopped — where
   * memory is retained (a leak's sites). 'allocated': every sampled allocation, collected or not
   * (V8's includeObjectsCollectedByMinorGC/MajorGC) — where the allocation rate, the GC's work, comes from.
   */
  kind?: 'live' | 'allocated';
  /** How long the profile ran, ms. */
  durationMs?: number;
  /** totalBytes per second of durationMs: for 'allocated', the sampled allocation rate. */
  bytesPerSecond?: number;
}

/** One heap snapshot the target wrote (v8.writeHeapSnapshot) and what it cost the target. */
export interface HeapSnapshotTaken {
  /** 'start': before the load; 'middle': during it; 'end': after it. */
  at: 'start' | 'middle' | 'end';
  epochMs: number;
  /** How long the target was paused writing it (measured in the target), ms. */
  pauseMs: number;
  /** Size of the .heapsnapshot file, bytes. */
  bytes: number;
  heapUsedBytes: number;
  externalBytes: number;
  /** Objects (graph nodes) in it; 0 when it was not read. */
  nodes: number;
}

/** A retained type (DevTools' Comparison view: constructor name or "(string)", "(array)" …) first vs last snapshot. */
export interface HeapClassGrowth {
  name: string;
  countBefore: number;
  countAfter: number;
  sizeBefore: number;
  sizeAfter: number;
}

/** The object that holds what was added since the first snapshot (the leak's retainer). */
export interface HeapRetainerGrowth {
  /** The holder's constructor, e.g. "Array", "Map", "Object". */
  holder: string;
  /** How it is reachable, e.g. "module variable requestLog", "property cache of Object", "global property log". */
  retainedBy: string;
  /** The shortest retainer path from a GC root, outermost first, e.g. ["(GC roots)", "system / Context", "requestLog: Array"]. */
  path: string[];
  /** Where the variable or the function holding the context is declared, when known. */
  file?: string;
  line?: number;
  /** Elements (array elements / Map and Set entries) in the first and last snapshot, when it has any. */
  elementsBefore: number | null;
  elementsAfter: number | null;
  /** Growth since the first snapshot of what this holder keeps (objects and self sizes below it on the shortest retainer paths). */
  addedObjects: number;
  addedBytes: number;
  /** The holder's elements grew in each interval between consecutive snapshots (null with two snapshots or no elements). */
  grewEveryInterval: boolean | null;
}

/** Heap snapshots spaced over the window, diffed (analysis/heap-snapshot). */
export interface HeapSnapshotDiff {
  snapshots: HeapSnapshotTaken[];
  /** Why a snapshot was not taken or not read ("the first paused the target 2.1 s", "heap 900 MB > 512 MB"). */
  skipped: string[];
  /** ms between the first and the last snapshot. */
  elapsedMs: number;
  /** Largest addedBytes first. */
  retainers: HeapRetainerGrowth[];
  /** Largest size growth first. */
  classes: HeapClassGrowth[];
}

export interface TargetProcess {
  /** The command as given after `--` (or "pid N" when attached with --pid). */
  command: string[];
  /** The process that listens (reported by the agent), or the spawned / attached pid. */
  pid: number | null;
  port: number | null;
  startedAt: string | null;
  stoppedAt: string | null;
  /** True when the target exited before we stopped it. */
  died: boolean;
  exitCode: number | null;
  signal: string | null;
  /** Last lines the target wrote to stderr (for "the target died" reports). */
  stderrTail: string[];
}

/** One step's throughput and latency (the observer effect's two sides). */
export interface ObserverStep {
  durationMs: number;
  requests: number;
  /** Completed requests per second. */
  rps: number;
  p50Ms: number | null;
  p95Ms: number | null;
}

/**
 * What profiling cost the target (issue 12: "profiled throughput was 35–43 % below unprofiled"): a
 * short step at the same load without the profilers (half just before the measured window, half
 * just after), against the measured (profiled) window. Both run with the agent; its own cost is bench/agent-overhead.ts's.
 */
export interface ObserverEffect {
  reference: ObserverStep;
  profiled: ObserverStep;
  /**
   * 1 − profiled / reference throughput: the share of the throughput the profilers took. Under a
   * closed model (VUs) the service's pace sets the throughput; under an open model (--rate) the
   * load does, and this is near 0 unless the profiled service fell behind.
   */
  throughputCost: number;
  /** profiled / reference p50 − 1: the latency the profilers added (null without latencies). */
  latencyCost: number | null;
  /** The CPU profiler's sampling interval (µs). */
  samplingIntervalUs: number;
  /** 'closed' (VUs) or 'open' (arrival rate). */
  model: 'closed' | 'open';
  /** CPU of V8's profiler thread (v8:ProfEvntProc) over the window, % of one core: the profiler's own cost (null without /proc). */
  profilerThreadCpuPercent?: number | null;
  /**
   * Open model: the arrival rate offered to both sides (req/s). Whether each side kept up with it
   * (steady rps against it) is where an arrival rate shows the profilers' cost, beside the latency.
   * Absent for the closed model and in older records.
   */
  offeredRate?: number | null;
  /** The assessment phase that was profiled ('capacity', 'baseline'); absent for `speedguard profile` and in older records. */
  phase?: string;
  /**
   * How much the reference's two halves (before and after the window) differed from each other:
   * |a − b| / their mean, for the steady throughput and the p50. A cost no larger than this is the
   * machine's noise, and the reports say so. Null when only one half ran; absent in older records.
   */
  referenceSpread?: { rps: number; p50: number | null } | null;
}

export interface TargetProbes {
  target: TargetProcess;
  /** The measured window (epoch ms): CPU profile and summaries cover exactly this. */
  window: { fromEpochMs: number; toEpochMs: number } | null;
  agent: { hello: AgentHello | null; samples: AgentSample[] } | null;
  proc: { samples: ProcSample[]; summary: ProcSummary } | null;
  cpuProfile: CpuProfileAnalysis | null;
  /**
   * Sampling heap profile (live) over the window — after heapAllocationProfile's first seconds when that one exists (absent in records made
   * before it existed).
   */
  heapProfile?: HeapProfileAnalysis | null;
  /**
   * Allocation-rate profile (kind 'allocated') over the first seconds of the window; heapProfile
   * (live) covers the rest of it. V8 cannot tell live from collected samples within one profile, and
   * runs one sampling heap profile at a time. Absent in older records and where V8 cannot keep
   * collected allocations.
   */
  heapAllocationProfile?: HeapProfileAnalysis | null;
  /** Heap snapshots before / during / after the load, diffed: what holds the memory that grew (absent in older records). */
  heapSnapshots?: HeapSnapshotDiff | null;
  /**
   * Without the Node agent, cpuProfile comes from Linux perf's stacks (converted); when perf could not
   * run, why (e.g. "perf could not start: spawn perf ENOENT", a perf_event_paranoid refusal). Absent otherwise.
   */
  perfError?: string;
  /** Where the main thread waited over the window (off-CPU samples from /proc; absent in older records and off Linux). */
  waits?: MainThreadWaits | null;
  /** System calls with their durations over a slice of the window (perf trace), when the waits called for it; else absent. */
  syscallTrace?: SyscallTrace;
  /** Why the trace the waits called for could not be taken (perf missing, not allowed); absent otherwise. */
  syscallTraceError?: string;
  /** The profilers' cost, measured in the same run (absent when no reference step ran, and in older records). */
  observer?: ObserverEffect | null;
  /**
   * The asynchronous operations in flight while requests were, over the window, by (kind, call site)
   * (from the agent's AgentSample.asyncWaits; absent without the agent's tracker and in older records).
   */
  asyncWaits?: AsyncWaitSummary | null;
}

/** AgentSample.asyncWaits summed over the window, call sites as the user reads them (relative path, source-mapped line). */
export interface AsyncWaitSummary {
  /** Time with at least one incoming request in flight (ms). */
  requestBusyMs: number;
  /** Of that, time with a tracked operation in flight too (ms). */
  coveredMs: number;
  /** Share of the window in which the tracker took new operations (0..1; it runs in windows on a busy service). */
  acceptingShare: number;
  /** Operations tracked (their call site taken), sampled but not the service's, and candidates left unsampled (budget, cap). */
  tracked: number;
  ignored: number;
  untracked: number;
  /** In-flight time of the tracked operations while requests were in flight, summed (ms): the shares' denominator. */
  inFlightMs: number;
  /** By (kind, function, file, line), most in-flight time first; at most 20. */
  sites: AsyncWaitSite[];
}

export interface AsyncWaitSite {
  /** The async_hooks resource type (FSREQPROMISE, Timeout, HTTPCLIENTREQUEST …). */
  kind: string;
  function: string;
  /** Relative to the project root when inside it; the original source when the script has a source map. */
  file: string;
  line: number;
  /** No application frame on the stack: the site is a library's (node_modules). */
  inDependency: boolean;
  inFlightMs: number;
  /** Of all the tracked operations' in-flight time (0..1). */
  share: number;
  /** Tracked operations started there. */
  started: number;
}

/** The target probes of a record, if it has them. */
export function targetProbesOf(record: { probes: { target?: TargetProbes | undefined } }): TargetProbes | null {
  // Stored records are read back from JSON: check the shape rather than trust the type.
  const t = record.probes.target;
  return t && typeof t === 'object' && 'target' in t ? t : null;
}
