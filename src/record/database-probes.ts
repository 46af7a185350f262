// What speedguard measured in a PostgreSQL database: `speedguard db <url>` (one snapshot of the
// cumulative statistics), and `assess --db` / `profile --db` / a plan's `probes.postgres` (the
// DIFFERENCE of pg_stat_statements before and after each measured window: the queries the load
// caused). Stored in a record's `probes.database`; the database audits (src/audits/db-*.ts) read it.
// Plain JSON only. Query texts are pg_stat_statements' normalised texts ($1 for literals) or texts
// normalised by speedguard; literals never reach a record. Connection strings are stored without
// their password (redactDbUrl).
import type { PhaseName } from './phase-name.ts';

export interface DatabaseServerInfo {
  /** server_version_num, e.g. 150020 / 180004. */
  versionNum: number;
  /** "15.20", "18.4". */
  version: string;
  database: string;
  /** Settings that change what we can see or what a finding means. */
  settings: {
    sharedPreloadLibraries: string;
    trackIoTiming: boolean;
    workMemKb: number;
    sharedBuffersKb: number;
    maxConnections: number;
    randomPageCost: number;
  };
  /** Installed extension versions in this database (null when not installed). */
  extensions: { pgStatStatements: string | null; hypopg: string | null };
  /** Can pg_stat_statements be read? (preloaded AND created in this database). */
  pgStatStatements: { available: boolean /** Exactly how to enable it, when not available. */; howToEnable: string | null };
  hypopgAvailable: boolean;
}

/** One statement (pg_stat_statements entry, summed over userid/dbid/toplevel) — totals for the window. */
export interface StatementStats {
  /** pg_stat_statements queryid as a decimal string (bigint). */
  queryId: string;
  /** Normalised text ($1, $2 … for constants), truncated to 2000 characters. */
  query: string;
  calls: number;
  rows: number;
  totalExecMs: number;
  meanExecMs: number;
  /** Only over the whole history (a diff cannot know the window's max); null in diffs. */
  maxExecMs: number | null;
  totalPlanMs: number;
  sharedBlksHit: number;
  sharedBlksRead: number;
  tempBlksRead: number;
  tempBlksWritten: number;
  /** hit / (hit + read); null when no blocks were touched. */
  hitRatio: number | null;
  /** Share of all statements' exec time in the window (0..1). */
  shareOfTotal: number;
}

export interface StatementsSnapshot {
  /** pg_stat_statements view version (1.8 … 1.12). */
  extVersion: string;
  takenAt: string;
  /** Total statements tracked; entries evicted since the reset (pg_stat_statements_info.dealloc, PG14+). */
  entries: number;
  dealloc: number | null;
}

export interface TableStats {
  schema: string;
  table: string;
  seqScan: number;
  seqTupRead: number;
  idxScan: number;
  nLiveTup: number;
  sizeBytes: number;
  /** heap_blks_hit / (hit + read) from pg_statio_user_tables; null when untouched. */
  heapHitRatio: number | null;
  lastAnalyze: string | null;
}

export interface IndexStats {
  schema: string;
  table: string;
  index: string;
  /** pg_get_indexdef(): the CREATE INDEX statement. */
  definition: string;
  /** Key columns in order (expressions as written). */
  columns: string[];
  method: string;
  unique: boolean;
  primary: boolean;
  valid: boolean;
  /** Partial index predicate, or null. */
  predicate: string | null;
  idxScan: number;
  sizeBytes: number;
}

export interface ActivitySummary {
  samples: number;
  maxConnections: number;
  /** Connections of this database (all users) — max and mean over the samples. */
  total: { max: number; mean: number };
  active: { max: number; mean: number };
  idle: { max: number; mean: number };
  idleInTransaction: { max: number; mean: number };
  /** Backends waiting on a Lock wait event. */
  waitingOnLocks: { max: number; mean: number };
  /** Longest running active query seen (ms), with its normalised text. */
  longestActive: { ms: number; query: string } | null;
  /** Wait events seen on active backends: "Lock:transactionid" → sample count. */
  waitEvents: Record<string, number>;
}

export interface PlanNodeIssue {
  kind: 'seq-scan-filter' | 'misestimate' | 'nested-loop' | 'spill' | 'heavy-buffers' | 'index-filter' | 'heap-fetches';
  nodeType: string;
  relation: string | null;
  /** One-line statement of what the node did, e.g. "Seq Scan on order_items removed 41,000 rows by filter to return 4". */
  detail: string;
  /** For misestimates: max(actual/plan, plan/actual) using per-loop rows × loops. */
  factor?: number;
  /** Relevant numbers (rows removed, loops, temp blocks …). */
  figures: Record<string, number>;
}

export interface StatementPlan {
  queryId: string;
  query: string;
  /** 'generic' = EXPLAIN of a parameterised statement with GENERIC_PLAN / forced generic plan (no ANALYZE). */
  mode: 'analyze' | 'generic' | 'estimate';
  /** The plan as EXPLAIN (FORMAT JSON) returned it (the top-level object's "Plan"). */
  plan: unknown;
  totalCost: number;
  /** ANALYZE only. */
  executionMs: number | null;
  planningMs: number | null;
  issues: PlanNodeIssue[];
  error: string | null;
}

