// `speedguard report <ref>`: re-render a stored run or assessment in any format, without running
// anything. Renderers only format the record (docs/ARCHITECTURE.md), so an old run renders as it was.
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { Option, type Command } from 'commander';
import { assessRun } from '../assess/run-phase.ts';
import { withVerdict } from '../assess/verdict.ts';
import { SEVERITY_ORDER, type Severity } from '../record/findings.ts';
import { asUsageError, openForReading } from '../history/open-for-reading.ts';
import { processIo, type CliIo } from './io.ts';
import type { RecordKind, StoredRecord } from '../history/store.ts';
import { writeReportsOfKind, type ReportKind } from '../report/reports-of-kind.ts';
import type { AssessmentRecord } from '../record/assessment-record.ts';
import type { RunRecord } from '../record/run-record.ts';
import { buildSummaryExport } from '../report/summary-export.ts';
import { renderSummary } from '../report/summary-text.ts';
import { UsageError } from '../errors.ts';

export const REPORT_FORMATS = ['summary', 'json', 'summary-export', 'md', 'html', 'junit', 'all'] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];
// A run also renders as a one-phase assessment (md, html, junit: assess/run-phase.ts).
const RUN_FORMATS: readonly ReportFormat[] = ['summary', 'json', 'summary-export', 'md', 'html', 'junit', 'all'];
const ASSESS_FORMATS: readonly ReportFormat[] = ['summary', 'json', 'md', 'html', 'junit', 'all'];
export const DEFAULT_OUT_DIR = 'PERFORMANCE';

export interface ReportCliOptions {
  history?: string;
  format?: ReportFormat;
  outDir?: string;
  kind?: RecordKind;
  junitMinSeverity?: Severity;
  quiet?: boolean;
}

/** What this command uses of src/report/write-reports.ts, loaded only for assessments. */
export type WriteReportsModule = Pick<typeof import('../report/write-reports.ts'), 'writeAssessmentReports' | 'renderTerminalFindings'>;

const EXAMPLES = `
Examples:
  speedguard report latest                          the last run's summary (an assessment: its reports)
  speedguard report latest~2 --format json          the stored record as JSON on stdout
  speedguard report 3f2a9c --format summary-export  k6's summary-export shape
  speedguard report latest --kind assess --format html --out-dir reports
Refs: a run id, its first 6+ characters, latest, latest~N (N runs before the latest).
Formats — runs: summary, json, summary-export, md, html, junit (the run judged as a one-phase assessment), all
          assessments: summary, json, md, html, junit, all.`;

/** Imported on demand: only assessment reports need it. */
async function loadWriteReports(): Promise<WriteReportsModule> {
  return import('../report/write-reports.ts');
}

function badFormat(record: StoredRecord, format: ReportFormat, short: string): UsageError {
  const isRun = record.kind === 'run';
  const allowed = (isRun ? RUN_FORMATS : ASSESS_FORMATS).join(', ');
  return new UsageError(
    `--format ${format} does not apply to ${isRun ? 'run' : 'assessment'} ${short} (formats for ${isRun ? 'runs' : 'assessments'}: ` +
      `${allowed})`,
  );
}

async function writeOut(path: string, text: string): Promise<string> {
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, text);
  return path;
}

async function reportRun(record: RunRecord, format: ReportFormat, outDir: string | undefined, short: string, io: CliIo): Promise<void> {
  const json = () => JSON.stringify(record) + '\n';
  const summaryExport = () => JSON.stringify(buildSummaryExport(record), null, 2) + '\n';
  const file = (suffix: string) => join(resolve(outDir ?? DEFAULT_OUT_DIR), `RUN-${short}${suffix}`);
  if (format === 'summary' || format === 'all') io.out(renderSummary(record, { colour: io.colour }));
  if (format === 'all') {
    const written = [await writeOut(file('.json'), json()), await writeOut(file('.summary.json'), summaryExport())];
    io.out(`\nFiles:\n${written.map((p) => `  ${p}\n`).join('')}`);
  }
  if (format === 'json') io.out(outDir ? `${await writeOut(file('.json'), json())}\n` : json());
  if (format === 'summary-export') io.out(outDir ? `${await writeOut(file('.summary.json'), summaryExport())}\n` : summaryExport());
}

