// Collector side: ships the agent's SQL instrumentation (sql-agent.ts and the sibling files it
// imports) next to the agent's own stripped copy, and gives the `--import` flag that loads it.
// Stripped like the agent itself (strip-types.ts).
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { stripTypesQuietly } from '../../engine/script-loader/strip-types.ts';
import { BUILT, ownModule } from '../../own-files.ts';

/** The in-target files, entry first. Their relative imports of each other are rewritten .ts → .mjs. */
export const SQL_AGENT_FILES = ['sql-agent', 'sql-hooks', 'sql-requests', 'sql-fingerprint'] as const;

let stripped: Map<string, string> | null | undefined;

function strippedFiles(): Map<string, string> | null {
  if (stripped !== undefined) return stripped;
  try {
    const files = new Map<string, string>();
    for (const name of SQL_AGENT_FILES) {
      const source = readFileSync(ownModule(`./${name}.ts`, import.meta.url), 'utf8');
      const js = BUILT ? source : stripTypesQuietly(source);
      if (js === null) return (stripped = null);
      files.set(`${name}.mjs`, js.replace(/(from\s+['"]\.\/[\w-]+)\.[jt]s(['"])/g, '$1.mjs$2'));
    }
    stripped = files;
  } catch {
    stripped = null;
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
