// What the database audits (db-*.ts) and the database sections of the reports read from a record's
// `probes.database`: the statements to judge (whole run under load, or cumulative in a snapshot),
// figures summed over the measured windows, lookups between statements, plans and index
// suggestions, and SQL text made short enough for a title. Pure functions of the record.
import { DEFAULT_THRESHOLDS } from '../../analysis/severity.ts';
import type { PhaseName } from '../../record/phase-name.ts';
import type { AssessmentRecord } from '../../record/assessment-record.ts';
import {
  databaseProbesOf, type ActivitySummary, type DatabaseProbes, type IndexSuggestion, type StatementPlan, type StatementStats,
} from '../../record/database-probes.ts';
import type { Evidence, Finding, Severity } from '../../record/findings.ts';
import { ms, pct, round } from './format.ts';

/** pgHero's "slow query" bar (lib/pghero.rb slow_query_calls / slow_query_ms): enough calls to matter, each slow enough to feel. */
export const PGHERO_SLOW_CALLS = 100;
export const PGHERO_SLOW_MS = 20;
/** Most findings of one kind an audit reports (the rest are counted in the last one's text): a list, not a flood. */
export const MAX_FINDINGS_PER_AUDIT = 5;
/** Characters of a statement shown in titles and tables. */
export const SQL_TITLE_CHARS = 80;

export interface DbView {
  probes: DatabaseProbes;
  /** Database name, for components ("PostgreSQL shop"). */
  database: string;
  mode: DatabaseProbes['mode'];
  /** The statements to judge: cumulative (snapshot) or the whole run's difference (load). */
  statements: StatementStats[];
  /** Phase that evidence is labelled with (load mode with one phase window), else undefined. */
  phase: PhaseName | undefined;
}

/** The database probes of a record as the audits read them; null without them (the audits stay silent). */
export function dbView(record: Pick<AssessmentRecord, 'probes'>): DbView | null {
  const probes = record.probes && typeof record.probes === 'object' ? databaseProbesOf(record) : null;
  if (!probes) return null;
  const windows = Array.isArray(probes.windows) ? probes.windows : [];
  const phases = [...new Set(windows.map((w) => w.phase).filter((p): p is PhaseName => p !== 'window'))];
  return {
    probes,
    database: probes.server?.database || 'database',
    mode: probes.mode,
    statements: Array.isArray(probes.statements) ? probes.statements.filter((s) => s && Number.isFinite(s.meanExecMs)) : [],
    phase: phases.length === 1 ? phases[0] : undefined,
  };
}

/** "PostgreSQL shop" — the component of a database finding. */
export function dbComponent(v: DbView, what?: string): string {
  return `PostgreSQL ${v.database}${what ? `: ${what}` : ''}`;
}

/**
 * Statements that are not application queries: DDL, maintenance, transaction control, session
 * settings. Their time says nothing about the application's queries (a long CREATE INDEX is not a
 * slow query) and they take no index.
 */
const UTILITY = /^\s*(create|alter|drop|vacuum|analy[sz]e|copy|reindex|cluster|begin|start\s+transaction|commit|end|rollback|savepoint|release|set|reset|show|explain|grant|revoke|truncate|checkpoint|refresh|discard|deallocate|prepare|listen|notify|unlisten|lock|comment|security|do|load)\b/i;
export function isUtilityStatement(sql: string): boolean {
  return UTILITY.test(sql);
}

/** Mean time per call including planning (pgHero counts plan + exec time). */
export function meanMsOf(s: StatementStats): number {
  const plan = s.calls > 0 && Number.isFinite(s.totalPlanMs) ? s.totalPlanMs / s.calls : 0;
  return s.meanExecMs + plan;
}

export function rowsPerCall(s: StatementStats): number {
  return s.calls > 0 ? s.rows / s.calls : 0;
}

/** One line, collapsed whitespace, cut to `max` characters with an ellipsis. */
export function shortSql(sql: string, max = SQL_TITLE_CHARS): string {
  const one = String(sql ?? '').replace(/\s+/g, ' ').trim();
  return one.length > max ? `${one.slice(0, max - 1)}…` : one;
}

