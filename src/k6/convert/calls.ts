// Blocking k6 calls → awaited speedguard calls, from the same analysis the load-time transform uses
// (analyse.ts): functions that reach a request, sleep or group become async, their calls awaited,
// and array callbacks that became async run one element after the other through `inOrder`.
import { isFunction, memberName, walk, type Node } from '../transform/ast.ts';
import type { Analysis } from '../transform/analyse.ts';
import type { ModuleFacts } from '../transform/facts.ts';
import type { ConvertContext } from './context.ts';

/** Parents under which `await call()` reads without parentheses. */
const BARE_AWAIT = new Set(['VariableDeclarator', 'ExpressionStatement', 'ReturnStatement', 'AssignmentExpression']);

export function convertCalls(facts: ModuleFacts, analysis: Analysis, cx: ConvertContext): void {
  walk(facts.ast, (n, parent) => {
    if (isFunction(n) && analysis.asyncFns.has(n) && !n.async) {
      cx.s.appendRight(facts.asyncInsertAt.get(n) ?? n.start, 'async ');
      return;
    }
    if (n.type !== 'CallExpression') return;
    const kind = analysis.rewrites.get(n);
    if (kind === 'await') {
      const bare = parent !== null && BARE_AWAIT.has(parent.type) && (parent.type !== 'AssignmentExpression' || parent.right === n);
      cx.s.appendRight(n.start, bare ? 'await ' : '(await ');
      if (!bare) cx.s.prependLeft(n.end, ')');
    } else if (kind === 'seq') {
      // arr.map(fn, …) → (await inOrder(arr, 'map', fn, …)): the original `)` closes inOrder(.
      const callee = n.callee as Node;
      const obj = callee.object as Node;
      const first = (n.arguments as Node[])[0]!;
      cx.helpers.add('inOrder');
      cx.s.appendRight(obj.start, '(await inOrder(');
      cx.s.overwrite(obj.end, first.start, `, '${memberName(callee)}', `, { contentOnly: true });
      cx.s.prependLeft(n.end, ')');
    }
  });
}
