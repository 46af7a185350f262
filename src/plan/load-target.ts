// One entry for every kind of input: a URL, a YAML/JSON plan file, or a TS/JS script module.
import { extname, resolve } from 'node:path';
import { existsSync } from 'node:fs';
import { PlanError } from './errors.ts';
import { loadPlanFile } from './load-file.ts';
import { planFromUrl, type UrlFlags } from './load-url.ts';
import type { Plan } from './types.ts';

const SCRIPT_EXT = new Set(['.ts', '.mts', '.js', '.mjs', '.cjs']);
const PLAN_EXT = new Set(['.yaml', '.yml', '.json']);

export function isUrl(target: string): boolean {
  return /^https?:\/\//i.test(target);
}

export async function loadTarget(target: string, flags: UrlFlags): Promise<Plan> {
  if (isUrl(target)) return planFromUrl(target, flags);
  const path = resolve(target);
  const ext = extname(path).toLowerCase();
  if (!existsSync(path)) {
    throw new PlanError(`no such file (expected an http(s):// URL, a .yaml/.json plan or a .ts/.js script)`, { file: target });
  }
  let plan: Plan;
  if (PLAN_EXT.has(ext)) plan = await loadPlanFile(path);
  else if (SCRIPT_EXT.has(ext)) {
    const { loadPlanScript } = await import('./load-script.ts');
    plan = await loadPlanScript(path);
  } else {
    throw new PlanError(`unknown file type "${ext}" (expected .yaml, .yml, .json, .ts, .mts, .js or .mjs)`, { file: target });
  }
  return applyOverrides(plan, flags);
}

/** Command-line flags that still apply to a plan or script: workers, insecure, env. */
function applyOverrides(plan: Plan, flags: UrlFlags): Plan {
  const out = { ...plan, http: { ...plan.http }, env: { ...plan.env } };
  if (flags.workers !== undefined) out.workers = flags.workers;
  if (flags.insecure) out.http.insecureSkipTLSVerify = true;
  for (const kv of flags.env ?? []) {
    const i = kv.indexOf('=');
    if (i <= 0) throw new PlanError(`expected NAME=value (got ${JSON.stringify(kv)})`, { path: '--env' });
    out.env[kv.slice(0, i)] = kv.slice(i + 1);
  }
  return out;
}
