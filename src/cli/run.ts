// `speedguard run <url|plan|script>`: load, run, print the summary, write exports, set the exit code.
import { writeFile } from 'node:fs/promises';
import { type Command, Option } from 'commander';
import { performance } from 'node:perf_hooks';
import { startRun, type RunOptions } from '../engine/coordinator.ts';
import { checkPlanThresholds } from '../engine/threshold-tracker.ts';
import { parseDuration } from '../plan/duration.ts';
import { loadPlan } from '../plan/load.ts';
import type { UrlFlags } from '../plan/load-url.ts';
import type { Plan } from '../plan/types.ts';
import type { RunRecord } from '../record/run-record.ts';
import { UsageError } from '../errors.ts';
import { ProgressLine } from '../report/progress-line.ts';
import { exportTo, finishRun, type FailedExport } from './run-exit.ts';
import { collect, durationFlag, positiveInt, rateNumber, wholeNumber } from './option-parsers.ts';
import { checkHistoryPath, checkOutputFile } from './output-paths.ts';
import { stopOnSignals } from './signals.ts';
import { checkPlanLimits } from '../plan/limits.ts';
import { finishRunRecord } from '../record/finish-run.ts';
import { rememberPlanSecrets } from '../record/redact-messages.ts';

export interface RunCliOptions {
  vus?: number;
  duration?: string;
  iterations?: number;
  rate?: number;
  method?: string;
  header: string[];
  body?: string;
  threshold: string[];
  env: string[];
  workers?: number;
  insecure?: boolean;
  timeout?: string;
  summaryExport?: string;
  out: string[];
  quiet?: boolean;
  json?: boolean;
  history?: string | false;
  stopGrace?: string;
  /** "name=value", added to every sample (k6's --tag). */
  tag?: string[];
  /** k6's --http-debug: true (headers) or "full" (with bodies), for scripts. */
  httpDebug?: boolean | string;
  /** k6's --summary-trend-stats "avg,p(95)" (k6 scripts: handleSummary and --summary-export). */
  summaryTrendStats?: string;
  /** false with --no-limits (plan/limits.ts). */
  limits?: boolean;
}

export function addRunOptions(cmd: Command): Command {
  return cmd
    .option('-u, --vus <n>', 'virtual users (closed model)', wholeNumber('--vus'))
    .option('-d, --duration <time>', 'test duration, e.g. 30s, 1m30s', durationFlag('--duration'))
    .option('-i, --iterations <n>', 'total iterations (shared-iterations)', wholeNumber('--iterations'))
    .option('-r, --rate <n>', 'arrival rate in requests/s (open model: constant-arrival-rate)', rateNumber('--rate'))
    .option('-m, --method <method>', 'HTTP method (URL mode)')
    .option('-H, --header <header>', '"Name: value" (repeatable, URL mode)', collect, [])
    .option('--body <text>', 'request body (URL mode; method defaults to POST)')
    .option('--threshold <metric:expr>', 'e.g. "http_req_duration:p(95)<200" (repeatable)', collect, [])
    .option('-e, --env <NAME=value>', 'variable for ${env.NAME} templates and scripts (repeatable)', collect, [])
    .option('-w, --workers <n>', 'worker threads (default: one per core)', positiveInt('--workers'))
    .option('-k, --insecure', 'skip TLS certificate verification (local self-signed targets)')
    .option('--timeout <time>', 'request timeout (default 60s)', durationFlag('--timeout'))
    .option('--summary-export <file>', "write the end-of-test summary as JSON (k6's shape)")
    .option('--tag <name=value>', 'tag added to every metric sample (repeatable)', collect, [])
    .option('--http-debug [full]', 'scripts: print each request and response on stderr ("full": with bodies)')
    .option('--summary-trend-stats <list>', 'k6 scripts: trend stats in handleSummary data and --summary-export, e.g. "avg,p(95),p(99.9)"')
    .option(
      '-o, --out <type=file>',
      'stream metrics: json=FILE (NDJSON per metric per second; k6 scripts: one line per sample, as k6 writes it)',
      collect,
      [],
    )
    .option('-q, --quiet', 'no progress bar')
    .option('--json', 'print the RunRecord as JSON on stdout instead of the summary table')
    .option('--history <path>', 'history database (default .speedguard/history.db)')
    .option('--no-history', 'do not store this run in the history database')
    .option(
      '--no-limits',
      'lift the safety limits on VUs (10,000 per worker), rate (100,000/s per worker), durations (7 days) and iterations',
    )
    .addOption(
      new Option('--stop-grace <time>', 'after Ctrl-C, how long in-flight requests may finish')
        .default('10s')
        .argParser(durationFlag('--stop-grace')),
    );
}

