// What the in-target Node agent measures, as it is stored in a record's probes.target (plain JSON,
// per-interval figures unless said otherwise; times in ms). The agent (probes/node-agent/agent.ts)
// produces them, audits and reports read them: the contract sits here, below both.
import type { AgentSqlStats, SqlFrame } from './agent-sql-samples.ts';

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
export interface GcKindStats {
  count: number;
  totalMs: number;
  maxMs: number;
}

export interface MemorySnapshot {
  rss: number;
  heapUsed: number;
  heapTotal: number;
  external: number;
  arrayBuffers: number;
}

export interface DurationStats {
  count: number;
  totalMs: number;
  maxMs: number;
}

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
  /**
   * Asynchronous operations in flight while incoming requests were (probes/node-agent/async-waits.ts):
   * where a service that waits rather than computes waits. Absent when the tracker could not start.
   */
  asyncWaits?: AsyncWaitStats;
}

/**
 * A sampled subset of the target's asynchronous operations (async_hooks resources other than promises:
 * fs requests, timers, outgoing HTTP requests, DNS lookups, connects, child processes, crypto and zlib
 * jobs …), each with the call site that started it, weighted by the time it was in flight while at
 * least one incoming request was. Per-interval figures, like the rest of AgentSample.
 */
export interface AsyncWaitStats {
  /** Time with at least one incoming request in flight (ms; measured on the agent's 10 ms ticks). */
  requestBusyMs: number;
  /** Of that, time with at least one tracked operation in flight too (ms). */
  coveredMs: number;
  /**
   * Time the tracker took new operations (ms): it is on in windows, as often as keeps its cost bounded
   * (always on a service with few events). Operations started outside them are not seen.
   */
  acceptingMs: number;
  /** Operations started in the interval whose call site was taken (tracked). */
  tracked: number;
  /**
   * Operations whose stack was taken but that are not the service's: the agent's own, or Node's with
   * no frame of the service or a library on the stack. tracked + ignored are the sampled operations.
   */
  ignored: number;
  /** Candidate operations started in the interval but not tracked: over the stack budget or the cap on tracked ones. */
  untracked: number;
  /** By (kind, call site), most in-flight time first. */
  groups: AsyncWaitGroup[];
}

export interface AsyncWaitGroup {
  /** The async_hooks resource type: FSREQPROMISE, FSREQCALLBACK, Timeout, HTTPCLIENTREQUEST, GETADDRINFOREQWRAP … */
  kind: string;
  /** The first application frame of the stack that started it (a node_modules frame only when there was none). */
  site: SqlFrame;
  /** The site is in node_modules: no application frame was on the stack. */
  inDependency?: boolean;
  /** Time this group's tracked operations were in flight while requests were, summed over the operations (ms). */
  inFlightMs: number;
  /** Tracked operations of this group started in the interval. */
  started: number;
}

export interface ThreadpoolProbeStats {
  /** Probes finished in the interval. */
  count: number;
  meanMs: number;
  maxMs: number;
  /** A probe still waiting when the sample was taken (it has waited this long so far), else 0. */
  pendingMs: number;
}