/** An SQL identifier as PostgreSQL needs it written: bare when it is lower-case plain, else double-quoted. */
export function quoteIdent(name: string): string {
  return /^[a-z_][a-z0-9_$]*$/.test(name) && !RESERVED.has(name) ? name : `"${name.replace(/"/g, '""')}"`;
}
const RESERVED = new Set(['all', 'analyse', 'analyze', 'and', 'any', 'array', 'as', 'asc', 'both', 'case', 'cast', 'check', 'collate', 'column', 'constraint', 'create', 'default', 'desc', 'distinct', 'do', 'else', 'end', 'except', 'false', 'for', 'foreign', 'from', 'grant', 'group', 'having', 'in', 'into', 'leading', 'limit', 'not', 'null', 'offset', 'on', 'only', 'or', 'order', 'primary', 'references', 'select', 'table', 'then', 'to', 'true', 'union', 'unique', 'user', 'using', 'when', 'where', 'with']);

export function qualified(schema: string, name: string): string {
  return schema && schema !== 'public' ? `${quoteIdent(schema)}.${quoteIdent(name)}` : quoteIdent(name);
}

/** Statement stats by queryId (the judged list). */
export function statementById(v: DbView, queryId: string): StatementStats | undefined {
  return v.statements.find((s) => s.queryId === queryId);
}

/** Shared evidence rows for a statement: calls, mean, total, share, rows/call, hit ratio. */
export function statementEvidence(v: DbView, s: StatementStats, prefix = ''): Evidence[] {
  const p = v.phase ? { phase: v.phase } : {};
  const ev: Evidence[] = [
    { label: `${prefix}calls`, value: s.calls, unit: 'count', ...p },
    { label: `${prefix}mean time per call`, value: round(meanMsOf(s), 3), unit: 'ms', ...p },
    { label: `${prefix}total time`, value: round(s.totalExecMs + (s.totalPlanMs || 0), 1), unit: 'ms', ...p },
    { label: `${prefix}share of all statements' time`, value: round(s.shareOfTotal * 100, 1), unit: '%', ...p },
    { label: `${prefix}rows per call`, value: round(rowsPerCall(s), 2), unit: 'count', ...p },
  ];
  if (s.hitRatio !== null) ev.push({ label: `${prefix}shared-buffer hit ratio`, value: round(s.hitRatio * 100, 2), unit: '%', ...p });
  if (s.maxExecMs !== null && s.maxExecMs !== undefined) ev.push({ label: `${prefix}slowest call`, value: round(s.maxExecMs, 1), unit: 'ms', ...p });
  if (s.tempBlksWritten > 0) ev.push({ label: `${prefix}temp blocks written (spilled to disk)`, value: s.tempBlksWritten, unit: 'count', ...p });
  return ev;
}

/** "SELECT … FROM orders WHERE …" in a title. */
export function statementTitle(s: { query: string }): string {
  return shortSql(s.query, 60);
}

/** How much better a suggestion makes its statements (0..1, share of time or cost removed); null when unknown. */
export function suggestionGain(s: IndexSuggestion): number | null {
  if (s.msBefore !== null && s.msAfter !== null && s.msBefore > 0) return Math.max(0, 1 - s.msAfter / s.msBefore);
  if (s.costBefore !== null && s.costAfter !== null && s.costBefore > 0) return Math.max(0, 1 - s.costAfter / s.costBefore);
  return null;
}

/** The gain in a few words for titles and the terminal: "1.40 s → 0.80 ms per call", "planner cost 1850 → 8.3", "gain not measured". */
export function shortGain(sg: IndexSuggestion): string {
  if (sg.msBefore !== null && sg.msAfter !== null) return `${ms(sg.msBefore)} → ${ms(sg.msAfter)} per call`;
  if (sg.costBefore !== null && sg.costAfter !== null) return `planner cost ${round(sg.costBefore, 1).toLocaleString('en-US')} → ${round(sg.costAfter, 1).toLocaleString('en-US')}`;
  return 'gain not measured';
}

