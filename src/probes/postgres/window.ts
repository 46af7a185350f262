// The database view of one measured window (an assess phase, the profile window): pg_stat_statements
// and table scan counters read at the start and at the end, the difference is what the load caused;
// pg_stat_activity is sampled in between on a connection of its own (see activity.ts).
// Table scan counters come from the cumulative statistics system, which each backend publishes at
// most once a second (PG 15+: what a backend counted just before going idle is published up to 10 s
// later), so tableScans can miss the window's last second; pg_stat_statements is updated at the end
// of every statement and has no such lag.
// Nothing here throws for a database that lacks pg_stat_statements or refuses the second connection:
// the window is then partial and its `warnings` say why.
import type { PhaseName } from '../../record/phase-name.ts';
import { N_PLUS_ONE_MIN_REPEATS, type DatabaseWindow, type InferredRepetition, type StatementStats } from '../../record/database-probes.ts';
import { startActivitySampler, type ActivitySampler } from './activity.ts';
import { diffTableScans, readTableScans, type TableScanCounters } from './catalog.ts';
import { openDb } from './connect.ts';
import type { DbSession } from './session.ts';
import { diffStatements, readStatements, type StatementsRead } from './statements.ts';

/** Calls per HTTP request from which a statement counts as repeated per request (N+1 without the agent). */
export const REPETITION_CALLS_PER_REQUEST = N_PLUS_ONE_MIN_REPEATS;

export interface DatabaseWindowOptions {
  phase: PhaseName | 'window';
  /** The full connection string (with password): the activity sampler opens its own connection with it. */
  url: string;
  /** Default 1000 ms. */
  activityIntervalMs?: number;
  /** The activity sampler stops itself after this long. Default 1 hour. */
  maxDurationMs?: number;
  /** Statements kept in the window (top by total exec time). Default 50. */
  topN?: number;
  /** Passed to the activity connection's openDb (same as the probe session's). */
  statementTimeoutMs?: number;
}

export interface DatabaseWindowHandle {
  end(httpRequests: number): Promise<DatabaseWindow>;
}

function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** Statements repeated ≥ REPETITION_CALLS_PER_REQUEST times per HTTP request of the window. */
export function inferRepetition(statements: StatementStats[], httpRequests: number, phase: PhaseName | 'window'): InferredRepetition[] {
  if (!(httpRequests > 0)) return [];
  return statements
    .filter((st) => st.calls / httpRequests >= REPETITION_CALLS_PER_REQUEST)
    .map((st) => ({
      queryId: st.queryId,
      query: st.query,
      calls: st.calls,
      httpRequests,
      callsPerRequest: Math.round((st.calls / httpRequests) * 100) / 100,
      phase,
    }))
    .sort((a, b) => b.callsPerRequest - a.callsPerRequest || b.calls - a.calls);
}

export async function startDatabaseWindow(s: DbSession, o: DatabaseWindowOptions): Promise<DatabaseWindowHandle> {
  const warnings: string[] = [];
  const topN = o.topN ?? 50;
  const fromEpochMs = Date.now();

  let before: StatementsRead | null = null;
  try {
    before = await readStatements(s);
  } catch (e) {
    warnings.push(`statements not measured: ${errorText(e)}`);
  }
  let scansBefore: TableScanCounters[] | null = null;
  try {
    scansBefore = await readTableScans(s);
  } catch (e) {
    warnings.push(`table scans not measured: ${errorText(e)}`);
  }

  let activitySession: DbSession | null = null;
  let sampler: ActivitySampler | null = null;
  try {
    activitySession = await openDb(o.url, { statementTimeoutMs: o.statementTimeoutMs ?? 5_000 });
    sampler = startActivitySampler(activitySession, { intervalMs: o.activityIntervalMs ?? 1000, maxDurationMs: o.maxDurationMs });
  } catch (e) {
    warnings.push(`connection activity not sampled: ${errorText(e)}`);
  }

  let ended: Promise<DatabaseWindow> | null = null;
  const end = async (httpRequests: number): Promise<DatabaseWindow> => {
    const toEpochMs = Date.now();
    if (sampler) {
      // Every window gets at least its first sample, even a very short one (bounded wait).
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        sampler.whenSamples(1),
        new Promise<void>((r) => {
          timer = setTimeout(r, 2000);
          timer.unref();
        }),
      ]);
      clearTimeout(timer);
    }
    const activity = sampler ? sampler.stop() : null;
    if (sampler) {
      await sampler.idle;
      if (sampler.errors.length > 0) warnings.push(`some activity samples failed: ${sampler.errors[0]}`);
    }
    await activitySession?.close();

    let statements: StatementStats[] = [];
    if (before) {
      try {
        statements = diffStatements(before, await readStatements(s), warnings);
      } catch (e) {
        warnings.push(`statements not measured at the end of the window: ${errorText(e)}`);
      }
    }
    let tableScans: DatabaseWindow['tableScans'] = [];
    if (scansBefore) {
      try {
        tableScans = diffTableScans(scansBefore, await readTableScans(s));
      } catch (e) {
        warnings.push(`table scans not measured at the end of the window: ${errorText(e)}`);
      }
    }
    const hit = statements.reduce((a, st) => a + st.sharedBlksHit, 0);
    const read = statements.reduce((a, st) => a + st.sharedBlksRead, 0);
    const requests = Number.isFinite(httpRequests) && httpRequests > 0 ? httpRequests : 0;
    return {
      phase: o.phase,
      fromEpochMs,
      toEpochMs,
      httpRequests: requests,
      statements: statements.slice(0, topN),
      totals: {
        calls: statements.reduce((a, st) => a + st.calls, 0),
        execMs: Math.round(statements.reduce((a, st) => a + st.totalExecMs, 0) * 1000) / 1000,
        sharedBlksHit: hit,
        sharedBlksRead: read,
        hitRatio: hit + read > 0 ? hit / (hit + read) : null,
      },
      tableScans,
      activity: activity && activity.samples > 0 ? activity : null,
      inferredRepetition: inferRepetition(statements, requests, o.phase),
      warnings,
    };
  };
  return {
    // A second end() returns the first result: callers on an interrupt path may call it twice.
    end: (httpRequests) => (ended ??= end(httpRequests)),
  };
}
