// Loading a k6 script as a plan: detect it, install the loader hooks here and in every worker,
// map k6's options, and make `-e` variables visible to init code (k6's __ENV) before it runs.
import { ownModule } from '../own-files.ts';
import { existsSync } from 'node:fs';
import { extname, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { PlanError } from '../plan/errors.ts';
import { loadPlanScript } from '../plan/load-script.ts';
import type { Plan } from '../plan/types.ts';
import type { PlanOptions } from '../plan/user-types.ts';
import { installK6Hooks } from './install-hooks.ts';
import { externallyControlledScenario, mapK6Options } from './options.ts';
import { k6RunOptions } from './run-options.ts';
import { analyseGraph } from './transform/analyse.ts';
import { needsInstancePerVu } from './transform/per-vu.ts';
import { isK6Entry } from './transform/transform.ts';

const SCRIPT_EXTENSIONS = new Set(['.js', '.mjs', '.cjs', '.ts', '.mts']);

/** A .js/.ts file that imports `k6` or `k6/…`. */
export function isK6Script(path: string): boolean {
  if (!SCRIPT_EXTENSIONS.has(extname(path).toLowerCase())) return false;
  return existsSync(path) && isK6Entry(resolve(path));
}

/** An exception thrown by the script's init code (k6's exit 107), not a problem with the input. */
export class K6InitError extends Error {
  override name = 'K6InitError';
}

export async function loadK6Plan(path: string, overrides?: PlanOptions): Promise<Plan> {
  installK6Hooks();
  // k6's __ENV holds the system environment plus -e variables, already in the init context.
  for (const [k, v] of Object.entries(overrides?.env ?? {})) process.env[k] = String(v);
  // Evaluate the init code here first, to tell what cannot load (exit 2) from what threw (107).
  try {
    await import(pathToFileURL(resolve(path)).href);
  } catch (e) {
    const err = e instanceof Error ? e : new Error(String(e));
    if (err.name === 'UnsupportedK6Import') throw new PlanError(err.message, { file: path });
    // A SyntaxError with a frame in the user's code was thrown by it (JSON.parse); without one, the
    // source did not compile.
    const thrown = userFrame(err) !== '';
    if ((err instanceof SyntaxError && !thrown) || (err as { code?: string }).code === 'ERR_MODULE_NOT_FOUND')
      throw new PlanError(`cannot load the script: ${err.message}`, { file: path });
    throw new K6InitError(`${path}: the init code threw ${err.name}: ${err.message}${userFrame(err)}`);
  }
  let k6Options: Record<string, unknown> = {};
  const plan = await loadPlanScript(path, overrides, (options) => {
    k6Options = options as Record<string, unknown>;
    const controlled = externallyControlledScenario(options);
    if (controlled !== null)
      throw new PlanError(
        "the externally-controlled executor is driven through k6's REST API (k6 scale, pause, resume), which speedguard does not " +
          'have: give the scenario its shape up front (ramping-vus with stages)',
        { file: path, path: `options.scenarios.${controlled}.executor` },
      );
    return mapK6Options(options);
  });
  Object.assign(plan, k6RunOptions(k6Options, path));
  plan.preload = [ownModule('./preload.ts', import.meta.url).href];
  // k6 gives every VU its own runtime: init code and module-level state are per VU. A script with
  // neither (per-vu.ts) shares one instance per thread: the same behaviour, without each VU's cost.
  plan.scriptPerVu = needsInstancePerVu(analyseGraph(resolve(path)));
  // k6's verdicts: a threshold on a metric that got no data passes (with a warning, k6/outcome.ts).
  plan.k6Semantics = true;
  return plan;
}

function userFrame(err: Error): string {
  const frame = (err.stack ?? '')
    .split('\n')
    .find((l) => /^\s+at /.test(l) && l.includes('file://') && !/\/src\/k6\//.test(l) && !l.includes('/node_modules/'));
  return frame ? `\n  ${frame.trim()}` : '';
}