export interface IndexSuggestion {
  schema: string;
  table: string;
  columns: string[];
  /** Ready to run: CREATE INDEX CONCURRENTLY … */
  createStatement: string;
  /** The statements it helps (queryIds). */
  queryIds: string[];
  /**
   * How it was judged: planner cost with a hypothetical index (HypoPG), a real index in a rolled-back transaction (--allow-writes), or the
   * plan's shape only.
   */
  method: 'hypopg' | 'measured' | 'heuristic';
  costBefore: number | null;
  costAfter: number | null;
  /** --allow-writes only: EXPLAIN ANALYZE execution times before/after (ms). */
  msBefore: number | null;
  msAfter: number | null;
  /** Human summary, e.g. "cost 1,850 → 8.3 (−99.6 %)", "12.4 ms → 0.05 ms per call". */
  expectedImprovement: string;
  /**
   * 'heuristic' only, when it could be computed: the plans' summed cost with the index, ESTIMATED by
   * PostgreSQL's index-scan cost formulas with the server's cost settings (no HypoPG: not the
   * planner's own figure, not a measured time). Compare with costBefore. Absent in older records.
   */
  estimatedCostAfter?: number;
}

/** Repeated statements inside one HTTP request (from the Node agent's driver instrumentation). */
export interface NPlusOneGroup {
  /** "GET /api/customers/:id/orders" */
  endpoint: string;
  /** Normalised statement text. */
  statement: string;
  /** Requests to the endpoint in which the statement repeated ≥ the threshold. */
  requests: number;
  /** All requests to the endpoint seen (same window). */
  endpointRequests: number;
  /** Executions per affected request: mean and max. */
  perRequestMean: number;
  perRequestMax: number;
  /** Time in the repeated statement per affected request (ms, mean), and its share of the request's duration (0..1). */
  msPerRequest: number;
  shareOfRequest: number;
  /** Driver seen: 'pg' | 'postgres'. */
  driver: string;
  /**
   * Where the calls came from when known: the application frame that loops over them (a handler's
   * for loop calling a query helper), else the first application frame of the statement's stack.
   */
  location: { file: string; line: number; function: string; via?: { file: string; line: number; function: string } } | null;
}

/** N+1 inferred without the agent: calls per HTTP request of the phase from pg_stat_statements. */
export interface InferredRepetition {
  queryId: string;
  query: string;
  calls: number;
  httpRequests: number;
  callsPerRequest: number;
  phase: PhaseName | 'window';
}

/** The database view of one measured window (a phase, the profile window) — differences. */
export interface DatabaseWindow {
  /** 'window' for `profile --db`; the phase name for `assess --db`. */
  phase: PhaseName | 'window';
  fromEpochMs: number;
  toEpochMs: number;
  /** HTTP requests the load completed in the window (for calls-per-request inference). */
  httpRequests: number;
  /** Statements that ran in the window (after − before), top by total time. */
  statements: StatementStats[];
  /** Sums over all statements of the window. */
  totals: { calls: number; execMs: number; sharedBlksHit: number; sharedBlksRead: number; hitRatio: number | null };
  /** Seq/index scans per table in the window (after − before). */
  tableScans: Array<{ schema: string; table: string; seqScan: number; seqTupRead: number; idxScan: number }>;
  activity: ActivitySummary | null;
  inferredRepetition: InferredRepetition[];
  /**
   * Added by the collector helper: what could not be measured in this window, one line each (mergeWindows copies them into
   * DatabaseProbes.warnings).
   */
  warnings?: string[];
}

export interface DatabaseProbes {
  /** The connection string without password. */
  url: string;
  server: DatabaseServerInfo;
  /** 'snapshot' = `speedguard db` (cumulative since the stats reset); 'load' = windows under load. */
  mode: 'snapshot' | 'load';
  statementsInfo: StatementsSnapshot | null;
  /** Cumulative (snapshot mode) or whole-run (load mode: sum of the windows) top statements. */
  statements: StatementStats[];
  /** Global shared-buffer cache hit ratios (pg_statio_user_tables / _indexes). */
  cacheHitRatio: {
    tables: number | null;
    indexes: number | null;
    /**
     * Added (optional) for db-cache-hit-ratio: the block counts behind the ratios (sums of
     * heap_blks_hit/read and idx_blks_hit/read), so a ratio from a handful of blocks is not judged.
     * Without it the audit uses the statements' shared blocks as the volume.
     */
    blocks?: { heapHit: number; heapRead: number; idxHit: number; idxRead: number };
  };
  tables: TableStats[];
  indexes: IndexStats[];
  windows: DatabaseWindow[];
  /** Added by the collector helper: snapshot mode's short pg_stat_activity sample (load mode samples per window instead). */
  activity?: ActivitySummary | null;
  plans: StatementPlan[];
  indexSuggestions: IndexSuggestion[];
  nPlusOne: NPlusOneGroup[];
  /** True when speedguard was allowed to create (and roll back) indexes: --allow-writes. */
  allowWrites: boolean;
  /** Things that could not be collected, each one line (e.g. "pg_stat_statements is not installed: …"). */
  warnings: string[];
}

/**
 * The N+1 bar (Sentry's default): the same statement this many times in one request — counted by the
 * agent per request, or inferred as calls per HTTP request of a window. The agent's in-target copy
 * (sql-requests.ts REPEAT_THRESHOLD) cannot import this file and must stay equal (tested).
 */
export const N_PLUS_ONE_MIN_REPEATS = 5;

/** The database probes of a record, if it has them. */
export function databaseProbesOf(record: { probes: { database?: DatabaseProbes | undefined } }): DatabaseProbes | null {
  // Stored records are read back from JSON: check the shape rather than trust the type.
  const d = record.probes.database;
  return d && typeof d === 'object' && 'server' in d ? d : null;
}
