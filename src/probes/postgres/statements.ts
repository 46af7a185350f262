// Reads pg_stat_statements for the current database and turns two reads into "what ran in between".
//
// Version-adaptive by the VIEW's columns, not the server version: the columns depend on the
// extension version actually installed (a PG 13 server can still carry extension 1.7 until someone
// runs ALTER EXTENSION … UPDATE). 1.8 (PG13) renamed total_time → total_exec_time and added
// total_plan_time; 1.9 (PG14) added toplevel and pg_stat_statements_info (dealloc, stats_reset);
// 1.11 (PG17) renamed blk_read_time → shared_blk_read_time (not read here).
//
// Entries are per (userid, dbid, queryid, toplevel): we sum the variants of a queryid. Each variant
// keeps its own first-seen text, so speedguard's own statements (all start with the marker comment,
// see connect.ts) are dropped per variant before summing, and an application's identical statement
// run by another role is kept.
import type { StatementStats, StatementsSnapshot } from '../../record/database-probes.ts';
import { SPEEDGUARD_SQL_MARKER } from './connect.ts';
import { pgStatStatementsSchema, quoteIdent } from './server-info.ts';
import type { DbSession } from './session.ts';

/** Raw cumulative counters of one queryid (summed over its userid/toplevel variants). */
export interface StatementCounters {
  queryId: string;
  query: string;
  calls: number;
  rows: number;
  totalExecMs: number;
  totalPlanMs: number;
  /** Max over the variants; only meaningful for cumulative (snapshot) use. */
  maxExecMs: number;
  sharedBlksHit: number;
  sharedBlksRead: number;
  tempBlksRead: number;
  tempBlksWritten: number;
}

export interface StatementsRead {
  info: StatementsSnapshot;
  entries: StatementCounters[];
  /** pg_stat_statements_info.stats_reset (extension 1.9+), to notice a reset between two reads. */
  statsReset: string | null;
}

/** pg_stat_statements cannot be read in this database (not created, not loaded, no permission). */
export class StatementsUnavailableError extends Error {
  override name = 'StatementsUnavailableError';
}

export const MAX_QUERY_TEXT = 2000;

interface Row extends Record<string, unknown> {
  queryid: string;
  query: string | null;
  calls: number;
  rows: number;
  exec_ms: number;
  plan_ms: number;
  max_ms: number;
  hit: number;
  read: number;
  temp_read: number;
  temp_written: number;
}

export async function readStatements(s: DbSession): Promise<StatementsRead> {
  const schema = await pgStatStatementsSchema(s);
  if (schema === null)
    throw new StatementsUnavailableError('pg_stat_statements is not created in this database (CREATE EXTENSION pg_stat_statements)');
  const ns = quoteIdent(schema);
  const view = `${ns}.pg_stat_statements`;
  const cols = new Set(
    (
      await s.query<{ attname: string }>(
        `SELECT attname FROM pg_attribute WHERE attrelid = $1::regclass AND attnum > 0 AND NOT attisdropped`,
        [view],
      )
    ).map((r) => r.attname),
  );
  const [ext] = await s.query<{ extversion: string }>(`SELECT extversion FROM pg_extension WHERE extname = 'pg_stat_statements'`);
  let exec: string, max: string;
  if (cols.has('total_exec_time')) {
    exec = 'total_exec_time';
    max = 'max_exec_time';
  } else if (cols.has('total_time')) {
    exec = 'total_time';
    max = 'max_time';
  } else
    throw new StatementsUnavailableError(
      `pg_stat_statements ${ext?.extversion ?? '?'} has neither total_exec_time nor total_time: unsupported version`,
    );
  const plan = cols.has('total_plan_time') ? 'sum(total_plan_time)' : '0';

  let rows: Row[];
  try {
    rows = await s.query<Row>(
      `SELECT queryid::text AS queryid, min(left(query, ${MAX_QUERY_TEXT})) AS query,
              sum(calls)::float8 AS calls, sum(rows)::float8 AS rows,
              sum(${exec})::float8 AS exec_ms, (${plan})::float8 AS plan_ms, max(${max})::float8 AS max_ms,
              sum(shared_blks_hit)::float8 AS hit, sum(shared_blks_read)::float8 AS read,
              sum(temp_blks_read)::float8 AS temp_read, sum(temp_blks_written)::float8 AS temp_written
         FROM ${view}
        WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database())
          AND queryid IS NOT NULL
          AND coalesce(strpos(query, $1), 0) = 0
        GROUP BY queryid`,
      [SPEEDGUARD_SQL_MARKER],
    );
  } catch (e) {
    const code = (e as { code?: string }).code;
    if (code === '55000' || code === '42501')
      throw new StatementsUnavailableError(`pg_stat_statements cannot be read: ${(e as Error).message}`);
    throw e;
  }
  const [count] = await s.query<{ n: number }>(`SELECT count(*)::float8 AS n FROM ${ns}.pg_stat_statements(false)`);
  let dealloc: number | null = null;
  let statsReset: string | null = null;
  if (cols.has('toplevel')) {
    const [info] = await s.query<{ dealloc: number; stats_reset: Date | null }>(
      `SELECT dealloc::float8 AS dealloc, stats_reset FROM ${ns}.pg_stat_statements_info`,
    );
    if (info) {
      dealloc = info.dealloc;
      statsReset = info.stats_reset ? new Date(info.stats_reset).toISOString() : null;
    }
  }
  return {
    info: { extVersion: ext?.extversion ?? '', takenAt: new Date().toISOString(), entries: count?.n ?? rows.length, dealloc },
    statsReset,
    entries: rows.map((r) => ({
      queryId: r.queryid,
      query: r.query ?? '',
      calls: r.calls,
      rows: r.rows,
      totalExecMs: r.exec_ms,
      totalPlanMs: r.plan_ms,
      maxExecMs: r.max_ms,
      sharedBlksHit: r.hit,
      sharedBlksRead: r.read,
      tempBlksRead: r.temp_read,
      tempBlksWritten: r.temp_written,
    })),
  };
}

