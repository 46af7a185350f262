// Messages between the in-target agent (agent.ts) and speedguard's collector (collector.ts).
// Newline-delimited JSON over a private unix socket. Every type here is plain JSON so that the
// samples can go into a RunRecord's probes as they are. Times are ms unless the name says otherwise.
import type { AgentSqlStats } from './sql-protocol.ts';

/** Bumped when a message changes shape incompatibly; the collector rejects other versions. 2: agents measure only after 'sampling' on. */
export const AGENT_PROTOCOL_VERSION = 2;

/** Env var holding the unix socket path the agent reports to. Without it the agent does nothing. */
export const AGENT_SOCKET_ENV = 'SPEEDGUARD_AGENT_SOCKET';
/** Env var overriding the sample interval (ms, ≥ 100). */
export const AGENT_INTERVAL_ENV = 'SPEEDGUARD_AGENT_INTERVAL_MS';

export interface AgentHello {
  type: 'hello';
  protocol: number;
  pid: number;
  ppid: number;
  nodeVersion: string;
  platform: string;
  argv: string[];
  execArgv: string[];
  /** The TCP port the process started listening on: the moment the agent woke up. */
  port: number;
  address: string;
  /** Epoch ms. */
  time: number;
  intervalMs: number;
  /** process.env.UV_THREADPOOL_SIZE as a number when set (libuv's pool size; 4 when absent). */
  uvThreadpoolSize?: number;
  /** V8's heap size limit (v8.getHeapStatistics().heap_size_limit), bytes. */
  heapSizeLimit?: number;
}

export interface LoopDelaySummary {
  /** Number of delay measurements in the interval (one per histogram resolution tick that fired). */
  count: number;
  min: number;
  mean: number;
  p50: number;
  p99: number;
  max: number;
}

/** Event-loop utilisation over the interval only (delta of two readings, not since process start). */
export interface LoopUtilisation {
  /** 0..1 */
  utilization: number;
  activeMs: number;
  idleMs: number;
}

export type GcKind = 'minor' | 'major' | 'incremental' | 'weakcb' | 'other';
export interface GcKindStats { count: number; totalMs: number; maxMs: number }

export interface MemorySnapshot {
  rss: number;
  heapUsed: number;
  heapTotal: number;
  external: number;
  arrayBuffers: number;
}

export interface DurationStats { count: number; totalMs: number; maxMs: number }

export interface IncomingHttpStats {
  /** Requests that started in the interval (finished or not). */
  started: number;
  /** Most requests being handled at once in the interval. */
  inFlightMax: number;
  /** In flight when the sample was taken. */
  inFlight: number;
  /** Finished responses, keyed "METHOD STATUS", e.g. "GET 200". */
  byMethodStatus: Record<string, DurationStats>;
}

export interface OutgoingOriginStats extends DurationStats {
  /** Calls that failed before a response arrived. */
  errors: number;
  inFlightMax: number;
  /** Which client library made the calls. */
  clients: ('http' | 'undici')[];
}

export interface AgentSample {
  type: 'sample';
  /** Epoch ms at the end of the interval. */
  time: number;
  /** Actual interval length (timers drift when the loop is blocked). */
  intervalMs: number;
  loopDelay: LoopDelaySummary;
  elu: LoopUtilisation;
  gc: Partial<Record<GcKind, GcKindStats>>;
  memory: MemorySnapshot;
  /** process.getActiveResourcesInfo() counted by type (the agent's own unref'd handles are not listed). */
  activeResources: Record<string, number>;
  /** Process CPU over the interval (all threads), ms. */
  cpu: { userMs: number; systemMs: number };
  httpIn: IncomingHttpStats;
  /** Keyed by origin, e.g. "http://127.0.0.1:8080". Latency is request start → response headers. */
  httpOut: Record<string, OutgoingOriginStats>;
  /**
   * libuv threadpool probe: the agent submits a tiny job (crypto.randomBytes(1)) every ~200 ms, one at
   * a time, and times submit → callback. A free pool answers in well under a millisecond; a saturated
   * one makes the job wait behind the queue. Includes the event-loop delay before the callback runs.
   * Absent when no probe finished in the interval.
   */
  threadpoolProbe?: ThreadpoolProbeStats;
  /** heapUsed right after the interval's last GC (read in the GC observer callback), bytes. */
  heapAfterGc?: number;
  /**
   * SQL statements grouped by incoming request (N+1 detection, sql-agent.ts), per-interval deltas.
   * Absent until a PostgreSQL driver (pg, postgres) is instrumented in the process.
   */
  sql?: AgentSqlStats;
}

export interface ThreadpoolProbeStats {
  /** Probes finished in the interval. */
  count: number;
  meanMs: number;
  maxMs: number;
  /** A probe still waiting when the sample was taken (it has waited this long so far), else 0. */
  pendingMs: number;
}

export interface CpuProfileStarted { type: 'cpu-profile-started'; id: number }
export interface CpuProfileWritten { type: 'cpu-profile-written'; id: number; path: string; bytes: number }
/** includesCollected: the profile also keeps allocations the GC collected (asked for, and V8 ≥ 11 took it). */
export interface HeapProfileStarted { type: 'heap-profile-started'; id: number; includesCollected?: boolean }
export interface HeapProfileWritten { type: 'heap-profile-written'; id: number; path: string; bytes: number }
export interface AgentCommandError { type: 'error'; id: number; message: string }
/** Answer to a SamplingCommand: whether the agent is measuring now. */
export interface SamplingState { type: 'sampling'; id: number; on: boolean }

export type AgentMessage = AgentHello | AgentSample | CpuProfileStarted | CpuProfileWritten | HeapProfileStarted | HeapProfileWritten | AgentCommandError | SamplingState;

export interface CpuProfileStartCommand { cmd: 'cpu-profile-start'; id: number; samplingIntervalUs?: number }
export interface CpuProfileStopCommand { cmd: 'cpu-profile-stop'; id: number; path: string }
/**
 * Sampling heap profile (HeapProfiler.startSampling): allocations still live when it stops, or with
 * includeCollected every sampled allocation (includeObjectsCollectedByMinorGC/MajorGC: the allocation rate).
 */
export interface HeapProfileStartCommand { cmd: 'heap-profile-start'; id: number; samplingIntervalBytes?: number; includeCollected?: boolean }
/** Stops it and writes the SamplingHeapProfile JSON (a .heapprofile, opens in DevTools) to `path`. */
export interface HeapProfileStopCommand { cmd: 'heap-profile-stop'; id: number; path: string }
/**
 * Starts (on) or stops measuring. An agent says hello when its process listens, then measures nothing
 * (no hooks, no timers) until the collector turns sampling on: only the process it follows pays.
 */
export interface SamplingCommand { cmd: 'sampling'; id: number; on: boolean }
export type AgentCommand = CpuProfileStartCommand | CpuProfileStopCommand | HeapProfileStartCommand | HeapProfileStopCommand | SamplingCommand;
