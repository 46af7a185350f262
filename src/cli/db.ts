// `speedguard db <postgres-url>`: analyse a PostgreSQL database on its own, from its cumulative
// statistics (no load is run) — slow statements, their plans, measured index advice, unused /
// duplicate / invalid indexes, cache hit ratio, connections — through the same audits and report
// writers as an assessment (a record with no phases and probes.database).
// Read-only unless --allow-writes (then only CREATE INDEX inside transactions that are rolled back).
// The password never reaches the terminal, the record or a report: everything shows session.safeUrl.
import type { Command } from 'commander';
import type { GateSeverity } from '../record/findings.ts';
import { loadSeverityConfig } from '../analysis/severity.ts';
import { DEFAULT_SLO } from '../assess/options.ts';
import { buildAssessment } from '../assess/build-record.ts';
import { openDb } from '../probes/postgres/connect.ts';
import { explainTopStatements } from '../probes/postgres/explain.ts';
import { adviseIndexes } from '../probes/postgres/index-advice.ts';
import type { DbSession } from '../probes/postgres/session.ts';
import { collectDatabaseSnapshot } from '../probes/postgres/snapshot.ts';
import type { DatabaseProbes } from '../record/database-probes.ts';
import { finish } from './finish-assessment.ts';
import { EXIT } from '../errors.ts';
import { addRecordOutputOptions, failOnOption, positiveInt } from './option-parsers.ts';
import { checkOutputDir } from './output-paths.ts';

export interface DbCliOptions {
  allowWrites?: boolean;
  top: number;
  outDir: string;
  json?: boolean;
  /** Commander: a path with --history PATH, false with --no-history, else true/undefined. */
  history?: string | boolean;
  explain: boolean;
  config?: string;
  failOn?: GateSeverity;
  quiet?: boolean;
}

/** Statements kept from pg_stat_statements at least (the report's table, the envelope's figures). */
const KEPT_STATEMENTS = 50;
/** Plans are the expensive part (one EXPLAIN, sometimes ANALYZE, each): the top ones only. */
const MAX_EXPLAINED = 25;


export function registerDbCommand(program: Command, run: (fn: () => Promise<number>) => void): void {
  const cmd = program.command('db')
    .argument('<postgres-url>', 'postgres://user[:password]@host[:port]/database (the password is never printed or stored)')
    .option('--top <n>', 'statements (by total time) to explain and advise on', positiveInt('--top'), 10)
    .option('--no-explain', 'do not EXPLAIN the top statements (no plans, no index advice)')
    .option('--allow-writes', 'measure candidate indexes for real: CREATE INDEX inside a transaction that is always rolled back (holds a lock on the table meanwhile)')
    .option('--config <file>', 'severity thresholds (JSON or YAML), e.g. dbQueryMs: { p2: 200 }')
    .addOption(failOnOption('exit 99 on a finding at or above this severity'));
  addRecordOutputOptions(cmd, { outDir: 'where the reports go', record: 'the record' })
    .addHelpText('after', `
Examples:
  speedguard db postgres://app@127.0.0.1:5432/shop
  PGPASSWORD=secret speedguard db postgres://app@db.internal/shop --top 20
  speedguard db postgres://app@127.0.0.1/shop --allow-writes      measure index candidates (rolled back)
  speedguard db "$DATABASE_URL" --json > db.json

Reads pg_stat_statements (cumulative since its last reset), the catalogue and pg_stat_activity in a
read-only session with statement and lock timeouts. Reports: <out-dir>/ANALYSIS/db-<database>-<time>.md/.json/.html.
Exit codes: 0 ok · 1 cannot connect / runtime failure · 2 bad URL or option · 99 --fail-on matched`)
    .action((url: string, o: DbCliOptions) => run(() => dbCommand(url, o)));
}

export async function dbCommand(url: string, o: DbCliOptions): Promise<number> {
  checkOutputDir(o.outDir, '--out-dir');
  const thresholds = o.config ? loadSeverityConfig(o.config) : undefined;
  const log = o.quiet ? () => {} : (line: string) => process.stderr.write(`${line}\n`);
  const started = Date.now();

  // A bad URL (DbInputError, exit 2) or a refused connection (DbConnectError, exit 1; its message
  // names the URL without the password) is said in one line by main.
  const session: DbSession = await openDb(url, { allowWrites: o.allowWrites === true });

  let probes: DatabaseProbes;
  try {
    log(`database: ${session.safeUrl} (${session.readOnly ? 'read-only session' : '--allow-writes: indexes are built in transactions that are rolled back'})`);
    probes = await collectDatabaseSnapshot(session, { url: session.safeUrl, topN: Math.max(KEPT_STATEMENTS, o.top) });
    log(`database: PostgreSQL ${probes.server.version}, ${probes.statements.length} statement(s), ${probes.tables.length} table(s), ${probes.indexes.length} index(es)`);
    if (o.explain && probes.statements.length) {
      const limit = Math.min(o.top, MAX_EXPLAINED);
      log(`database: explaining the ${Math.min(limit, probes.statements.length)} statement(s) with the most total time …`);
      try {
        probes.plans = await explainTopStatements(session, probes.statements, { limit });
        log(`database: index advice (${session.readOnly ? (probes.server.hypopgAvailable ? 'HypoPG' : 'plan shape only: no HypoPG, no --allow-writes') : 'measured with real indexes, rolled back'}) …`);
        probes.indexSuggestions = await adviseIndexes(session, probes.plans, { indexes: probes.indexes, allowWrites: o.allowWrites === true, hypopg: probes.server.hypopgAvailable });
      } catch (e) {
        // Plans are a bonus on top of the statistics: their failure is reported, not fatal.
        probes.warnings.push(`plans or index advice failed: ${oneLine(e)}`);
      }
    }
  } catch (e) {
    process.stderr.write(`speedguard: reading ${session.safeUrl} failed: ${oneLine(e)}\n`);
    return EXIT.RUNTIME;
  } finally {
    await session.close();
  }

  const record = buildAssessment({
    command: 'db',
    target: session.safeUrl,
    targetName: `db-${probes.server.database || 'database'}`,
    status: 'completed',
    statusReason: null,
    startedAt: started,
    endedAt: Date.now(),
    // No load: the SLO is only there because the record type carries one.
    config: { expectedRate: null, slo: { ...DEFAULT_SLO, source: [] }, suite: [], soakMs: 0, growthPercentPerQuarter: null, targetRate: null },
    probes: { database: probes },
    thresholds,
  });
  return finish(record, { outDir: o.outDir, json: o.json, history: o.history as string | false | undefined, failOn: o.failOn });
}

function oneLine(e: unknown): string {
  return String((e as Error)?.message ?? e).replace(/\s+/g, ' ').trim();
}
