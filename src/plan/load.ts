// loadPlan: a URL with flags, a YAML/JSON plan file or a TS/JS script → the typed Plan. The file and
// script loaders (YAML parser, script import) are imported only for those inputs: a URL run starts
// without them (cold start, BENCHMARKS.md).

import { extname } from 'node:path';
import { PlanError } from './errors.ts';
import { planFromUrl, type UrlFlags } from './load-url.ts';
import { optionsFromFlags } from './overrides.ts';
import { checkEnvPlaceholders } from './env-check.ts';
import type { Plan } from './types.ts';

/** A request plan (URL or file) whose ${env.NAME} placeholders all have a value (scripts read env themselves). */
function withEnvChecked(plan: Plan, file?: string): Plan {
  checkEnvPlaceholders(plan, file);
  return plan;
}

const SCRIPT_EXTENSIONS = new Set(['.ts', '.mts', '.js', '.mjs']);
const DATA_EXTENSIONS = new Set(['.yaml', '.yml', '.json']);

/**
 * `speedguard run <input>`: an http(s) URL, a YAML/JSON plan or a .ts/.js script. Flags are
 * applied on top of a file's options (k6 precedence); for a URL they make the whole plan.
 */
export async function loadPlan(input: string, flags: UrlFlags = {}): Promise<Plan> {
  if (/^https?:\/\//i.test(input)) return withEnvChecked(await planFromUrl(input, flags));
  const ext = extname(input).toLowerCase();
  for (const flag of ['method', 'headers', 'body'] as const) {
    if (flags[flag] !== undefined)
      throw new PlanError('only applies when running a URL', { path: `--${flag === 'headers' ? 'header' : flag}` });
  }
  const overrides = optionsFromFlags(flags);
  const hasOverrides = Object.keys(overrides).length > 0;
  if (DATA_EXTENSIONS.has(ext))
    return withEnvChecked(await (await import('./load-file.ts')).loadPlanFile(input, hasOverrides ? overrides : undefined), input);
  if (SCRIPT_EXTENSIONS.has(ext)) return (await import('./load-script.ts')).loadPlanScript(input, hasOverrides ? overrides : undefined);
  throw new PlanError(`not a URL or a plan file: expected http(s)://…, .yaml, .yml, .json, .ts or .js`, { file: input });
}
