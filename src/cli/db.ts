// `speedguard db <postgres-url>`: flags, then assess/database-analysis.ts does the work (no load is
// run: the database's cumulative statistics, plans, index advice), then the shared finish (reports,
// history, the printed findings, the gate).
import type { Command } from 'commander';
import { loadSeverityConfig } from '../analysis/severity.ts';
import { analyseDatabase } from '../assess/database-analysis.ts';
import { finish } from './finish-assessment.ts';
import { addGateOptions, addRecordOutputOptions, positiveInt, type GateCliOptions, type RecordOutputCliOptions } from './option-parsers.ts';
import { checkHistoryPath, checkOutputDir } from './output-paths.ts';

export interface DbCliOptions extends RecordOutputCliOptions, GateCliOptions {
  allowWrites?: boolean;
  top: number;
  explain: boolean;
}

export function registerDbCommand(program: Command, run: (fn: () => Promise<number>) => void): void {
  const cmd = program
    .command('db')
    .argument('<postgres-url>', 'postgres://user[:password]@host[:port]/database (the password is never printed or stored)')
    .option('--top <n>', 'statements (by total time) to explain and advise on', positiveInt('--top'), 10)
    .option('--no-explain', 'do not EXPLAIN the top statements (no plans, no index advice)')
    .option(
      '--allow-writes',
      'measure candidate indexes for real: CREATE INDEX inside a transaction that is always rolled back (holds a lock on the table ' +
        'meanwhile)',
    );
  addGateOptions(cmd, 'severity thresholds (JSON or YAML), e.g. dbQueryMs: { p2: 200 }');
  addRecordOutputOptions(cmd, { outDir: 'where the reports go', record: 'the record' })
    .addHelpText(
      'after',
      `
Examples:
  speedguard db postgres://app@127.0.0.1:5432/shop
  PGPASSWORD=secret speedguard db postgres://app@db.internal/shop --top 20
  speedguard db postgres://app@127.0.0.1/shop --allow-writes      measure index candidates (rolled back)
  speedguard db "$DATABASE_URL" --json > db.json

Reads pg_stat_statements (cumulative since its last reset), the catalogue and pg_stat_activity in a
read-only session with statement and lock timeouts. Reports: <out-dir>/ANALYSIS/db-<database>-<time>.md/.json/.html.
Exit codes: 0 ok · 1 cannot connect / runtime failure · 2 bad URL or option · 99 --fail-on matched`,
    )
    .action((url: string, o: DbCliOptions) => run(() => dbCommand(url, o)));
}

export async function dbCommand(url: string, o: DbCliOptions): Promise<number> {
  checkOutputDir(o.outDir, '--out-dir');
  checkHistoryPath(o.history);
  const thresholds = o.config ? loadSeverityConfig(o.config) : undefined;
  const log = o.quiet ? () => {} : (line: string) => process.stderr.write(`${line}\n`);
  const record = await analyseDatabase(url, { top: o.top, explain: o.explain, allowWrites: o.allowWrites === true, thresholds, log });
  return finish(record, { outDir: o.outDir, json: o.json, history: o.history as string | false | undefined, failOn: o.failOn });
}
