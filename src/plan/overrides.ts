// Command-line flags → plan options, and how they override a plan file's or script's options.
// k6's precedence: CLI flags beat the plan; an execution shortcut given on the command line
// (--duration, --iterations, --rate) replaces the plan's scenarios.
//
// CLI forms:
//   --threshold 'http_req_duration:p(95)<200'   METRIC[{tag:value}]:EXPRESSION[,OPTION…] (repeatable)
//       options, as in a plan's long form: allowEmpty (the metric may get no data), abortOnFail
//   --env NAME=value                            (repeatable)
//   --duration 30s                              (a bare number is milliseconds, as in k6)

import { PlanError } from './errors.ts';
import type { PlanOptions, UserThreshold } from './user-types.ts';
import { validateUserPlan } from './validate.ts';

export interface RunFlags {
  vus?: number;
  duration?: string | number;
  iterations?: number;
  rate?: number;
  /** "METRIC:EXPRESSION", e.g. "http_req_duration:p(95)<200" or "http_req_failed:rate<0.01". */
  thresholds?: string[];
  insecure?: boolean;
  timeout?: string | number;
  workers?: number;
  /** "NAME=value" */
  env?: string[];
}

const THRESHOLD = /^\s*([A-Za-z_][A-Za-z0-9_]*(?:\{[^{}]*\})?)\s*:\s*(\S.*)$/;
const ENV = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/s;

const FLAG_OF: Array<[RegExp, string]> = [
  [/^flow\[0\]\.request\.url/, 'url'],
  [/^flow\[0\]\.request\.method/, '--method'],
  [/^flow\[0\]\.request\.headers/, '--header'],
  [/^flow\[0\]\.request\.body/, '--body'],
  [/^thresholds/, '--threshold'],
  [/^http\.timeout/, '--timeout'],
  [/^http\.insecureSkipTLSVerify/, '--insecure'],
  [/^env/, '--env'],
  [/^(vus|duration|iterations|rate|workers)$/, '--$1'],
];

/** Renames an option path in a PlanError to the flag it came from (`vus` → `--vus`). */
export function renameToFlag(error: unknown): unknown {
  if (!(error instanceof PlanError) || error.path === null) return error;
  const path = error.path;
  const flag = FLAG_OF.find(([pattern]) => pattern.test(path));
  if (flag === undefined) return error;
  const renamed = flag[1] === '--$1' ? path.replace(flag[0], flag[1]) : flag[1];
  return new PlanError(error.problem, { path: renamed });
}

/** Parses and validates flags; errors name the flag. */
export function optionsFromFlags(flags: RunFlags): PlanOptions {
  const options: PlanOptions = {};
  for (const key of ['vus', 'duration', 'iterations', 'rate', 'workers'] as const) {
    if (flags[key] !== undefined) (options as Record<string, unknown>)[key] = flags[key];
  }
  if (flags.thresholds !== undefined && flags.thresholds.length > 0) {
    const thresholds: Record<string, UserThreshold[]> = {};
    for (const text of flags.thresholds) {
      const match = THRESHOLD.exec(text);
      if (match === null) {
        throw new PlanError(`expected METRIC:EXPRESSION such as 'http_req_duration:p(95)<200' (got ${JSON.stringify(text)})`, {
          path: '--threshold',
        });
      }
      (thresholds[match[1]!] ??= []).push(thresholdWithOptions(match[2]!));
    }
    options.thresholds = thresholds;
  }
  if (flags.insecure !== undefined || flags.timeout !== undefined) {
    options.http = {};
    if (flags.insecure !== undefined) options.http.insecureSkipTLSVerify = flags.insecure;
    if (flags.timeout !== undefined) options.http.timeout = flags.timeout;
  }
  if (flags.env !== undefined && flags.env.length > 0) {
    options.env = {};
    for (const pair of flags.env) {
      const match = ENV.exec(pair);
      if (match === null) throw new PlanError(`expected NAME=value (got ${JSON.stringify(pair)})`, { path: '--env' });
      options.env[match[1]!] = match[2]!;
    }
  }
  try {
    validateUserPlan(options, { file: null });
  } catch (error) {
    throw renameToFlag(error);
  }
  return options;
}

// Threshold expressions never contain a comma, so `p(95)<200,allowEmpty` splits unambiguously.
const THRESHOLD_FLAGS = ['allowEmpty', 'abortOnFail'] as const;

function thresholdWithOptions(text: string): UserThreshold {
  const [expression, ...flags] = text.split(',').map((p) => p.trim());
  if (flags.length === 0) return expression!;
  const long: { threshold: string; allowEmpty?: boolean; abortOnFail?: boolean } = { threshold: expression! };
  for (const flag of flags) {
    const known = THRESHOLD_FLAGS.find((f) => f.toLowerCase() === flag.toLowerCase());
    if (known === undefined) {
      throw new PlanError(
        `unknown threshold option ${JSON.stringify(flag)}: expected ${THRESHOLD_FLAGS.join(' or ')} (got ${JSON.stringify(text)})`,
        { path: '--threshold' },
      );
    }
    long[known] = true;
  }
  return long;
}

const EXECUTION_SHORTCUTS = ['duration', 'iterations', 'stages', 'rate'] as const;

/** The plan's options with command-line overrides applied (k6 precedence). */
export function applyOverrides(base: PlanOptions, overrides: PlanOptions): PlanOptions {
  const merged: PlanOptions = { ...base };
  const replacesExecution = EXECUTION_SHORTCUTS.some((key) => overrides[key] !== undefined);
  if (replacesExecution) {
    // The command line defines the execution: the plan's scenarios and execution shortcuts go
    // (its `vus` stays unless --vus is given too).
    delete merged.scenarios;
    for (const key of EXECUTION_SHORTCUTS) delete merged[key];
  } else if (overrides.vus !== undefined && base.scenarios !== undefined) {
    throw new PlanError('cannot change the VUs of a plan with scenarios; add --duration or --iterations to replace them', {
      path: '--vus',
    });
  }
  for (const key of ['vus', 'duration', 'iterations', 'stages', 'rate', 'workers', 'target', 'flow', 'data'] as const) {
    if (overrides[key] !== undefined) (merged as Record<string, unknown>)[key] = overrides[key];
  }
  if (overrides.thresholds !== undefined) merged.thresholds = { ...base.thresholds, ...overrides.thresholds };
  if (overrides.http !== undefined) merged.http = { ...base.http, ...overrides.http };
  if (overrides.env !== undefined) merged.env = { ...base.env, ...overrides.env };
  if (overrides.tags !== undefined) merged.tags = { ...base.tags, ...overrides.tags };
  if (overrides.scenarios !== undefined) merged.scenarios = overrides.scenarios;
  return merged;
}
