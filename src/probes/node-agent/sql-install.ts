// Collector side: ships the agent's SQL instrumentation (sql-agent.ts and the sibling files it
// imports) next to the agent's own stripped copy, and gives the `--import` flag that loads it.
// Like agentJavaScript() in collector.ts: the target may run Node 20/22 (no type stripping) and
// speedguard may sit under node_modules (where Node will not strip types), so we strip here.
import { readFileSync, writeFileSync } from 'node:fs';
import module from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

/** The in-target files, entry first. Their relative imports of each other are rewritten .ts → .mjs. */
export const SQL_AGENT_FILES = ['sql-agent', 'sql-hooks', 'sql-requests', 'sql-fingerprint'] as const;

let stripped: Map<string, string> | null | undefined;

function strippedFiles(): Map<string, string> | null {
  if (stripped !== undefined) return stripped;
  const strip = (module as unknown as { stripTypeScriptTypes?: (code: string) => string }).stripTypeScriptTypes;
  if (!strip) return (stripped = null);
  // stripTypeScriptTypes prints an ExperimentalWarning on the user's terminal; mute just that one.
  const emitWarning = process.emitWarning;
  process.emitWarning = ((warning: string | Error, ...rest: unknown[]) => {
    if (String(warning).includes('stripTypeScriptTypes')) return;
    (emitWarning as (...a: unknown[]) => void).call(process, warning, ...rest);
  }) as typeof process.emitWarning;
  try {
    const files = new Map<string, string>();
    for (const name of SQL_AGENT_FILES) {
      const source = readFileSync(new URL(`./${name}.ts`, import.meta.url), 'utf8');
      files.set(`${name}.mjs`, strip(source).replace(/(from\s+['"]\.\/[\w-]+)\.ts(['"])/g, '$1.mjs$2'));
    }
    stripped = files;
  } catch {
    stripped = null;
  } finally {
    process.emitWarning = emitWarning;
  }
  return stripped;
}

/**
 * Writes the stripped files into `dir` (the collector's private temp dir) and returns
 * " --import=<file URL of sql-agent.mjs>" to append to the agent's own flag, or '' when they cannot
 * be prepared (the target then runs without N+1 detection rather than failing to start).
 */
export function sqlAgentImportFlag(dir: string): string {
  const files = strippedFiles();
  if (!files) return '';
  try {
    for (const [name, js] of files) writeFileSync(join(dir, name), js);
    return ` --import=${pathToFileURL(join(dir, 'sql-agent.mjs')).href}`;
  } catch {
    return '';
  }
}
