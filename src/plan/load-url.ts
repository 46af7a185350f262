// `speedguard run <url> [flags]` → Plan: one request as the flow, the k6 shortcuts from flags.
// Goes through the same schema and normalisation as plan files; error paths are renamed to the
// flag the user typed (`--vus: must be an integer >= 1`).
//
// CLI forms (besides those of overrides.ts):
//   --method GET      (default GET, or POST when --body is given, as curl does)
//   --header 'Name: value'   (repeatable)
//   --body TEXT

import { URL_GRACEFUL_STOP_MS } from './defaults.ts';
import { PlanError } from './errors.ts';
import { normalisePlan } from './normalise.ts';
import { CREDENTIALS_IN_URL, hasCredentials } from './steps.ts';
import { optionsFromFlags, renameToFlag, type RunFlags } from './overrides.ts';
import type { Plan } from './types.ts';
import type { PlanOptions, UserRequest } from './user-types.ts';

export interface UrlFlags extends RunFlags {
  method?: string;
  /** "Name: value" */
  headers?: string[];
  body?: string;
}

const HEADER = /^([!#$%&'*+.^_`|~0-9A-Za-z-]+)\s*:\s?(.*)$/;

export function planFromUrl(url: string, flags: UrlFlags = {}): Plan {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new PlanError(`invalid URL ${JSON.stringify(url)}`, { path: 'url' });
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new PlanError(`must be an http:// or https:// URL (got ${JSON.stringify(url)})`, { path: 'url' });
  }
  if (hasCredentials(url)) throw new PlanError(CREDENTIALS_IN_URL, { path: 'url' });

  const request: UserRequest = { method: flags.method ?? (flags.body !== undefined ? 'POST' : 'GET'), url };
  if (flags.headers !== undefined && flags.headers.length > 0) {
    request.headers = {};
    for (const line of flags.headers) {
      const match = HEADER.exec(line);
      if (match === null) throw new PlanError(`expected "Name: value" (got ${JSON.stringify(line)})`, { path: '--header' });
      request.headers[match[1]!] = match[2]!;
    }
  }
  if (flags.body !== undefined) request.body = flags.body;

  const user: PlanOptions = { ...optionsFromFlags(flags), target: parsed.origin, flow: [{ request }] };
  let plan: Plan;
  try {
    plan = normalisePlan(user, { file: null, source: url, baseDir: process.cwd(), mode: 'flow' });
  } catch (error) {
    throw renameToFlag(error);
  }
  for (const s of Object.values(plan.scenarios)) s.gracefulStopMs = URL_GRACEFUL_STOP_MS;
  return plan;
}
