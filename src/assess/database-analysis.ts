// `speedguard db`'s work: analyse a PostgreSQL database on its own, from its cumulative statistics
// (no load is run) — slow statements, their plans, index advice, unused / duplicate / invalid indexes,
// cache hit ratio, connections — and build the assessment record the same audits and reports read
// (a record with no phases and probes.database). Read-only unless allowWrites (then only CREATE INDEX
// inside transactions that are rolled back). Everything shows session.safeUrl, never the password.
import { buildAssessment } from './build-record.ts';
import { DEFAULT_SLO } from './options.ts';
import { RuntimeFailure } from '../errors.ts';
import { openDb } from '../probes/postgres/connect.ts';
import { explainTopStatements } from '../probes/postgres/explain.ts';
import { adviseIndexes } from '../probes/postgres/index-advice.ts';
import { collectDatabaseSnapshot } from '../probes/postgres/snapshot.ts';
import type { AssessmentRecord } from '../record/assessment-record.ts';
import type { DatabaseProbes } from '../record/database-probes.ts';
import type { SeverityThresholds } from '../record/findings.ts';

/** Statements kept from pg_stat_statements at least (the report's table, the envelope's figures). */
const KEPT_STATEMENTS = 50;
/** Plans are the expensive part (one EXPLAIN, sometimes ANALYZE, each): the top ones only. */
const MAX_EXPLAINED = 25;

export interface DatabaseAnalysisOptions {
  /** Statements (by total time) to explain and advise on. */
  top: number;
  explain: boolean;
  allowWrites: boolean;
  thresholds?: SeverityThresholds | undefined;
  log(line: string): void;
}

/**
 * A bad URL (DbInputError, exit 2) or a refused connection (DbConnectError, exit 1) is thrown as is;
 * a failure while reading is a RuntimeFailure naming the safe URL.
 */
export async function analyseDatabase(url: string, o: DatabaseAnalysisOptions): Promise<AssessmentRecord> {
  const started = Date.now();
  const session = await openDb(url, { allowWrites: o.allowWrites });
  let probes: DatabaseProbes;
  try {
    o.log(
      `database: ${session.safeUrl} ` +
        `(${session.readOnly ? 'read-only session' : '--allow-writes: indexes are built in transactions that are rolled back'})`,
    );
    probes = await collectDatabaseSnapshot(session, { url: session.safeUrl, topN: Math.max(KEPT_STATEMENTS, o.top) });
    o.log(
      `database: PostgreSQL ${probes.server.version}, ${probes.statements.length} statement(s), ${probes.tables.length} table(s), ` +
        `${probes.indexes.length} index(es)`,
    );
    if (o.explain && probes.statements.length) {
      const limit = Math.min(o.top, MAX_EXPLAINED);
      o.log(`database: explaining the ${Math.min(limit, probes.statements.length)} statement(s) with the most total time …`);
      try {
        probes.plans = await explainTopStatements(session, probes.statements, { limit });
        const readOnlyMethod = probes.server.hypopgAvailable ? 'HypoPG' : 'plan shape only: no HypoPG, no --allow-writes';
        const method = session.readOnly ? readOnlyMethod : 'measured with real indexes, rolled back';
        o.log(`database: index advice (${method}) …`);
        probes.indexSuggestions = await adviseIndexes(session, probes.plans, {
          indexes: probes.indexes,
          allowWrites: o.allowWrites,
          hypopg: probes.server.hypopgAvailable,
        });
      } catch (e) {
        // Plans are a bonus on top of the statistics: their failure is reported, not fatal.
        probes.warnings.push(`plans or index advice failed: ${oneLine(e)}`);
      }
    }
  } catch (e) {
    throw new RuntimeFailure(`reading ${session.safeUrl} failed: ${oneLine(e)}`);
  } finally {
    await session.close();
  }
  return buildAssessment({
    command: 'db',
    target: session.safeUrl,
    targetName: `db-${probes.server.database || 'database'}`,
    status: 'completed',
    statusReason: null,
    startedAt: started,
    endedAt: Date.now(),
    // No load: the SLO is only there because the record type carries one.
    config: {
      expectedRate: null,
      slo: { ...DEFAULT_SLO, source: [] },
      suite: [],
      soakMs: 0,
      growthPercentPerQuarter: null,
      targetRate: null,
    },
    probes: { database: probes },
    thresholds: o.thresholds,
  });
}

function oneLine(e: unknown): string {
  return String((e as Error)?.message ?? e)
    .replace(/\s+/g, ' ')
    .trim();
}
