// k6 options that shape the run itself rather than the load: setup()/teardown() time limits and the
// shortest iteration. k6 reads durations as strings ("30s") or numbers of milliseconds.
import { parseDuration } from '../plan/duration.ts';
import { PlanError } from '../plan/errors.ts';
import type { Plan } from '../plan/types.ts';

/** k6's defaults for setupTimeout and teardownTimeout. */
export const DEFAULT_LIFECYCLE_TIMEOUT_MS = 60_000;

export type K6RunOptions = Pick<Plan, 'lifecycleTimeouts' | 'minIterationDurationMs'>;

export function k6RunOptions(options: Record<string, unknown>, file: string): K6RunOptions {
  const ms = (key: string): number | undefined => {
    const v = options[key];
    if (v === undefined || v === null) return undefined;
    try {
      return parseDuration(v as string | number);
    } catch (e) {
      throw new PlanError((e as Error).message, { file, path: `options.${key}` });
    }
  };
  const out: K6RunOptions = {
    lifecycleTimeouts: {
      setupMs: ms('setupTimeout') ?? DEFAULT_LIFECYCLE_TIMEOUT_MS,
      teardownMs: ms('teardownTimeout') ?? DEFAULT_LIFECYCLE_TIMEOUT_MS,
    },
  };
  const min = ms('minIterationDuration');
  if (min !== undefined && min > 0) out.minIterationDurationMs = min;
  return out;
}