/**
 * An index that removes at least half a statement's time or cost explains the statement's slowness
 * (Dexter's 50 % savings bar): db-missing-index owns those statements, db-slow-queries leaves them
 * (one cause, one finding). Heuristic suggestions (plan shape only) explain nothing yet.
 */
export const EXPLAINING_GAIN = 0.5;
export function explainedByIndex(v: DbView): Map<string, IndexSuggestion> {
  const out = new Map<string, IndexSuggestion>();
  for (const s of v.probes.indexSuggestions ?? []) {
    const gain = suggestionGain(s);
    if (s.method === 'heuristic' || gain === null || gain < EXPLAINING_GAIN) continue;
    for (const q of s.queryIds ?? []) if (!out.has(q)) out.set(q, s);
  }
  return out;
}

export function planOf(v: DbView, queryId: string): StatementPlan | undefined {
  return (v.probes.plans ?? []).find((p) => p.queryId === queryId);
}

/** ASSESSMENT-RULES.md §2's DB row applied to a mean time; pgHero's bar gives 'low' below the bands. */
export function statementSeverity(meanMs: number, band: { p0: number; p1: number; p2: number }): Severity | null {
  if (meanMs > band.p0) return 'critical';
  if (meanMs > band.p1) return 'high';
  if (meanMs > band.p2) return 'medium';
  return null;
}

/** One step less severe (critical → high …, low stays low). */
export function milder(s: Severity): Severity {
  const order: Severity[] = ['critical', 'high', 'medium', 'low', 'info'];
  return s === 'low' || s === 'info' ? s : order[order.indexOf(s) + 1]!;
}

/** Activity summaries: per measured window (load mode, labelled with its phase), or the snapshot's short sample. */
export function activities(v: DbView): Array<{ phase: PhaseName | 'window'; activity: ActivitySummary }> {
  const out: Array<{ phase: PhaseName | 'window'; activity: ActivitySummary }> = (v.probes.windows ?? []).filter((w) => w.activity).map((w) => ({ phase: w.phase, activity: w.activity! }));
  if (!out.length && v.probes.activity) out.push({ phase: 'window', activity: v.probes.activity });
  return out;
}

/** "seen 14 ms mean over 2,300 calls" for descriptions. */
export function statementSummary(s: StatementStats): string {
  return `${s.calls.toLocaleString('en-US')} calls, mean ${ms(meanMsOf(s))}, ${pct(s.shareOfTotal)} of the database's statement time, ${round(rowsPerCall(s), 1)} rows per call`;
}

/** The common "how to check" text of database recommendations. */
export function recheckText(v: DbView): string {
  return v.mode === 'load'
    ? 'Re-run the same load with --db: the statement\'s mean and share of database time must fall, and request latency with them.'
    : 'Reset the statistics (SELECT pg_stat_statements_reset()), let the application run, then run speedguard db again: the statement\'s mean time must have fallen.';
}

// ── Figures shared by the audits and the reports (so a report shows the number an audit judged).

export interface DbFigures {
  mode: DatabaseProbes['mode'];
  /** Mean time per call over all statements (ms); null without pg_stat_statements. */
  queryTimeAvgMs: number | null;
  /** 95th percentile of per-statement mean times, weighted by calls (ms): no per-call distribution exists in pg_stat_statements. */
  queryTimeP95Ms: number | null;
  slowQueries: number | null;
  /** Peak connections of the database / max_connections (0..1); null when activity was not sampled. */
  connectionUse: number | null;
  /** Shared-buffer hit ratio that was judged (0..1): the windows' statements under load, the tables' (heap) in a snapshot. */
  cacheHitRatio: number | null;
  /** Blocks the ratio rests on (hit + read), when known. */
  cacheBlocks: number | null;
  statements: number;
}

