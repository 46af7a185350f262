// TypeScript as plain JavaScript with the same positions, without Node's ExperimentalWarning on the
// user's terminal. Used for the agent's files (the target may run a Node without type stripping, and
// speedguard may be installed under node_modules, where Node refuses to strip types: the collector
// hands the target .mjs copies) and for k6 scripts written in TypeScript (the k6 transform parses JS).
import module from 'node:module';

/**
 * `source` with its TypeScript types removed, or null when this Node has no
 * module.stripTypeScriptTypes. Its ExperimentalWarning would land on the user's terminal: muted
 * (only that one) while it runs.
 */
export function stripTypesQuietly(source: string): string | null {
  const strip = (module as unknown as { stripTypeScriptTypes?: (code: string) => string }).stripTypeScriptTypes;
  if (!strip) return null;
  const emitWarning = process.emitWarning;
  process.emitWarning = ((warning: string | Error, ...rest: unknown[]) => {
    if (String(warning).includes('stripTypeScriptTypes')) return;
    (emitWarning as (...a: unknown[]) => void).call(process, warning, ...rest);
  }) as typeof process.emitWarning;
  try {
    return strip(source);
  } finally {
    process.emitWarning = emitWarning;
  }
}
