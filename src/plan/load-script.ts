// Script plans: a .ts/.js module whose `export const options` has the plan shape (k6 style) and
// whose exported functions are what iterations run. Node 24 imports .ts directly (type stripping).
// The module is imported here once to read its options and check the exports; every worker
// imports it again from Plan.scriptPath. Callers install the script hooks first
// (engine/script-loader: 'speedguard' imports, scripts in CommonJS projects).

import { statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { PlanError, formatPath } from './errors.ts';
import { normalisePlan } from './normalise.ts';
import { applyOverrides } from './overrides.ts';
import type { Plan } from './types.ts';
import type { PlanOptions } from './user-types.ts';
import { validateUserPlan } from './validate.ts';

/**
 * `overrides`: options from command-line flags (overrides.ts), applied with k6's precedence.
 * `mapOptions`: turns the module's `options` into the plan shape (k6 scripts: k6's option names).
 */
export async function loadPlanScript(path: string, overrides?: PlanOptions, mapOptions?: (options: object) => PlanOptions): Promise<Plan> {
  const absolute = resolve(path);
  try {
    if (!statSync(absolute).isFile()) throw new PlanError('not a file', { file: path });
  } catch (error) {
    if (error instanceof PlanError) throw error;
    throw new PlanError('file not found', { file: path });
  }

  // `-e NAME=value` is in process.env before the module runs, as the workers give it to iterations:
  // module-level code and setup() (run in this thread) read the same values.
  for (const [k, v] of Object.entries(overrides?.env ?? {})) process.env[k] = String(v);
  let module: Record<string, unknown>;
  try {
    module = (await import(pathToFileURL(absolute).href)) as Record<string, unknown>;
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw new PlanError(`cannot load the script: ${message}`, { file: path });
  }

  const exported = module.options ?? {};
  if (typeof exported !== 'object' || exported === null || Array.isArray(exported)) {
    throw new PlanError('must be an object (export const options = { … })', { file: path, path: 'options' });
  }
  const options = mapOptions ? mapOptions(exported) : exported;
  const ctx = {
    file: path,
    pathPrefix: ['options'],
    source: absolute,
    baseDir: dirname(absolute),
    mode: 'script' as const,
    scriptPath: absolute,
  };
  let input: unknown = options;
  if (overrides !== undefined) {
    validateUserPlan(options, ctx);
    input = applyOverrides(options, overrides);
  }
  const plan = normalisePlan(input, ctx);

  const functions = Object.keys(module).filter((name) => typeof module[name] === 'function');
  const explicit = (input as { scenarios?: Record<string, { exec?: string }> }).scenarios;
  for (const [name, scenario] of Object.entries(plan.scenarios)) {
    if (typeof module[scenario.exec] === 'function') continue;
    const exported = functions.length > 0 ? `exported functions: ${functions.join(', ')}` : 'it exports no functions';
    const what = scenario.exec === 'default' ? 'no default export function' : `no exported function "${scenario.exec}"`;
    // Point at the scenario's exec field when there is one to fix.
    const at =
      explicit === undefined ? null : formatPath(['options', 'scenarios', name, ...(explicit[name]?.exec !== undefined ? ['exec'] : [])]);
    throw new PlanError(`the script has ${what} to run (${exported})`, { file: path, path: at });
  }
  return plan;
}