const round3 = (x: number) => Math.round(x * 1000) / 1000;

const COUNTERS = [
  'calls',
  'rows',
  'totalExecMs',
  'totalPlanMs',
  'sharedBlksHit',
  'sharedBlksRead',
  'tempBlksRead',
  'tempBlksWritten',
] as const;

/**
 * StatementStats from counters: hit ratio, mean, share of the total exec time; sorted by total
 * exec time (then calls, then queryId, so equal inputs give equal output). `cumulative` keeps maxExecMs.
 */
export function toStatementStats(entries: StatementCounters[], o: { cumulative: boolean }): StatementStats[] {
  const total = entries.reduce((a, e) => a + e.totalExecMs, 0);
  return entries
    .map(
      (e): StatementStats => ({
        queryId: e.queryId,
        query: e.query.length > MAX_QUERY_TEXT ? e.query.slice(0, MAX_QUERY_TEXT) : e.query,
        calls: e.calls,
        rows: e.rows,
        totalExecMs: round3(e.totalExecMs),
        meanExecMs: e.calls > 0 ? round3(e.totalExecMs / e.calls) : 0,
        maxExecMs: o.cumulative ? round3(e.maxExecMs) : null,
        totalPlanMs: round3(e.totalPlanMs),
        sharedBlksHit: e.sharedBlksHit,
        sharedBlksRead: e.sharedBlksRead,
        tempBlksRead: e.tempBlksRead,
        tempBlksWritten: e.tempBlksWritten,
        hitRatio: e.sharedBlksHit + e.sharedBlksRead > 0 ? e.sharedBlksHit / (e.sharedBlksHit + e.sharedBlksRead) : null,
        shareOfTotal: total > 0 ? e.totalExecMs / total : 0,
      }),
    )
    .sort((a, b) => b.totalExecMs - a.totalExecMs || b.calls - a.calls || (a.queryId < b.queryId ? -1 : a.queryId > b.queryId ? 1 : 0));
}

/** Cumulative statements of one read (snapshot mode), top N by total exec time. */
export function cumulativeStatements(read: StatementsRead, topN = 50): StatementStats[] {
  return toStatementStats(read.entries, { cumulative: true }).slice(0, topN);
}

/**
 * What ran between two reads (all of it; callers cut to their top N after using the totals).
 * An entry new in `after` counts fully. An entry whose counters went DOWN was reset or evicted and
 * re-created during the window: its `after` values are the best delta we have, and a warning says so.
 * Warnings are pushed to `warnings` when given.
 */
export function diffStatements(before: StatementsRead, after: StatementsRead, warnings?: string[]): StatementStats[] {
  const prev = new Map(before.entries.map((e) => [e.queryId, e]));
  const deltas: StatementCounters[] = [];
  let wentDown = 0;
  for (const a of after.entries) {
    const b = prev.get(a.queryId);
    let d: StatementCounters;
    if (!b) d = { ...a };
    else if (COUNTERS.some((k) => a[k] < b[k])) {
      d = { ...a };
      wentDown++;
    } else {
      d = { ...a };
      for (const k of COUNTERS) d[k] = a[k] - b[k];
    }
    if (d.calls > 0) deltas.push(d);
  }
  if (warnings) {
    if (before.statsReset !== after.statsReset && after.statsReset !== null) {
      warnings.push(
        `pg_stat_statements was reset during the window (at ${after.statsReset}): statement counts cover only the time since the reset`,
      );
    } else if (wentDown > 0) {
      warnings.push(
        `${wentDown} statement(s) had counters that went down during the window ` +
          `(pg_stat_statements reset or entry evicted and re-created): their counts since then are used`,
      );
    }
    if (before.info.dealloc !== null && after.info.dealloc !== null && after.info.dealloc > before.info.dealloc) {
      warnings.push(
        `pg_stat_statements evicted ${after.info.dealloc - before.info.dealloc} entries during the window ` +
          `(pg_stat_statements.max is too small): some statements may be missing or undercounted`,
      );
    }
  }
  return toStatementStats(deltas, { cumulative: false });
}

/** Statements of several windows summed by queryId (load mode's whole-run view), top N. */
export function sumStatements(lists: StatementStats[][], topN = 50): StatementStats[] {
  const byId = new Map<string, StatementCounters>();
  for (const list of lists) {
    for (const st of list) {
      const c = byId.get(st.queryId);
      if (!c) {
        byId.set(st.queryId, {
          queryId: st.queryId,
          query: st.query,
          calls: st.calls,
          rows: st.rows,
          totalExecMs: st.totalExecMs,
          totalPlanMs: st.totalPlanMs,
          maxExecMs: st.maxExecMs ?? 0,
          sharedBlksHit: st.sharedBlksHit,
          sharedBlksRead: st.sharedBlksRead,
          tempBlksRead: st.tempBlksRead,
          tempBlksWritten: st.tempBlksWritten,
        });
      } else {
        for (const k of COUNTERS) c[k] += st[k];
      }
    }
  }
  return toStatementStats([...byId.values()], { cumulative: false }).slice(0, topN);
}
