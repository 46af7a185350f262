// What the agent's SQL instrumentation reports in AgentSample.sql (N+1 detection), as stored in a
// record. Per-interval DELTAS, like the rest of AgentSample: sum them over a window (n-plus-one.ts does).

/** Where a repeated statement was issued: the first application frame (not node:, not node_modules). */
export interface SqlLocation {
  /** Absolute path (file URLs of ES modules are converted). */
  file: string;
  line: number;
  function: string;
  /**
   * Every application frame of the call's stack, innermost first (the first is the one above), when
   * there is more than one: a query helper's callers, up to the loop that calls it. Absent in older records.
   */
  frames?: SqlFrame[];
}

/** One application frame of a statement's call stack (1-based line and column). */
export interface SqlFrame {
  file: string;
  line: number;
  column: number;
  function: string;
}

/**
 * One (endpoint, statement) pair that ran ≥ `threshold` times inside single requests, over the
 * requests that finished in the interval. Only the requests where it repeated are counted here.
 */
export interface SqlRepetition {
  /** "GET /customers/:id/orders": method and path, ids (numbers, uuids, hashes) as :id, no query. */
  endpoint: string;
  /** Normalised statement (literals and parameters as $1, $2 …; see sql-fingerprint.ts). */
  statement: string;
  /** 'pg' (node-postgres) or 'postgres' (postgres.js). */
  driver: string;
  /** Requests in which the statement ran ≥ threshold times. */
  requests: number;
  /** Executions summed over those requests, and the most in one of them. */
  executions: number;
  maxExecutions: number;
  /** Time in the statement (call → result, ms) summed over those requests. */
  ms: number;
  /** Those requests' durations summed (ms): ms / requestMs is the statement's share. */
  requestMs: number;
  location: SqlLocation | null;
}

/**
 * One statement over the requests that finished in the interval and ran it at least once (every
 * statement, not only repeated ones): what the database's time per request is made of.
 */
export interface SqlStatementUse {
  /** Normalised statement (literals and parameters as $1, $2 …). */
  statement: string;
  driver: string;
  /** Requests that ran it, its executions in them, the time in it (call → result, ms) and those requests' durations (ms). */
  requests: number;
  executions: number;
  ms: number;
  requestMs: number;
  /** The first application frame that issued it (with the frames above it), when known. */
  location: SqlLocation | null;
}

export interface AgentSqlStats {
  /** Drivers instrumented so far in the process (cumulative, not a delta). */
  drivers: string[];
  /** Executions of one statement in one request from which it is reported (5: Sentry's N+1 bar). */
  threshold: number;
  /**
   * Requests that finished in the interval, by endpoint. Counted only from the moment a driver was
   * instrumented (and, for a postgres.js copy the agent imported itself, ran its first statement).
   */
  endpoints: Record<string, number>;
  /** Of those, requests that ran at least one statement, their statements and the statements' time (ms). */
  requestsWithSql: number;
  statements: number;
  statementMs: number;
  repeated: SqlRepetition[];
  /** Endpoints or repetitions not recorded in the interval because a size cap was reached. */
  dropped: number;
  /** Every statement run inside requests, by statement (capped; absent in older records). */
  byStatement?: SqlStatementUse[];
  /**
   * Most statements running at once in the interval, of those issued inside requests (absent in older records):
   * pinned at the same value while requests wait, it is the size of the pool they share.
   */
  inFlightMax?: number;
}
