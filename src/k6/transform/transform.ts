// The load-time transform of k6 code: blocking calls become awaited calls (see analyse.ts).
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { analyseGraph, type Analysis } from './analyse.ts';
import { asJavaScript } from './facts.ts';
import { rewriteModule } from './rewrite.ts';

// One analysis covers the entry and every local module it reaches; helpers loaded afterwards reuse it.
const analyses: Analysis[] = [];
// Each VU may load its own instance of a module (…?vu=N): the same text, rewritten once.
const rewritten = new WeakMap<Analysis, Map<string, string | null>>();

function cachedFor(path: string, source: string): Analysis | undefined {
  return analyses.find((a) => a.modules.get(path)?.source === source);
}

function reachesK6(a: Analysis): boolean {
  for (const m of a.modules.values()) if (m.importsK6) return true;
  return false;
}

/**
 * Rewrites a module of a k6 script (the entry or one of the user's local modules) so its blocking
 * calls are awaited. Returns undefined when the module needs no change (or is not k6 code).
 * TypeScript sources come back as JavaScript (types blanked, positions kept).
 */
export function transformK6Source(source: string, url: string): string | undefined {
  if (!url.startsWith('file:')) return undefined;
  const path = fileURLToPath(url);
  const js = asJavaScript(source, path);
  let analysis = cachedFor(path, js);
  if (!analysis) {
    // Only modules that mention k6 or import local modules (which may) can need it.
    if (!/\bk6\b|from\s*["']\.{0,2}\//.test(js)) return undefined;
    try {
      analysis = analyseGraph(path, js);
    } catch (e) {
      // acorn's message has the position but not the file.
      const loc = (e as { loc?: { line: number; column: number } }).loc;
      if (e instanceof SyntaxError && loc)
        throw new SyntaxError(`${path}:${loc.line}:${loc.column + 1}: ${e.message.replace(/ \(\d+:\d+\)$/, '')}`);
      throw e;
    }
    if (!reachesK6(analysis)) return undefined;
    analyses.push(analysis);
  }
  let out = rewritten.get(analysis)?.get(path);
  if (out === undefined) {
    out = rewriteModule(analysis.modules.get(path)!, analysis) ?? null;
    if (!rewritten.has(analysis)) rewritten.set(analysis, new Map());
    rewritten.get(analysis)!.set(path, out);
  }
  return out ?? (js !== source ? js : undefined);
}

/** Whether a script (or a local module it imports) imports `k6` or `k6/…`: how a k6 script is told from a native one. */
export function isK6Entry(path: string): boolean {
  try {
    return reachesK6(analyseGraph(path));
  } catch {
    // It does not parse: decide by its text, so a k6 script's syntax error is reported with its position.
    try {
      return /(?:^|[\s;])import\s*(?:[\w*{}\s,$]+from\s*)?["']k6(?:\/[^"']*)?["']/m.test(readFileSync(path, 'utf8'));
    } catch {
      return false;
    }
  }
}