const EXT: Partial<Record<ReportFormat, ReportKind>> = { json: '.json', md: '.md', html: '.html', junit: '.xml' };

/** Tests replace the report writer; the CLI always loads the real one. */
export interface ReportDeps {
  loadWriteReports?: () => Promise<WriteReportsModule>;
}

async function reportAssessment(
  record: AssessmentRecord,
  o: ReportCliOptions,
  format: ReportFormat,
  io: CliIo,
  deps: ReportDeps,
): Promise<void> {
  if (format === 'json' && !o.outDir) {
    io.out(JSON.stringify(record) + '\n');
    return;
  }
  const mod = await (deps.loadWriteReports ?? loadWriteReports)();
  if (format === 'summary') {
    io.out(mod.renderTerminalFindings(record, { colour: io.colour }));
    return;
  }
  const outDir = resolve(o.outDir ?? DEFAULT_OUT_DIR);
  const opts = o.junitMinSeverity ? { junitMinSeverity: o.junitMinSeverity } : {};
  const result =
    format === 'all'
      ? await mod.writeAssessmentReports(record, outDir, opts)
      : await writeReportsOfKind(EXT[format]!, record, outDir, opts, mod.writeAssessmentReports);
  const written = [...result];
  const skipped = result.skipped ?? [];
  for (const s of skipped) io.err(`speedguard: warning: ${s.file} not written: ${s.reason}\n`);
  io.out(mod.renderTerminalFindings(record, { colour: io.colour }, written));
}

export async function reportCommand(ref: string, o: ReportCliOptions, io: CliIo = processIo(), deps: ReportDeps = {}): Promise<void> {
  const store = openForReading(o.history);
  let record: StoredRecord;
  let short: string;
  try {
    record = store.get(ref, o.kind);
    short = store.shortId(record.id);
  } catch (e) {
    throw asUsageError(e);
  } finally {
    store.close();
  }
  const format = o.format ?? (record.kind === 'run' ? 'summary' : 'all');
  if (!(record.kind === 'run' ? RUN_FORMATS : ASSESS_FORMATS).includes(format)) throw badFormat(record, format, short);
  // --quiet: the files are written, nothing is printed but errors.
  const out: CliIo = o.quiet ? { ...io, out: () => {} } : io;
  if (record.kind === 'run' && (format === 'md' || format === 'html' || format === 'junit'))
    await reportAssessment(assessRun(record), o, format, out, deps);
  else if (record.kind === 'run') await reportRun(record, format, o.outDir, short, out);
  else await reportAssessment(withVerdict(record), o, format, out, deps);
}

export function registerReportCommand(program: Command, io?: CliIo, deps: ReportDeps = {}): void {
  program
    .command('report <ref>')
    .option('--history <path>', 'history database (default .speedguard/history.db)')
    .addOption(
      new Option('-f, --format <format>', 'what to render (default: summary for runs, all for assessments)').choices([...REPORT_FORMATS]),
    )
    .option('--out-dir <dir>', `where report files go (default ./${DEFAULT_OUT_DIR})`)
    .addOption(new Option('--kind <kind>', 'resolve latest / latest~N among runs or assessments only').choices(['run', 'assess']))
    .addOption(
      new Option('--junit-min-severity <severity>', 'assessments: findings at or above it become JUnit failures').choices([
        ...SEVERITY_ORDER,
      ]),
    )
    .option('-q, --quiet', 'write the files, print nothing but errors')
    .addHelpText('after', EXAMPLES)
    .action(async (ref: string, o: ReportCliOptions) => reportCommand(ref, o, io ?? processIo(), deps));
}
