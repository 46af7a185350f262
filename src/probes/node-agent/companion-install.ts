// Collector side: ships the agent's companion modules — the SQL instrumentation (sql-agent.ts and the
// sibling files it imports) and the async-wait tracker (async-waits.ts) — next to the agent's own
// stripped copy, and gives the `--import` flags that load them. Stripped like the agent itself
// (strip-types.ts); their relative imports of each other are rewritten .ts → .mjs.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { stripTypesQuietly } from '../../analysis/source/strip-types.ts';
import { BUILT, ownModule } from '../../own-files.ts';

/** The SQL instrumentation's in-target files, entry first. */
export const SQL_AGENT_FILES = ['sql-agent', 'sql-hooks', 'sql-requests', 'sql-fingerprint', 'stack-frames'] as const;
/** The async-wait tracker's in-target files, entry first. */
export const ASYNC_WAIT_FILES = ['async-waits', 'stack-frames'] as const;

const stripped = new Map<string, string | null>();

/** One in-target file as plain JS with its sibling imports pointing at the .mjs copies, or null. */
function strippedFile(name: string): string | null {
  let js = stripped.get(name);
  if (js !== undefined) return js;
  try {
    const source = readFileSync(ownModule(`./${name}.ts`, import.meta.url), 'utf8');
    const plain = BUILT ? source : stripTypesQuietly(source);
    js = plain === null ? null : plain.replace(/(from\s+['"]\.\/[\w-]+)\.[jt]s(['"])/g, '$1.mjs$2');
  } catch {
    js = null;
  }
  stripped.set(name, js);
  return js;
}

/** Writes `names` into `dir` and returns " --import=<file URL of the first>", or '' when one cannot be prepared. */
function importFlag(dir: string, names: readonly string[]): string {
  const files = names.map((name) => [name, strippedFile(name)] as const);
  if (files.some(([, js]) => js === null)) return '';
  try {
    for (const [name, js] of files) writeFileSync(join(dir, `${name}.mjs`), js!);
    return ` --import=${pathToFileURL(join(dir, `${names[0]}.mjs`)).href}`;
  } catch {
    return '';
  }
}

/**
 * Writes the SQL instrumentation into `dir` (the collector's private temp dir) and returns
 * " --import=<file URL of sql-agent.mjs>" to append to the agent's own flag, or '' when it cannot be
 * prepared (the target then runs without N+1 detection rather than failing to start).
 */
export function sqlAgentImportFlag(dir: string): string {
  return importFlag(dir, SQL_AGENT_FILES);
}

/** The same for the async-wait tracker: " --import=<file URL of async-waits.mjs>", or '' (no async-wait figures). */
export function asyncWaitImportFlag(dir: string): string {
  return importFlag(dir, ASYNC_WAIT_FILES);
}