/** Slow by pgHero's bar (≥ 100 calls, ≥ 20 ms mean) or above ASSESSMENT-RULES.md §2's lowest DB band. */
export function isSlowStatement(s: StatementStats, band = DEFAULT_THRESHOLDS.dbQueryMs): boolean {
  if (isUtilityStatement(s.query)) return false;
  const mean = meanMsOf(s);
  return mean > band.p2 || (s.calls >= PGHERO_SLOW_CALLS && mean >= PGHERO_SLOW_MS);
}

export function dbFigures(v: DbView, band = DEFAULT_THRESHOLDS.dbQueryMs): DbFigures {
  const windows = v.probes.windows ?? [];
  const haveStatements = v.probes.server?.pgStatStatements?.available !== false && (v.statements.length > 0 || windows.length > 0);
  let calls = 0;
  let execMs = 0;
  if (v.mode === 'load' && windows.length) {
    for (const w of windows) { calls += w.totals?.calls ?? 0; execMs += w.totals?.execMs ?? 0; }
  } else {
    for (const s of v.statements) { calls += s.calls; execMs += s.totalExecMs; }
  }
  const app = v.statements.filter((s) => !isUtilityStatement(s.query) && s.calls > 0).sort((a, b) => meanMsOf(a) - meanMsOf(b));
  let p95: number | null = null;
  const weight = app.reduce((t, s) => t + s.calls, 0);
  if (weight > 0) {
    let acc = 0;
    for (const s of app) {
      acc += s.calls;
      if (acc >= 0.95 * weight) { p95 = meanMsOf(s); break; }
    }
  }
  const acts = activities(v);
  const maxConn = v.probes.server?.settings?.maxConnections ?? 0;
  const connectionUse = acts.length && maxConn > 0 ? Math.max(...acts.map((a) => a.activity.total.max / (a.activity.maxConnections || maxConn))) : null;
  const cache = cacheFigure(v);
  return {
    mode: v.mode,
    queryTimeAvgMs: haveStatements && calls > 0 ? execMs / calls : null,
    queryTimeP95Ms: haveStatements ? p95 : null,
    slowQueries: haveStatements ? v.statements.filter((s) => isSlowStatement(s, band)).length : null,
    connectionUse,
    cacheHitRatio: cache?.ratio ?? null,
    cacheBlocks: cache?.blocks ?? null,
    statements: v.statements.length,
  };
}

/**
 * The cache hit ratio to judge and the block count behind it. Under load: the windows' statements
 * (what the load read). In a snapshot: the tables' heap ratio (pgHero's table hit rate), with the
 * statements' blocks as the volume behind it when the probes carry no block counts.
 */
export function cacheFigure(v: DbView): { ratio: number; blocks: number | null; source: string } | null {
  const windows = v.probes.windows ?? [];
  if (v.mode === 'load' && windows.length) {
    let hit = 0;
    let read = 0;
    for (const w of windows) { hit += w.totals?.sharedBlksHit ?? 0; read += w.totals?.sharedBlksRead ?? 0; }
    return hit + read > 0 ? { ratio: hit / (hit + read), blocks: hit + read, source: 'statements run under the load (shared buffers)' } : null;
  }
  const c = v.probes.cacheHitRatio;
  const blocks = v.probes.cacheHitRatio?.blocks;
  const stmtBlocks = v.statements.reduce((t, s) => t + s.sharedBlksHit + s.sharedBlksRead, 0);
  if (c && typeof c.tables === 'number') {
    const b = blocks ? blocks.heapHit + blocks.heapRead : stmtBlocks || null;
    return { ratio: c.tables, blocks: b, source: 'tables (pg_statio_user_tables, heap blocks)' };
  }
  if (stmtBlocks > 0) {
    const hit = v.statements.reduce((t, s) => t + s.sharedBlksHit, 0);
    return { ratio: hit / stmtBlocks, blocks: stmtBlocks, source: 'statements (pg_stat_statements shared blocks)' };
  }
  return null;
}

export type DbLocation = Finding['location'];
