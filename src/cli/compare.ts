// `speedguard compare <baseline> <current>`: is the current run worse than the baseline, by more
// than the thresholds and more than the noise? Prints the table, writes OPTIMIZATIONS/OPT-<id>.md
// (and its JSON twin), exits 99 on a regression at or above --fail-on.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { type Command, Option } from 'commander';
import type { Comparison, RegressionSeverity } from '../record/comparison.ts';
import { CompareError, compareRecords, REGRESSION_SEVERITIES } from '../analysis/compare.ts';
import { comparisonExitCode } from '../assess/gate.ts';
import { DEFAULT_HISTORY_PATH, HistoryError, openHistory, type HistoryStore } from '../history/store.ts';
import { ENVELOPE_SCHEMA } from '../report/envelope.ts';
import { appendStepSummary, renderComparisonGithubSummary } from '../report/github-summary.ts';
import { durationFlag } from './option-parsers.ts';
import { parseDuration } from '../plan/duration.ts';
import { ASSESSMENT_SCHEMA, type AssessmentRecord } from '../record/assessment-record.ts';
import { RUN_RECORD_SCHEMA, type RunRecord } from '../record/run-record.ts';
import { renderComparisonTable } from '../report/comparison-table.ts';
import { writeOptimizationReport } from '../report/optimization-md.ts';
import { UsageError } from '../errors.ts';

export interface CompareCliOptions {
  history?: string;
  warmup?: string;
  quiet?: boolean;
  failOn: RegressionSeverity;
  outDir: string;
  json?: boolean;
}

type AnyRecord = RunRecord | AssessmentRecord;

const HELP = `
A ref is a run id from the history (or a unique prefix of ≥ 6 characters), latest, latest~N, or the
path of a .json file: a RunRecord or AssessmentRecord (e.g. from \`speedguard run --json\`), or the
ANALYSIS/*.json envelope an assessment wrote (its record is then read from the history).

A metric regresses when it moved past its threshold in the worse direction (response time +15 %,
throughput −10 %, error rate +5 % and ≥ 0.1 percentage point, CPU +25 %, memory +20 %) AND the
per-second values differ significantly (Mann–Whitney U, p < 0.05). Severity by how far past the
threshold: > 3× critical, > 2× high, > 1.5× medium, else low.

Examples:
  speedguard compare latest~1 latest
  speedguard compare 3f2a9c latest --fail-on high
  speedguard compare before.json after.json --json
  speedguard compare latest~1 latest --warmup 2s          leave out each run's first 2 seconds

Exit codes: 0 no regression at/above --fail-on · 2 bad ref or input · 99 regression at/above --fail-on`;

export function registerCompareCommand(program: Command, run: (fn: () => Promise<number>) => void): void {
  program
    .command('compare <baseline> <current>')
    .option('--history <path>', `history database (default ${DEFAULT_HISTORY_PATH})`)
    .addOption(
      new Option('--fail-on <severity>', 'exit 99 on a regression at or above this severity')
        .choices([...REGRESSION_SEVERITIES])
        .default('medium'),
    )
    .option('--out-dir <dir>', 'where OPTIMIZATIONS/OPT-<id>.md goes', 'PERFORMANCE')
    .option('--warmup <time>', 'leave out the first seconds of each run (ramp-up, JIT warm-up), e.g. 2s', durationFlag('--warmup'))
    .option('--json', 'print the comparison as JSON on stdout instead of the table')
    .option('-q, --quiet', 'print nothing but errors (the exit code and the report files say the verdict)')
    .addHelpText('after', HELP)
    .action((baseline: string, current: string, o: CompareCliOptions) => run(() => compareCommand(baseline, current, o)));
}

export async function compareCommand(baselineRef: string, currentRef: string, o: CompareCliOptions): Promise<number> {
  const [baseline, current] = loadRefs([baselineRef, currentRef], o.history);
  let comparison: Comparison;
  try {
    comparison = compareRecords(baseline, current, { warmupSeconds: warmupSeconds(o.warmup) });
  } catch (e) {
    if (e instanceof CompareError) throw new UsageError(e.message);
    throw e;
  }
  const files = writeOptimizationReport(comparison, o.outDir);
  appendStepSummary(renderComparisonGithubSummary(comparison));
  if (o.json) {
    process.stdout.write(JSON.stringify(comparison, null, 2) + '\n');
  } else if (!o.quiet) {
    const colour = Boolean(process.stdout.isTTY) && !process.env.NO_COLOR;
    process.stdout.write(renderComparisonTable(comparison, colour, o.failOn));
    process.stdout.write(`\n  report: ${files.join(', ')}\n`);
  }
  return comparisonExitCode(comparison, o.failOn);
}

/** The comparison leaves out whole seconds: "2s", "1m". */
function warmupSeconds(v: string | undefined): number {
  const ms = v === undefined ? 0 : parseDuration(v);
  if (ms % 1000 !== 0) throw new UsageError(`--warmup: expected whole seconds such as 2s, got ${JSON.stringify(v)}`);
  return ms / 1000;
}

/** Resolves refs: .json files directly; anything else through the history database (opened once). */
export function loadRefs(refs: string[], historyPath: string | undefined): AnyRecord[] {
  let store: HistoryStore | null = null;
  try {
    return refs.map((given, i) => {
      let what = refs.length === 2 ? (i === 0 ? 'baseline' : 'current') : 'run';
      let ref = given;
      if (isFileRef(given)) {
        const file = readRecordFile(given, what);
        if (!('recordId' in file)) return file;
        // An assessment's ANALYSIS/*.json envelope holds figures, not the measurements a comparison
        // needs: read the record it was rendered from in the history.
        ref = file.recordId;
        what = `${what} ${given} (an assessment envelope; its record)`;
      }
      if (!store) {
        const path = historyPath ?? DEFAULT_HISTORY_PATH;
        try {
          store = openHistory(path, { create: false });
        } catch (e) {
          if (e instanceof HistoryError) throw new UsageError(`${what} ${JSON.stringify(ref)}: ${e.message}`);
          throw e;
        }
      }
      try {
        return store.get(ref);
      } catch (e) {
        if (e instanceof HistoryError) throw new UsageError(`${what} ${JSON.stringify(ref)}: ${e.message}`);
        throw e;
      }
    });
  } finally {
    (store as HistoryStore | null)?.close();
  }
}

function isFileRef(ref: string): boolean {
  if (/\.json$/i.test(ref)) return true;
  try {
    return existsSync(ref) && statSync(ref).isFile();
  } catch {
    return false;
  }
}

function readRecordFile(path: string, what: string): AnyRecord | { recordId: string } {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new UsageError(`${what} ${path}: cannot read the file (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    throw new UsageError(`${what} ${path}: not valid JSON (${(e as Error).message})`);
  }
  const schema = (data as { schema?: unknown } | null)?.schema;
  const assessmentId = (data as { assessment_id?: unknown } | null)?.assessment_id;
  if (schema === ENVELOPE_SCHEMA && typeof assessmentId === 'string') return { recordId: assessmentId };
  if (schema !== RUN_RECORD_SCHEMA && schema !== ASSESSMENT_SCHEMA) {
    throw new UsageError(
      `${what} ${path}: not a speedguard run or assessment record (schema ${JSON.stringify(schema ?? null)}; expected ` +
        `${RUN_RECORD_SCHEMA}, ${ASSESSMENT_SCHEMA} or an assessment envelope)`,
    );
  }
  return data as AnyRecord;
}
