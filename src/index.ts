// The programmatic API and the types scripts import:
//   import { run } from 'speedguard';                       // run a load test from code
//   import { http, check, sleep, type Options } from 'speedguard';   // write a k6-style script
import { startRun, type RunOptions } from './engine/coordinator.ts';
import { loadPlan as loadPlanAt } from './plan/load.ts';
import type { UrlFlags } from './plan/load-url.ts';
import type { Plan } from './plan/types.ts';
import type { RunRecord } from './record/run-record.ts';
import { checkPlanThresholds } from './engine/threshold-tracker.ts';
import { installScriptHooks } from './engine/script-loader/hooks.ts';
import { finishRunRecord } from './record/finish-run.ts';

export { startRun, type RunHandle, type RunOptions, type IntervalProgress } from './engine/coordinator.ts';
/** Reads a plan: a URL (with flags), a YAML/JSON plan file or a TS/JS script. */
export function loadPlan(target: string, flags: UrlFlags = {}): Promise<Plan> {
  installScriptHooks();
  return loadPlanAt(target, flags);
}
export { buildSummaryExport } from './report/summary-export.ts';
export { renderSummary } from './report/summary-text.ts';
export { selectMetric } from './record/select.ts';
export type { Plan, Scenario, Step } from './plan/types.ts';
export type { RunRecord, SeriesTotal, ThresholdOutcome, GeneratorVerdict } from './record/run-record.ts';
export type { PlanOptions as Options } from './plan/user-types.ts';
export type { UrlFlags } from './plan/load-url.ts';

// Script API (k6's http, check, group, sleep, metrics, execution info).
export { http, Response, type RequestParams } from './engine/script/http.ts';
export { check, group, sleep, Trend, Counter, Rate, Gauge, exec } from './engine/script/functions.ts';

/**
 * Run a load test and resolve with its RunRecord. `target` is a URL, a plan/script path, or a typed Plan.
 *   const record = await run('http://127.0.0.1:3000/api', { rate: 200, duration: '10s' });
 */
export async function run(target: string | Plan, flags: UrlFlags = {}, options: RunOptions = {}): Promise<RunRecord> {
  // A script may import 'speedguard' and live in a CommonJS project: the script hooks load it.
  installScriptHooks();
  const plan = typeof target === 'string' ? await loadPlanAt(target, flags) : target;
  checkPlanThresholds(plan);
  // The record the CLI's `run` stores for the same run: an empty run is failed, secrets redacted.
  return finishRunRecord(await startRun(plan, options).result);
}
