// `speedguard history`: the stored runs and assessments, newest first, with their key figures.
import { Option, type Command } from 'commander';
import { openForReading } from '../history/open-for-reading.ts';
import { processIo, type CliIo } from './io.ts';
import type { RecordKind } from '../history/store.ts';
import { colours } from '../report/format.ts';
import { renderHistoryTable } from '../report/history-table.ts';
import { wholeNumber } from './option-parsers.ts';

export interface HistoryCliOptions {
  history?: string;
  limit: number;
  kind?: RecordKind;
  quiet?: boolean;
  json?: boolean;
}

const EXAMPLES = `
Examples:
  speedguard history                          the last 20 runs and assessments
  speedguard history --kind assess --limit 5
  speedguard history --json                   the same, as JSON (key figures included)
  speedguard report latest~1                  re-render a listed run`;

export function historyCommand(o: HistoryCliOptions, io: CliIo = processIo()): void {
  const store = openForReading(o.history);
  try {
    const limit = o.limit === 0 ? undefined : o.limit;
    const entries = store.list(limit, o.kind);
    if (o.json) {
      io.out(JSON.stringify(entries, null, 2) + '\n');
      return;
    }
    if (o.quiet) {
      // For scripts: the full ids, newest first, nothing else.
      for (const e of entries) io.out(`${e.id}\n`);
      return;
    }
    const what = o.kind === 'assess' ? 'assessments' : o.kind === 'run' ? 'runs (kind run)' : 'runs';
    if (entries.length === 0) {
      io.out(`No ${what} in ${store.path} yet.\n`);
      return;
    }
    io.out(renderHistoryTable(entries, (id) => store.shortId(id), io.colour));
    const total = store.count(o.kind);
    if (total > entries.length)
      io.out(colours(io.colour).dim(`… ${total - entries.length} older ${what} not shown (--limit 0 for all)`) + '\n');
  } finally {
    store.close();
  }
}

export function registerHistoryCommand(program: Command, io?: CliIo): void {
  program
    .command('history')
    .option('--history <path>', 'history database (default .speedguard/history.db)')
    .option('-n, --limit <n>', 'how many to show (0 = all)', wholeNumber('--limit'), 20)
    .addOption(new Option('--kind <kind>', 'only runs or only assessments').choices(['run', 'assess']))
    .option('--json', 'print the list as JSON')
    .option('-q, --quiet', 'print only the ids, one per line (for scripts)')
    .addHelpText('after', EXAMPLES)
    .action((o: HistoryCliOptions) => historyCommand(o, io ?? processIo()));
}
