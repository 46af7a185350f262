// The database figures of a record, from its `probes.database`: the statements to judge (whole run
// under load, or cumulative in a snapshot), per-statement means, the slow-query bar, the cache hit
// ratio and connection use. Pure functions, computed once when the record is built (stored as
// record.databaseFigures, assess/build-record.ts) and read by the db-* audits, so a report draws the
// number an audit judged instead of recomputing it.
import { DEFAULT_THRESHOLDS } from './severity.ts';
import { ms, round } from './format.ts';
import type { PhaseName } from '../record/phase-name.ts';
import type { AssessmentRecord } from '../record/assessment-record.ts';
import type { DatabaseFigures } from '../record/database-figures.ts';
import {
  databaseProbesOf,
  type ActivitySummary,
  type DatabaseProbes,
  type IndexSuggestion,
  type StatementStats,
} from '../record/database-probes.ts';

/** pgHero's "slow query" bar (lib/pghero.rb slow_query_calls / slow_query_ms): enough calls to matter, each slow enough to feel. */
export const PGHERO_SLOW_CALLS = 100;
export const PGHERO_SLOW_MS = 20;

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

/**
 * Statements that are not application queries: DDL, maintenance, transaction control, session
 * settings. Their time says nothing about the application's queries (a long CREATE INDEX is not a
 * slow query) and they take no index. Grouped: DDL and maintenance; transaction control; session
 * settings and other utility commands.
 */
const UTILITY_KEYWORDS = [
  'create|alter|drop|vacuum|analy[sz]e|copy|reindex|cluster',
  'begin|start\\s+transaction|commit|end|rollback|savepoint|release',
  'set|reset|show|explain|grant|revoke|truncate|checkpoint|refresh|discard|deallocate|prepare',
  'listen|notify|unlisten|lock|comment|security|do|load',
];
const UTILITY = new RegExp(`^\\s*(${UTILITY_KEYWORDS.join('|')})\\b`, 'i');
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
  const one = String(sql ?? '')
    .replace(/\s+/g, ' ')
    .trim();
  return one.length > max ? `${one.slice(0, max - 1)}…` : one;
}

/** Activity summaries: per measured window (load mode, labelled with its phase), or the snapshot's short sample. */
export function activities(v: DbView): Array<{ phase: PhaseName | 'window'; activity: ActivitySummary }> {
  const out: Array<{ phase: PhaseName | 'window'; activity: ActivitySummary }> = (v.probes.windows ?? [])
    .filter((w) => w.activity)
    .map((w) => ({ phase: w.phase, activity: w.activity! }));
  if (!out.length && v.probes.activity) out.push({ phase: 'window', activity: v.probes.activity });
  return out;
}

/** Slow by pgHero's bar (≥ 100 calls, ≥ 20 ms mean) or above ASSESSMENT-RULES.md §2's lowest DB band. */
export function isSlowStatement(s: StatementStats, band = DEFAULT_THRESHOLDS.dbQueryMs): boolean {
  if (isUtilityStatement(s.query)) return false;
  const mean = meanMsOf(s);
  return mean > band.p2 || (s.calls >= PGHERO_SLOW_CALLS && mean >= PGHERO_SLOW_MS);
}

export function dbFigures(v: DbView, band = DEFAULT_THRESHOLDS.dbQueryMs): DatabaseFigures {
  const windows = v.probes.windows ?? [];
  const haveStatements = v.probes.server?.pgStatStatements?.available !== false && (v.statements.length > 0 || windows.length > 0);
  let calls = 0;
  let execMs = 0;
  if (v.mode === 'load' && windows.length) {
    for (const w of windows) {
      calls += w.totals?.calls ?? 0;
      execMs += w.totals?.execMs ?? 0;
    }
  } else {
    for (const s of v.statements) {
      calls += s.calls;
      execMs += s.totalExecMs;
    }
  }
  const app = v.statements.filter((s) => !isUtilityStatement(s.query) && s.calls > 0).sort((a, b) => meanMsOf(a) - meanMsOf(b));
  let p95: number | null = null;
  const weight = app.reduce((t, s) => t + s.calls, 0);
  if (weight > 0) {
    let acc = 0;
    for (const s of app) {
      acc += s.calls;
      if (acc >= 0.95 * weight) {
        p95 = meanMsOf(s);
        break;
      }
    }
  }
  const acts = activities(v);
  const maxConn = v.probes.server?.settings?.maxConnections ?? 0;
  const connectionUse =
    acts.length && maxConn > 0 ? Math.max(...acts.map((a) => a.activity.total.max / (a.activity.maxConnections || maxConn))) : null;
  const cache = cacheFigure(v);
  return {
    mode: v.mode,
    queryTimeAvgMs: haveStatements && calls > 0 ? execMs / calls : null,
    queryTimeP95Ms: haveStatements ? p95 : null,
    slowQueries: haveStatements ? v.statements.filter((s) => isSlowStatement(s, band)).length : null,
    connectionUse,
    cacheHitRatio: cache?.ratio ?? null,
    cacheBlocks: cache?.blocks ?? null,
    cacheSource: cache?.source ?? null,
    slowBarMs: band.p2,
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
    for (const w of windows) {
      hit += w.totals?.sharedBlksHit ?? 0;
      read += w.totals?.sharedBlksRead ?? 0;
    }
    return hit + read > 0
      ? { ratio: hit / (hit + read), blocks: hit + read, source: 'statements run under the load (shared buffers)' }
      : null;
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

/**
 * The record's database figures as the reports draw them: the ones stored when it was built (with
 * the thresholds the audits used), else — a record made before they were stored — computed here.
 */
export function databaseFiguresOf(record: Pick<AssessmentRecord, 'probes' | 'databaseFigures'>): DatabaseFigures | null {
  if (record.databaseFigures && typeof record.databaseFigures === 'object') return record.databaseFigures;
  const v = dbView(record);
  return v ? dbFigures(v) : null;
}

/** The gain in a few words for titles and the terminal: "1.40 s → 0.80 ms per call", "planner cost 1850 → 8.3", "gain not measured". */
export function shortGain(sg: IndexSuggestion): string {
  if (sg.msBefore !== null && sg.msAfter !== null) return `${ms(sg.msBefore)} → ${ms(sg.msAfter)} per call`;
  if (sg.costBefore !== null && sg.costAfter !== null)
    return `planner cost ${round(sg.costBefore, 1).toLocaleString('en-US')} → ${round(sg.costAfter, 1).toLocaleString('en-US')}`;
  return 'gain not measured';
}
