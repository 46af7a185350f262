// `speedguard run script.js` for a k6 script: loaded through the k6 loader plugin, run by the same
// engine, ended as k6 ends it (handleSummary, k6-shaped --summary-export, k6's exit codes).
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { optionsFromFlags } from '../plan/overrides.ts';
import { K6InitError, loadK6Plan } from '../k6/load-plan.ts';
import { rememberPlanSecrets } from '../record/redact-messages.ts';
import { k6ExitCode, k6Outcome, K6_EXIT } from '../k6/outcome.ts';
import { buildK6SummaryExport, buildSummaryData } from '../k6/summary.ts';
import { scriptOptions } from '../k6/modules/runtime.ts';
import { K6JsonOutput } from '../k6/json-output.ts';
import { writeSummaryOutputs } from '../k6/handle-summary.ts';
import { renderSummary } from '../report/summary-text.ts';
import { UsageError } from '../errors.ts';
import { appendStepSummary, renderRunGithubSummary } from '../report/github-summary.ts';
import { saveToHistory } from '../history/save-to-history.ts';
import type { Plan } from '../plan/types.ts';
import type { RunRecord } from '../record/run-record.ts';
import type { RunOptions } from '../engine/coordinator.ts';
import type { UrlFlags } from '../plan/load-url.ts';
import { exportTo, finishRun, type FailedExport } from './run-exit.ts';

export interface K6CliOptions {
  summaryTrendStats?: string | undefined;
  summaryExport?: string | undefined;
  json?: boolean | undefined;
  history?: string | false | undefined;
  quiet?: boolean | undefined;
}

/** What run.ts lends (passed in, so the two files do not import each other). */
export interface RunSupport {
  /** The command-line flags as plan flags. */
  flags: UrlFlags;
  /** --tag name=value */
  tags: Record<string, string>;
  checkPlan(plan: Plan): void;
  runPlanToRecord(
    plan: Plan,
    o: { quiet?: boolean | undefined },
    ndjsonPath: string | null,
    stopGraceMs: number,
    hooks?: Pick<RunOptions, 'onSetupData' | 'onSamples'>,
  ): Promise<{ record: RunRecord; failedExports: FailedExport[] }>;
  historyOption(h: unknown): string | false | undefined;
}

export async function runK6Script(
  target: string,
  o: K6CliOptions,
  ndjsonPath: string | null,
  stopGraceMs: number,
  support: RunSupport,
): Promise<number> {
  const { checkPlan, historyOption, runPlanToRecord } = support;
  const flags = support.flags;
  // Checked before any load is sent.
  const flagStats = o.summaryTrendStats !== undefined ? trendStatsFlag(o.summaryTrendStats) : undefined;
  const overrides = optionsFromFlags(flags);
  let plan: Plan;
  try {
    plan = await loadK6Plan(target, Object.keys(overrides).length > 0 ? overrides : undefined);
  } catch (e) {
    if (!(e instanceof K6InitError)) throw e;
    process.stderr.write(`speedguard: ${e.message}\n`);
    return K6_EXIT.SCRIPT_EXCEPTION;
  }
  Object.assign(plan.tags, support.tags);
  rememberPlanSecrets(plan);
  checkPlan(plan);
  let raw: RunRecord;
  let failedExports: FailedExport[];
  let setupData: unknown;
  // --out json= in k6's form: every sample, as k6 writes it (not speedguard's per-second lines).
  const samples = ndjsonPath !== null ? new K6JsonOutput(ndjsonPath, plan) : null;
  let sampleError: Error | null = null;
  try {
    ({ record: raw, failedExports } = await runPlanToRecord(plan, o, null, stopGraceMs, {
      onSetupData: (d) => (setupData = d),
      ...(samples ? { onSamples: (b) => samples.write(b) } : {}),
    }));
  } catch (e) {
    // setup()/teardown() threw: k6's "script exception".
    process.stderr.write(`speedguard: ${(e as Error).message}\n`);
    return K6_EXIT.SCRIPT_EXCEPTION;
  } finally {
    sampleError = samples?.close() ?? null;
  }
  if (sampleError) failedExports.push({ what: '--out json=', path: ndjsonPath!, error: sampleError });
  const outcome = k6Outcome(raw);
  const record = outcome.record;
  const trendStats = flagStats ?? (Array.isArray(scriptOptions().summaryTrendStats) ? scriptOptions().summaryTrendStats : undefined);
  const data = buildSummaryData(record, { trendStats, setupData });
  // Stored first: a failed export afterwards loses nothing (it is said last, exit 1).
  const history = historyOption(o.history);
  saveToHistory(record, { history });
  const mod = (await import(pathToFileURL(resolve(target)).href)) as { handleSummary?: (d: unknown) => unknown };
  if (o.json) process.stdout.write(JSON.stringify(record) + '\n');
  else if (typeof mod.handleSummary === 'function') {
    try {
      writeSummaryOutputs(await mod.handleSummary(data));
    } catch (e) {
      process.stderr.write(`speedguard: handleSummary() failed: ${(e as Error).message}\n`);
      process.stdout.write(renderSummary(record, { colour: false }));
    }
  } else process.stdout.write(renderSummary(record, { colour: Boolean(process.stdout.isTTY) && !process.env.NO_COLOR }));
  appendStepSummary(renderRunGithubSummary(record));
  if (o.summaryExport)
    await exportTo(failedExports, '--summary-export', o.summaryExport, () =>
      writeFileSync(o.summaryExport!, JSON.stringify(buildK6SummaryExport(data), null, 2) + '\n'),
    );
  for (const w of outcome.warnings) process.stderr.write(`speedguard: ${w}\n`);
  return k6ExitCode(outcome, finishRun(record, failedExports, history));
}

const TREND_STAT = /^(avg|min|med|max|count|p\(\d+(\.\d+)?\))$/;

function trendStatsFlag(list: string): string[] {
  const stats = list
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const bad = stats.find((s) => !TREND_STAT.test(s));
  if (bad !== undefined || stats.length === 0)
    throw new UsageError(`--summary-trend-stats: ${JSON.stringify(bad ?? list)} is not a trend stat (avg, min, med, max, count, p(N))`);
  return stats;
}