/** The flags run, assess and profile share that describe the plan (URL mode) or override it. */
export type PlanFlagOptions = Partial<
  Pick<
    RunCliOptions,
    'header' | 'threshold' | 'env' | 'vus' | 'duration' | 'iterations' | 'rate' | 'method' | 'body' | 'workers' | 'insecure' | 'timeout'
  >
>;

export function toUrlFlags(o: PlanFlagOptions): UrlFlags {
  const f: UrlFlags = {};
  // Empty lists stay unset: a plan file rejects URL-only flags that were given at all.
  if (o.header?.length) f.headers = o.header;
  if (o.threshold?.length) f.thresholds = o.threshold;
  if (o.env?.length) f.env = o.env;
  if (o.vus !== undefined) f.vus = o.vus;
  if (o.duration !== undefined) f.duration = o.duration;
  if (o.iterations !== undefined) f.iterations = o.iterations;
  if (o.rate !== undefined) f.rate = o.rate;
  if (o.method !== undefined) f.method = o.method;
  if (o.body !== undefined) f.body = o.body;
  if (o.workers !== undefined) f.workers = o.workers;
  if (o.insecure) f.insecure = true;
  if (o.timeout !== undefined) f.timeout = o.timeout;
  return f;
}

function parseTags(list: string[]): Record<string, string> {
  const tags: Record<string, string> = {};
  for (const t of list) {
    const m = /^([A-Za-z_][\w.-]*)=(.*)$/s.exec(t);
    if (!m) throw new UsageError(`--tag ${JSON.stringify(t)}: expected name=value`);
    tags[m[1]!] = m[2]!;
  }
  return tags;
}

/** Everything that can be wrong with a plan is found before any load is sent. */
function parseOut(specs: string[]): { json: string | null } {
  let json: string | null = null;
  for (const s of specs) {
    const m = /^json=(.+)$/.exec(s);
    if (!m) throw new UsageError(`--out ${JSON.stringify(s)}: expected json=FILE`);
    json = m[1]!;
  }
  return { json };
}

