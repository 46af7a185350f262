// `speedguard history`: the stored runs and assessments, newest first, with their key figures.
import { Option, type Command } from 'commander';
import { processIo, openForReading, terminalSafe, type CliIo } from '../history/cli-support.ts';
import type { HistoryEntry, RecordKind } from '../history/store.ts';
import { colours, fmtDuration, fmtNumber, fmtPercent } from '../report/format.ts';
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

const TARGET_WIDTH = 40;
const P_LABEL = { critical: 'P0', high: 'P1', medium: 'P2', low: 'P3' } as const;

function limitArg(v: string): number {
  return wholeNumber('--limit')(v);
}

function when(iso: string): string {
  const d = new Date(iso);
  if (!Number.isFinite(d.getTime())) return iso.slice(0, 16);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}`;
}

function clip(s: string, width: number): string {
  const safe = terminalSafe(s);
  return safe.length <= width ? safe : safe.slice(0, width - 1) + '…';
}

function findingsText(e: HistoryEntry): string {
  if (!e.summary.findings) return '-';
  const parts = (Object.keys(P_LABEL) as Array<keyof typeof P_LABEL>)
    .filter((s) => e.summary.findings![s] > 0)
    .map((s) => `${e.summary.findings![s]}×${P_LABEL[s]}`);
  return parts.length ? parts.join(' ') : 'none';
}

const dash = (n: number | null, f: (n: number) => string) => (n === null ? '-' : f(n));

export function renderHistoryTable(entries: HistoryEntry[], shortId: (id: string) => string, colour: boolean): string {
  const c = colours(colour);
  const header = ['ID', 'WHEN', 'KIND', 'STATUS', 'DURATION', 'TARGET', 'REQ/S', 'P95', 'ERRORS', 'CAPACITY', 'FINDINGS'];
  const rows = entries.map((e) => [
    shortId(e.id),
    when(e.startedAt),
    e.command,
    e.status,
    dash(e.durationMs, fmtDuration),
    clip(e.target, TARGET_WIDTH),
    dash(e.summary.rps, (n) => fmtNumber(n, 1)),
    dash(e.summary.p95Ms, fmtDuration),
    dash(e.summary.errorRate, fmtPercent),
    dash(e.summary.sustainableRps, (n) => `${fmtNumber(n, 0)} req/s`),
    findingsText(e),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) =>
    cells
      .map((cell, i) => (i === cells.length - 1 ? cell : cell.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  const out = [c.bold(line(header))];
  rows.forEach((r, i) => {
    const text = line(r);
    const e = entries[i]!;
    const bad = e.status !== 'completed' || (e.summary.findings && (e.summary.findings.critical > 0 || e.summary.findings.high > 0));
    out.push(bad ? c.red(text) : text);
  });
  return out.join('\n') + '\n';
}

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
    .option('-n, --limit <n>', 'how many to show (0 = all)', limitArg, 20)
    .addOption(new Option('--kind <kind>', 'only runs or only assessments').choices(['run', 'assess']))
    .option('--json', 'print the list as JSON')
    .option('-q, --quiet', 'print only the ids, one per line (for scripts)')
    .addHelpText('after', EXAMPLES)
    .action((o: HistoryCliOptions) => historyCommand(o, io ?? processIo()));
}
