// What the database audits (db-*.ts) and the database sections of the reports read from a record's
// `probes.database`: the statements to judge (whole run under load, or cumulative in a snapshot),
// figures summed over the measured windows, lookups between statements, plans and index
// suggestions, and SQL text made short enough for a title. Pure functions of the record.
import { meanMsOf, rowsPerCall, shortSql, type DbView } from '../../analysis/database-figures.ts';
import type { IndexSuggestion, StatementPlan, StatementStats } from '../../record/database-probes.ts';
import { SEVERITY_ORDER, severityRank, type Evidence, type Finding, type Severity } from '../../record/findings.ts';
import { ms, pct, round } from '../../analysis/format.ts';

/** Most findings of one kind an audit reports (the rest are counted in the last one's text): a list, not a flood. */
export const MAX_FINDINGS_PER_AUDIT = 5;
/** "PostgreSQL shop" — the component of a database finding. */
export function dbComponent(v: DbView, what?: string): string {
  return `PostgreSQL ${v.database}${what ? `: ${what}` : ''}`;
}

/** An SQL identifier as PostgreSQL needs it written: bare when it is lower-case plain, else double-quoted. */
export function quoteIdent(name: string): string {
  return /^[a-z_][a-z0-9_$]*$/.test(name) && !RESERVED.has(name) ? name : `"${name.replace(/"/g, '""')}"`;
}
const RESERVED = new Set([
  'all',
  'analyse',
  'analyze',
  'and',
  'any',
  'array',
  'as',
  'asc',
  'both',
  'case',
  'cast',
  'check',
  'collate',
  'column',
  'constraint',
  'create',
  'default',
  'desc',
  'distinct',
  'do',
  'else',
  'end',
  'except',
  'false',
  'for',
  'foreign',
  'from',
  'grant',
  'group',
  'having',
  'in',
  'into',
  'leading',
  'limit',
  'not',
  'null',
  'offset',
  'on',
  'only',
  'or',
  'order',
  'primary',
  'references',
  'select',
  'table',
  'then',
  'to',
  'true',
  'union',
  'unique',
  'user',
  'using',
  'when',
  'where',
  'with',
]);

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
  if (s.maxExecMs !== null && s.maxExecMs !== undefined)
    ev.push({ label: `${prefix}slowest call`, value: round(s.maxExecMs, 1), unit: 'ms', ...p });
  if (s.tempBlksWritten > 0)
    ev.push({ label: `${prefix}temp blocks written (spilled to disk)`, value: s.tempBlksWritten, unit: 'count', ...p });
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
  return s === 'low' || s === 'info' ? s : SEVERITY_ORDER[severityRank(s) + 1]!;
}

/** "seen 14 ms mean over 2,300 calls" for descriptions. */
export function statementSummary(s: StatementStats): string {
  const calls = s.calls.toLocaleString('en-US');
  const share = pct(s.shareOfTotal);
  return `${calls} calls, mean ${ms(meanMsOf(s))}, ${share} of the database's statement time, ${round(rowsPerCall(s), 1)} rows per call`;
}

/** The common "how to check" text of database recommendations. */
export function recheckText(v: DbView): string {
  return v.mode === 'load'
    ? "Re-run the same load with --db: the statement's mean and share of database time must fall, and request latency with them."
    : 'Reset the statistics (SELECT pg_stat_statements_reset()), let the application run, then run speedguard db again: ' +
        "the statement's mean time must have fallen.";
}

export type DbLocation = Finding['location'];
