// Errors thrown by a user's script, as the record keeps them: the first occurrence of each distinct
// error (name + message) with the user's own stack frames, and how often it happened.

/** init: a VU's own copy of the script failed to load (k6 scripts run one module instance per VU). */
export type ScriptErrorPhase = 'init' | 'iteration' | 'setup' | 'teardown' | 'unhandled';

export interface ScriptErrorSample {
  phase: ScriptErrorPhase;
  name: string;
  message: string;
  /** Stack frames of the user's code ("at default (file:///…/script.ts:12:5)"), speedguard's own removed. */
  stack: string[];
  count: number;
}

/** Merges samples from several workers: counts of the same error add up, the first stack is kept. */
export function mergeScriptErrors(lists: ScriptErrorSample[][], max = 10): ScriptErrorSample[] {
  const byKey = new Map<string, ScriptErrorSample>();
  for (const list of lists) {
    for (const s of list) {
      const key = `${s.phase}\u0000${s.name}\u0000${s.message}`;
      const have = byKey.get(key);
      if (have) have.count += s.count;
      else byKey.set(key, { ...s, stack: [...s.stack] });
    }
  }
  return [...byKey.values()].sort((a, b) => b.count - a.count).slice(0, max);
}
