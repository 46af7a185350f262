// The agent's files as plain JavaScript. The target may run a Node without type stripping (20/22),
// and speedguard may be installed under node_modules (where Node refuses to strip types), so the
// collector strips them itself and hands the target .mjs copies.
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
