// Plan input: everything that turns user input (URL + flags, YAML/JSON file, script module) into
// the typed Plan of types.ts.

import { extname } from 'node:path';
import { PlanError } from './errors.ts';
import { loadPlanFile } from './load-file.ts';
import { loadPlanScript } from './load-script.ts';
import { planFromUrl, type UrlFlags } from './load-url.ts';
import { optionsFromFlags } from './overrides.ts';
import type { Plan } from './types.ts';

export type * from './types.ts';
export type { PlanOptions } from './user-types.ts';
export { PlanError, formatPath } from './errors.ts';
export { DurationError, parseDuration, formatDuration, parseSize } from './duration.ts';
export { normalisePlan, type NormaliseOptions } from './normalise.ts';
export { validateUserPlan } from './validate.ts';
export { loadPlanFile, parsePlanText } from './load-file.ts';
export { loadPlanScript } from './load-script.ts';
export { planFromUrl, type UrlFlags } from './load-url.ts';
export { optionsFromFlags, applyOverrides, type RunFlags } from './overrides.ts';
export { compileTemplate, parseTemplate, templateVariables, TemplateError, TEMPLATE_BUILTINS } from './template.ts';
export type { CompiledTemplate, TemplateVars } from './template.ts';
export { loadFeeder, createCursor, createFeederPool, partitionRows } from './feeders.ts';
export type { FeederRow, FeederCursor, FeederPool } from './feeders.ts';
export { HTTP_DEFAULTS, SCENARIO_DEFAULTS, defaultArrivalVUs } from './defaults.ts';

const SCRIPT_EXTENSIONS = new Set(['.ts', '.mts', '.js', '.mjs']);
const DATA_EXTENSIONS = new Set(['.yaml', '.yml', '.json']);

/**
 * `speedguard run <input>`: an http(s) URL, a YAML/JSON plan or a .ts/.js script. Flags are
 * applied on top of a file's options (k6 precedence); for a URL they make the whole plan.
 */
export async function loadPlan(input: string, flags: UrlFlags = {}): Promise<Plan> {
  if (/^https?:\/\//i.test(input)) return planFromUrl(input, flags);
  const ext = extname(input).toLowerCase();
  for (const flag of ['method', 'headers', 'body'] as const) {
    if (flags[flag] !== undefined) throw new PlanError('only applies when running a URL', { path: `--${flag === 'headers' ? 'header' : flag}` });
  }
  const overrides = optionsFromFlags(flags);
  const hasOverrides = Object.keys(overrides).length > 0;
  if (DATA_EXTENSIONS.has(ext)) return loadPlanFile(input, hasOverrides ? overrides : undefined);
  if (SCRIPT_EXTENSIONS.has(ext)) return loadPlanScript(input, hasOverrides ? overrides : undefined);
  throw new PlanError(`not a URL or a plan file: expected http(s)://…, .yaml, .yml, .json, .ts or .js`, { file: input });
}
