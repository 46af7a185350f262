// `speedguard compare <baseline> <current>`: is the current run worse than the baseline, by more
// than the thresholds and more than the noise? Prints the table, writes OPTIMIZATIONS/OPT-<id>.md
// (and its JSON twin), exits 99 on a regression at or above --fail-on.
import { type Command, Option } from 'commander';
import type { Comparison, RegressionSeverity } from '../record/comparison.ts';
import { CompareError, compareRecords, REGRESSION_SEVERITIES } from '../analysis/compare.ts';
import { comparisonExitCode } from '../assess/gate.ts';
import { DEFAULT_HISTORY_PATH } from '../history/store.ts';
import { resolveRefs } from '../history/resolve-refs.ts';
import { appendStepSummary, renderComparisonGithubSummary } from '../report/github-summary.ts';
import { durationFlag } from './option-parsers.ts';
import { parseDuration } from '../plan/duration.ts';
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
  const [baseline, current] = resolveRefs(
    [
      { ref: baselineRef, what: 'baseline' },
      { ref: currentRef, what: 'current' },
    ],
    o.history,
  );
  let comparison: Comparison;
  try {
    comparison = compareRecords(baseline, current, { warmupSeconds: warmupSeconds(o.warmup) });
  } catch (e) {
    if (e instanceof CompareError) throw new UsageError(e.message);
    throw e;
  }
  const files = writeOptimizationReport(comparison, o.outDir);
  appendStepSummary(renderComparisonGithubSummary(comparison, o.failOn));
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
