// What the script hooks do to a module, as plain functions shared by the in-thread hooks
// (module.registerHooks) and the off-thread ones (module.register, Node < 22.15): hooks.ts and
// async-hooks.ts only adapt them to Node's two hook APIs.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { packageFile } from '../../own-files.ts';
import type { ScriptLoaderPlugin } from './plugin.ts';

const OWN_ROOT = packageFile('').href;

/** The URL a plugin gives a bare specifier, or undefined to let Node resolve it. */
export function pluginResolve(
  plugins: readonly ScriptLoaderPlugin[],
  specifier: string,
  parentURL: string | undefined,
): string | undefined {
  if (specifier.startsWith('.') || specifier.startsWith('/') || specifier.includes(':')) return undefined;
  for (const p of plugins) {
    const url = p.resolve?.(specifier, parentURL);
    if (url !== undefined) return url;
  }
  return undefined;
}

/** The user's own files: neither a dependency nor speedguard itself (its build or, in the repository, its sources). */
export function isUserFile(url: string): boolean {
  return (
    url.startsWith('file:') && !url.includes('/node_modules/') && !url.startsWith(OWN_ROOT + 'src/') && !url.startsWith(OWN_ROOT + 'dist/')
  );
}

// Static import/export statements at the start of a line: what makes a file an ES module in
// substance, whatever its project's package.json says. `import(` (dynamic) is not one.
const ESM_SYNTAX =
  /^\s*(?:import\s*[\w{*'"]|export\s+(?:\{|\*|default\b|const\b|let\b|var\b|function\b|async\b|class\b|type\b|interface\b))/m;

export interface Loaded {
  format?: string | null | undefined;
  source?: string | ArrayBuffer | ArrayBufferView | null | undefined;
}

/**
 * The module as the script hooks hand it to Node, or undefined to keep Node's own result.
 * - A user's .js/.ts file that Node would load as CommonJS (its project's package.json says
 *   "type": "commonjs", npm init's default) but that is written as an ES module (k6 style: import and
 *   export) is loaded as an ES module; a true CommonJS helper (require, module.exports) is left alone.
 * - Plugins' transforms then rewrite the user's files they handle (k6 sources).
 */
export function pluginLoad(
  plugins: readonly ScriptLoaderPlugin[],
  url: string,
  loaded: Loaded,
): { format: string; source: string } | undefined {
  if (!isUserFile(url)) return undefined;
  let format = loaded.format ?? undefined;
  if (format !== 'module' && format !== 'module-typescript' && format !== 'commonjs' && format !== 'commonjs-typescript') return undefined;
  // For CommonJS Node may leave the source to its CommonJS loader (null here): read it.
  let source =
    loaded.source == null
      ? readFileSync(fileURLToPath(url), 'utf8')
      : typeof loaded.source === 'string'
        ? loaded.source
        : Buffer.from(loaded.source as ArrayBuffer).toString('utf8');
  let changed = false;
  if ((format === 'commonjs' || format === 'commonjs-typescript') && /\.[jt]s$/.test(url) && ESM_SYNTAX.test(source)) {
    format = format === 'commonjs' ? 'module' : 'module-typescript';
    changed = true;
  }
  for (const p of plugins) {
    const out = p.transform?.(source, url);
    if (out !== undefined) {
      source = out;
      changed = true;
    }
  }
  return changed ? { format, source } : undefined;
}