export async function runCommand(target: string, o: RunCliOptions): Promise<number> {
  const outs = parseOut(o.out);
  const stopGraceMs = parseDuration(o.stopGrace ?? '10s');
  // A URL run imports no user module: the hooks (which every later import would pass through) are
  // installed only for plan files and scripts.
  if (!/^https?:\/\//i.test(target)) (await import('../engine/script-loader/hooks.ts')).installScriptHooks();
  // Output paths first: a bad one is found before the plan is loaded, let alone run.
  if (o.summaryExport !== undefined) checkOutputFile(o.summaryExport, '--summary-export');
  if (outs.json !== null) checkOutputFile(outs.json, '--out json=');
  checkHistoryPath(o.history);
  const tags = parseTags(o.tag ?? []);
  // Read by the script HTTP layer in every worker thread (they copy the environment when created).
  if (o.httpDebug) process.env.SPEEDGUARD_HTTP_DEBUG = o.httpDebug === 'full' ? 'full' : 'headers';
  // k6 scripts (and their parser) are loaded only for a script that may be one: start-up stays short.
  if (/\.(m|c)?[jt]s$/i.test(target)) {
    const { isK6Script } = await import('../k6/load-plan.ts');
    if (isK6Script(target)) {
      const { runK6Script } = await import('./run-k6.ts');
      return runK6Script(target, o, outs.json, stopGraceMs, {
        flags: toUrlFlags(o),
        tags,
        checkPlan: checkPlanThresholds,
        runPlanToRecord,
        historyOption,
      });
    }
  }
  // A k6-only flag on any other run would be ignored without a word.
  if (o.summaryTrendStats !== undefined)
    throw new UsageError('--summary-trend-stats applies to k6 scripts only (their handleSummary data and --summary-export)');
  const plan = await loadPlan(target, toUrlFlags(o));
  rememberPlanSecrets(plan);
  Object.assign(plan.tags, tags);
  checkPlanThresholds(plan);
  checkPlanLimits(plan, { enforce: o.limits !== false, ...(o.workers ? { workers: o.workers } : {}) });
  return executePlan(plan, o, outs.json, stopGraceMs);
}

export async function executePlan(
  plan: Plan,
  o: Pick<RunCliOptions, 'quiet' | 'json' | 'summaryExport' | 'history'>,
  ndjsonPath: string | null,
  stopGraceMs: number,
): Promise<number> {
  const { record, failedExports } = await runPlanToRecord(plan, o, ndjsonPath, stopGraceMs);
  const [{ buildSummaryExport }, { renderSummary }, { saveToHistory }, { appendStepSummary, renderRunGithubSummary }] = await Promise.all([
    import('../report/summary-export.ts'),
    import('../report/summary-text.ts'),
    import('../history/save-to-history.ts'),
    import('../report/github-summary.ts'),
  ]);
  // The record is stored and printed before any export is written: a failed export (full disk)
  // loses nothing, it is reported last as one line and makes the exit code 1.
  const history = historyOption(o.history);
  saveToHistory(record, { history });
  if (o.json) process.stdout.write(JSON.stringify(record) + '\n');
  else process.stdout.write(renderSummary(record, { colour: Boolean(process.stdout.isTTY) && !process.env.NO_COLOR }));
  appendStepSummary(renderRunGithubSummary(record));
  if (o.summaryExport)
    await exportTo(failedExports, '--summary-export', o.summaryExport, () =>
      writeFile(o.summaryExport!, JSON.stringify(buildSummaryExport(record), null, 2) + '\n'),
    );
  return finishRun(record, failedExports, history);
}

/** Runs with the live progress line and the NDJSON output: the record (redacted, empty runs failed), not yet exported or printed. */
export async function runPlanToRecord(
  plan: Plan,
  o: Pick<RunCliOptions, 'quiet'>,
  ndjsonPath: string | null,
  stopGraceMs: number,
  hooks: Pick<RunOptions, 'onSetupData' | 'onSamples'> = {},
): Promise<{ record: RunRecord; failedExports: FailedExport[] }> {
  const tty = process.stderr.isTTY && !o.quiet && !process.env.CI;
  const progress = tty ? new ProgressLine(process.stderr) : null;
  // What is needed only after the load (or with --out) is imported then: the first request goes out sooner.
  const ndjson = ndjsonPath
    ? new (await import('../report/ndjson-output.ts')).NdjsonOutput(ndjsonPath, performance.timeOrigin + performance.now())
    : null;
  const handle = startRun(plan, {
    ...hooks,
    stopGraceMs,
    onInterval: (p) => {
      progress?.update(p);
      ndjson?.onInterval(p);
    },
  });
  const failedExports: FailedExport[] = [];
  try {
    return {
      record: finishRunRecord(
        await stopOnSignals(
          handle,
          (sig) => `${sig} — stopping: no new iterations, finishing in-flight requests (send again to stop at once)`,
        ),
      ),
      failedExports,
    };
  } finally {
    progress?.clear();
    const ndjsonError = await ndjson?.close();
    if (ndjsonError) failedExports.push({ what: '--out json=', path: ndjsonPath!, error: ndjsonError });
  }
}

/** Commander gives true/undefined when neither --history PATH nor --no-history was given. */
export function historyOption(h: unknown): string | false | undefined {
  return h === false ? false : typeof h === 'string' ? h : undefined;
}
