// The database's part of the incoming requests' time, from the statements the Node agent timed inside
// requests (AgentSqlStats.byStatement and inFlightMax, probes/node-agent/sql-requests.ts): which
// statement holds it, where the application issues it, and whether the statements kept a connection
// pool pinned while more requests waited. The limiting resource (limiting.ts) and the db-statement-wait
// audit read it. Pure functions of agent samples; null on records without the per-statement figures.
import type { AgentSample } from '../../record/agent-samples.ts';
import type { AssessmentRecord } from '../../record/assessment-record.ts';
import { databaseProbesOf, type StatementStats } from '../../record/database-probes.ts';
import type { PhaseName } from '../../record/phase-name.ts';
import type { SqlLocation } from '../../record/agent-sql-samples.ts';
import { ms, pct } from '../../analysis/format.ts';
import { shortSql } from '../../analysis/database-figures.ts';
import { inFlightPlateau, SHARE_DOMINANT } from '../downstream-wait.ts';
import { median } from './record.ts';
import { siteText } from './target.ts';

/** A pool whose connections ran statements this share of the time is at its limit (the P2 CPU band's edge, §2). */
export const DB_POOL_BUSY = 0.75;
/** Characters of a statement's text in a title: enough to recognise it. */
export const STATEMENT_NAME_CHARS = 60;

export interface StatementTime {
  /** Normalised text ($1 for literals). */
  statement: string;
  driver: string;
  requests: number;
  executions: number;
  /** Mean time per execution (call → result, ms). */
  meanMs: number;
  /** Time in it per request that ran it (ms). */
  msPerRequest: number;
  /** Its time as a share of all incoming requests' time, and of all statements' time (0..1). */
  share: number;
  shareOfDatabase: number;
  location: SqlLocation | null;
}

export interface DatabaseTime {
  incomingMs: number;
  incomingCount: number;
  /** All statements' time inside requests, and its share of the incoming requests' time. */
  statementMs: number;
  share: number;
  /** Largest time first. */
  statements: StatementTime[];
  /** Statements in flight pinned at a pool's size while more requests were in flight; how busy it was. */
  pool: { size: number; busy: number } | null;
  incomingInFlightMedian: number;
}

/** The window's statements summed from the agent samples; null when none carries per-statement figures. */
export function databaseTimeOf(samples: readonly AgentSample[]): DatabaseTime | null {
  const withSql = samples.filter((s) => s.sql?.byStatement !== undefined);
  if (withSql.length === 0) return null;
  let incomingMs = 0;
  let incomingCount = 0;
  for (const s of samples)
    for (const st of Object.values(s.httpIn.byMethodStatus)) {
      incomingMs += st.totalMs;
      incomingCount += st.count;
    }
  const per = new Map<string, Omit<StatementTime, 'meanMs' | 'msPerRequest' | 'share' | 'shareOfDatabase'> & { ms: number }>();
  let statementMs = 0;
  for (const s of withSql)
    for (const u of s.sql!.byStatement!) {
      statementMs += u.ms;
      const e = per.get(u.statement) ?? { statement: u.statement, driver: u.driver, requests: 0, executions: 0, ms: 0, location: null };
      e.requests += u.requests;
      e.executions += u.executions;
      e.ms += u.ms;
      e.location ??= u.location;
      per.set(u.statement, e);
    }
  const statements = [...per.values()]
    .filter((e) => e.executions > 0)
    .map(({ ms: total, ...e }) => ({
      ...e,
      meanMs: total / e.executions,
      msPerRequest: e.requests ? total / e.requests : 0,
      share: incomingMs > 0 ? total / incomingMs : 0,
      shareOfDatabase: statementMs > 0 ? total / statementMs : 0,
    }))
    .sort((a, b) => b.share - a.share);
  const incomingInFlightMedian = median(samples.map((s) => s.httpIn.inFlightMax));
  const size = inFlightPlateau(
    withSql.map((s) => s.sql!.inFlightMax ?? 0),
    withSql.length,
  );
  const wallMs = withSql.reduce((t, s) => t + s.intervalMs, 0);
  const pool =
    size !== null && incomingInFlightMedian > size && wallMs > 0 ? { size, busy: Math.min(1, statementMs / (size * wallMs)) } : null;
  return {
    incomingMs,
    incomingCount,
    statementMs,
    share: incomingMs > 0 ? Math.min(1, statementMs / incomingMs) : 0,
    statements,
    pool,
    incomingInFlightMedian,
  };
}

/**
 * The statement that limits the requests, when the evidence shows one: the statements kept a pool's
 * connections busy (≥ DB_POOL_BUSY) while more requests waited ('pool'), or the database's time is
 * most of the request time (≥ SHARE_DOMINANT, as for a downstream: 'time'). The statement named holds
 * most of that time. Null otherwise.
 */
export function limitingStatement(dt: DatabaseTime | null): { how: 'pool' | 'time'; top: StatementTime } | null {
  const top = dt?.statements[0];
  if (!dt || !top) return null;
  if (dt.pool && dt.pool.busy >= DB_POOL_BUSY) return { how: 'pool', top };
  if (dt.share >= SHARE_DOMINANT) return { how: 'time', top };
  return null;
}

/** 'the SQL statement "select pg_sleep($1)"' */
export function statementName(s: Pick<StatementTime, 'statement'>): string {
  return `the SQL statement "${shortSql(s.statement, STATEMENT_NAME_CHARS)}"`;
}

/** "handle (/srv/app/server.mjs:14)", or null when the agent did not find the call site. */
export function issuedAt(s: Pick<StatementTime, 'location'>): string | null {
  const l = s.location;
  return l ? siteText({ function: l.function || '(anonymous)', file: l.file, ...(l.line ? { line: l.line } : {}) }) : null;
}

/** The statement with its figures: mean time, share of the request time, where it is issued; and the pool it pins. */
export function statementText(dt: DatabaseTime, lim: { how: 'pool' | 'time'; top: StatementTime }): string {
  const s = lim.top;
  const at = issuedAt(s);
  const figures =
    `${ms(s.meanMs)} mean, ${pct(s.share)} of the request time` +
    (s.shareOfDatabase < 0.995 ? `, ${pct(s.shareOfDatabase)} of the database time` : '') +
    (at ? `; issued in ${at}` : '');
  const pool =
    lim.how === 'pool' && dt.pool
      ? `, holding the database pool's ${dt.pool.size} connection${dt.pool.size === 1 ? '' : 's'} busy ${pct(dt.pool.busy)} of ` +
        'the time while more requests waited'
      : '';
  return `${statementName(s)} (${figures})${pool}`;
}

/** Whitespace, a trailing semicolon and case aside, the same text: pg_stat_statements and the agent both write $1 for literals. */
const canonical = (sql: string) => sql.replace(/\s+/g, ' ').replace(/;\s*$/, '').trim().toLowerCase();

/**
 * PostgreSQL's own figures for the statement (pg_stat_statements, with --db): from the window of the
 * profiled phase when the database probe measured one, else over the run. Null without them.
 */
export function serverSideOf(record: AssessmentRecord, statement: string, phase: PhaseName): StatementStats | null {
  const db = databaseProbesOf(record);
  if (!db) return null;
  const want = canonical(statement);
  const inPhase = db.windows.find((w) => w.phase === phase)?.statements ?? [];
  return [...inPhase, ...db.statements].find((x) => x.calls > 0 && canonical(x.query) === want) ?? null;
}
