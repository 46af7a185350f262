// Reading a call site out of a V8 stack string, inside the target (the SQL hooks and the async-wait
// tracker use it). What is the application: not Node's own modules (node:, internal/), not natives,
// never speedguard's agent (files in `ownDir`, the folder of the shipped .mjs copies); dependencies
// (node_modules) only when asked for, as a fallback. The collector-side twin for CPU-profile URLs is
// analysis/cpu-profile/categories.ts (frameCategory); this one reads Error().stack text.
// Runs as plain JS after type stripping on Node 20+: only node: built-ins, no TS-only syntax.
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { SqlFrame } from '../../record/agent-sql-samples.ts';

/** The folder of the agent's own files: their frames are instrumentation, never the application's. */
export const OWN_DIR = (() => {
  try {
    return dirname(fileURLToPath(import.meta.url));
  } catch {
    return '\u0000';
  }
})();
// "    at fn (file:line:col)", "    at async fn (file:line:col)" or "    at file:line:col".
const FRAME = /^\s*at (?:(.+?) \((.+?):(\d+):(\d+)\)|(.+?):(\d+):(\d+))$/;

export interface StackFrame extends SqlFrame {
  /** Under node_modules: a library's frame, not the application's. */
  dependency: boolean;
}

/**
 * The frames of `stack` outside Node and the agent, innermost first, at most `max`; dependency frames
 * only with `withDependencies`.
 */
export function stackFrames(stack: string | undefined, ownDir: string, max: number, withDependencies: boolean): StackFrame[] {
  const out: StackFrame[] = [];
  if (!stack) return out;
  const lines = stack.split('\n');
  for (let i = 1; i < lines.length && out.length < max; i++) {
    const m = FRAME.exec(lines[i]!);
    if (!m) continue;
    let file = m[2] ?? m[5]!;
    if (file.startsWith('node:') || file.startsWith('internal/') || file.includes('<anonymous>') || file.startsWith('native')) continue;
    if (file.startsWith('file://')) {
      try {
        file = fileURLToPath(file);
      } catch {
        continue;
      }
    }
    if (file.startsWith(ownDir)) continue;
    const dependency = file.includes('/node_modules/') || file.includes('\\node_modules\\');
    if (dependency && !withDependencies) continue;
    const fn = (m[1] ?? '(anonymous)').replace(/^async /, '');
    out.push({ file, line: Number(m[3] ?? m[6]), column: Number(m[4] ?? m[7]), function: fn, dependency });
  }
  return out;
}

/** Whether `stack` passes through the agent's own files (its timers and probes are not the target's work). */
export function fromAgent(stack: string | undefined, ownDir: string): boolean {
  return stack !== undefined && ownDir !== '\u0000' && (stack.includes(ownDir + '/') || stack.includes(ownDir + '\\'));
}
