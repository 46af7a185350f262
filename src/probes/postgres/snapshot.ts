// `speedguard db <url>`: one look at a database's cumulative statistics (since the last stats
// reset) — server, top statements, tables, indexes, cache hit ratios and a short activity sample.
// Plans, index suggestions and N+1 are filled in later by their own collectors. Also the builders
// for the load mode (`assess --db`, `profile --db`): an empty DatabaseProbes and the merge of windows.
import type { DatabaseProbes, DatabaseServerInfo, DatabaseWindow, StatementsSnapshot } from '../../record/database-probes.ts';
import { startActivitySampler } from './activity.ts';
import { readCatalog } from './catalog.ts';
import { redactDbUrl } from './connect.ts';
import { readServerInfo } from './server-info.ts';
import type { DbSession } from './session.ts';
import { cumulativeStatements, readStatements, sumStatements } from './statements.ts';

export interface SnapshotOptions {
  /** The connection string (stored without its password). */
  url: string;
  /** Statements kept, top by total exec time. Default 50. */
  topN?: number;
  /** Activity samples taken (default 3) and the time between them (default 500 ms). */
  activitySamples?: number;
  activityIntervalMs?: number;
}

/** The warnings pg_stat_statements' state calls for (one line each). */
export function pgStatStatementsWarnings(server: DatabaseServerInfo): string[] {
  const p = server.pgStatStatements;
  if (!p.available) return [`pg_stat_statements is not available, so no statement statistics: ${p.howToEnable ?? 'unknown reason'}`];
  if (p.howToEnable) return [`pg_stat_statements is only partly visible: ${p.howToEnable}`];
  return [];
}

export async function collectDatabaseSnapshot(s: DbSession, o: SnapshotOptions): Promise<DatabaseProbes> {
  const topN = o.topN ?? 50;
  const samples = o.activitySamples ?? 3;
  const intervalMs = o.activityIntervalMs ?? 500;
  // Runs on the same session: a pg.Client queues its queries, so samples interleave with the reads below.
  const sampler = startActivitySampler(s, { intervalMs, maxSamples: samples, maxDurationMs: samples * intervalMs + 10_000 });

  try {
    const server = await readServerInfo(s);
    const warnings = pgStatStatementsWarnings(server);
    let statementsInfo: StatementsSnapshot | null = null;
    let statements: DatabaseProbes['statements'] = [];
    if (server.pgStatStatements.available) {
      try {
        const read = await readStatements(s);
        statementsInfo = read.info;
        statements = cumulativeStatements(read, topN);
        if (read.info.dealloc)
          warnings.push(
            `pg_stat_statements has evicted ${read.info.dealloc} entries since its last reset ` +
              `(pg_stat_statements.max is too small for this workload): rarely run statements are missing`,
          );
      } catch (e) {
        warnings.push(`statements not read: ${(e as Error).message}`);
      }
    }
    const catalog = await readCatalog(s);
    warnings.push(...catalog.warnings);

    await sampler.whenSamples(samples);
    const activity = sampler.stop();
    await sampler.idle;
    if (sampler.errors.length > 0) warnings.push(`activity not fully sampled: ${sampler.errors[0]}`);

    return {
      url: redactDbUrl(o.url),
      server,
      mode: 'snapshot',
      statementsInfo,
      statements,
      cacheHitRatio: catalog.cacheHitRatio,
      tables: catalog.tables,
      indexes: catalog.indexes,
      windows: [],
      activity: activity.samples > 0 ? activity : null,
      plans: [],
      indexSuggestions: [],
      nPlusOne: [],
      allowWrites: !s.readOnly,
      warnings,
    };
  } finally {
    // On an error path: no sample may run on a session the caller is about to close.
    sampler.stop();
    await sampler.idle;
  }
}

/**
 * A 'load' mode DatabaseProbes without windows yet. The caller fills tables/indexes/cacheHitRatio
 * (readCatalog) when it has them, and the windows with mergeWindows().
 */
export function emptyLoadProbes(o: {
  url: string;
  server: DatabaseServerInfo;
  allowWrites: boolean;
  statementsInfo?: StatementsSnapshot | null;
  warnings?: string[];
}): DatabaseProbes {
  return {
    url: redactDbUrl(o.url),
    server: o.server,
    mode: 'load',
    statementsInfo: o.statementsInfo ?? null,
    statements: [],
    cacheHitRatio: { tables: null, indexes: null },
    tables: [],
    indexes: [],
    windows: [],
    plans: [],
    indexSuggestions: [],
    nPlusOne: [],
    allowWrites: o.allowWrites,
    warnings: [...pgStatStatementsWarnings(o.server), ...(o.warnings ?? [])],
  };
}

/** `probes` with `windows` appended and its statements re-summed over all its windows (top N). */
export function mergeWindows(probes: DatabaseProbes, windows: DatabaseWindow[], topN = 50): DatabaseProbes {
  const all = [...probes.windows, ...windows];
  const warnings = [...probes.warnings];
  for (const w of windows) for (const line of w.warnings ?? []) warnings.push(`${w.phase}: ${line}`);
  return {
    ...probes,
    windows: all,
    statements: sumStatements(
      all.map((w) => w.statements),
      topN,
    ),
    warnings: [...new Set(warnings)],
  };
}
