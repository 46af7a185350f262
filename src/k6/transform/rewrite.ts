// Applies the analysis to one module's source with position edits only: `async ` before functions,
// `(await …)` around calls, and order-keeping array helpers. Nothing adds or removes a line break,
// so stack traces point at the user's own lines.
import MagicString from 'magic-string';
import { isFunction, memberName, walk, type Node } from './ast.ts';
import type { Analysis } from './analyse.ts';
import type { ModuleFacts } from './facts.ts';

/** The specifier of the helpers the rewritten code calls (resolved by the k6 loader plugin). */
export const RUNTIME_SPECIFIER = 'k6/__speedguard_runtime';
export const RUNTIME_BINDING = '__k6rt';

/** `replacement`, plus the line breaks of `original` so line numbers do not move. */
function keepLines(replacement: string, original: string): string {
  const breaks = original.match(/\r?\n/g);
  return breaks ? replacement + breaks.join('') : replacement;
}

export function rewriteModule(facts: ModuleFacts, analysis: Analysis): string | undefined {
  const s = new MagicString(facts.source);
  let edits = 0;
  let usesRuntime = false;

  // Pre-order: an outer wrapper's opening goes before an inner one at the same position
  // (appendRight), and its closing after the inner one's (prependLeft).
  walk(facts.ast, (n) => {
    if (isFunction(n) && analysis.asyncFns.has(n) && !n.async) {
      s.appendRight(facts.asyncInsertAt.get(n) ?? n.start, 'async ');
      edits++;
      return;
    }
    if (n.type !== 'CallExpression') return;
    const kind = analysis.rewrites.get(n);
    if (kind === undefined) return;
    edits++;
    if (kind === 'await') {
      s.appendRight(n.start, '(await ');
      s.prependLeft(n.end, ')');
      return;
    }
    // arr.map(fn, …) → (await __k6rt.seq(arr, "map", fn, …)): the original `)` closes seq(.
    const callee = n.callee as Node;
    const obj = callee.object as Node;
    const first = (n.arguments as Node[])[0]!;
    usesRuntime = true;
    s.appendRight(obj.start, `(await ${RUNTIME_BINDING}.seq(`);
    const between = facts.source.slice(obj.end, first.start);
    s.overwrite(obj.end, first.start, keepLines(`, ${JSON.stringify(memberName(callee))}, `, between), { contentOnly: true });
    s.prependLeft(n.end, ')');
  });

  // A k6 entry module tells the k6 runtime its options (maxRedirects, userAgent …) in every thread
  // that loads it: appended after the last line, through a namespace import of itself.
  if (facts.importsK6 && (facts.exportsLocal.has('options') || facts.exportsLocal.has('default'))) {
    // A getter over the local binding (read after evaluation), so the text is the same for every
    // instance of the module (per-VU instances differ only by URL) and can be cached.
    const local = facts.exportsLocal.get('options');
    const getter = local && local !== '#default' ? `get options() { return ${local}; }` : '';
    s.append(`\n;${RUNTIME_BINDING}.entry(import.meta.url, { ${getter} });`);
    usesRuntime = true;
    edits++;
  }
  if (edits === 0) return undefined;
  if (usesRuntime) {
    // On the first line (after a hashbang line, if any), so no line moves.
    const at = facts.source.startsWith('#!') ? facts.source.indexOf('\n') + 1 : 0;
    s.appendLeft(at, `import * as ${RUNTIME_BINDING} from ${JSON.stringify(RUNTIME_SPECIFIER)};`);
  }
  return s.toString();
}
