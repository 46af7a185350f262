// Collects the errors a script throws in one worker thread, so the user sees their own error with
// its file:line instead of a bare iteration_errors count. Bounded: the first MAX_DISTINCT distinct
// errors are kept with their stack, further occurrences only add to a count.
import { fileURLToPath } from 'node:url';
import type { ScriptErrorPhase, ScriptErrorSample } from '../record/script-errors.ts';

const MAX_DISTINCT = 10;
const MAX_FRAMES = 6;
// speedguard's own source directory: frames in it are not the user's.
const OWN_SRC = fileURLToPath(new URL('../', import.meta.url));
const OWN_SRC_URL = new URL('../', import.meta.url).href;

function describe(e: unknown): { name: string; message: string; stack: string[] } {
  if (e instanceof Error) {
    const frames = (e.stack ?? '')
      .split('\n')
      .slice(1)
      .map((l) => l.trim())
      .filter((l) => l.startsWith('at ') && !/node:|node_modules|<anonymous>/.test(l) && !l.includes(OWN_SRC) && !l.includes(OWN_SRC_URL));
    return { name: e.name, message: e.message, stack: frames.slice(0, MAX_FRAMES) };
  }
  return { name: typeof e, message: String(e), stack: [] };
}

export class ScriptErrorLog {
  private readonly byKey = new Map<string, ScriptErrorSample>();

  add(e: unknown, phase: ScriptErrorPhase): void {
    const d = describe(e);
    const key = `${phase}\u0000${d.name}\u0000${d.message}`;
    const have = this.byKey.get(key);
    if (have) have.count++;
    else if (this.byKey.size < MAX_DISTINCT) this.byKey.set(key, { phase, ...d, count: 1 });
  }

  /** The samples so far; the log starts empty again. */
  take(): ScriptErrorSample[] {
    const out = [...this.byKey.values()];
    this.byKey.clear();
    return out;
  }
}

/** This thread's log (each worker thread has its own module instance). */
export const threadScriptErrors = new ScriptErrorLog();

export function describeScriptError(e: unknown, phase: ScriptErrorPhase): ScriptErrorSample {
  return { phase, ...describe(e), count: 1 };
}

let unhandledCounter: (() => void) | null = null;

/** The iteration runner says where an unhandled rejection is counted (as an iteration error). */
export function countUnhandledWith(fn: () => void): void {
  unhandledCounter = fn;
}

/** For worker threads: an unhandled rejection in a script is an iteration error, not a crash. */
export function onUnhandledRejection(reason: unknown): void {
  threadScriptErrors.add(reason, 'unhandled');
  unhandledCounter?.();
}

/**
 * Back-off for a VU whose iterations keep throwing (closed-model executors only; arrival-rate ones
 * are paced by their schedule): 2, 4, 8 … ms per consecutive failing iteration, at most 1 s, so a
 * script that throws at once does not spin at 100k+ iterations/s.
 */
export function failureBackoffMs(consecutiveFailures: number): number {
  return consecutiveFailures <= 0 ? 0 : Math.min(1000, 2 ** Math.min(consecutiveFailures, 10));
}
