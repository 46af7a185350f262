// What a strict `tsc` needs in code written as JavaScript: parameters with no contextual type get
// `any` (setup()'s data gets its inferred type), catch variables `any`, and a response's `json()`
// and `body` (unknown / string | Buffer | null in speedguard) are read as k6 code reads them.
// Header names are lower-cased: speedguard's response headers are, k6's are canonical (Content-Type).
import { isFunction, memberName, walk, type FunctionNode, type Node } from '../transform/ast.ts';
import type { ConvertContext } from './context.ts';

/**
 * A check predicate gets its parameter's type from check()'s value; every other function's
 * parameters get `any` (a callback handed to a call on an `any` value has no contextual type, and
 * an explicit `any` where one exists only loses what strict mode would not have checked anyway).
 */
function checkPredicate(fn: Node, parents: Map<Node, Node | null>): boolean {
  const prop = parents.get(fn);
  const obj = prop ? parents.get(prop) : null;
  const call = obj ? parents.get(obj) : null;
  return (
    prop?.type === 'Property' &&
    obj?.type === 'ObjectExpression' &&
    call?.type === 'CallExpression' &&
    (call.arguments as Node[])[1] === obj &&
    (call.callee as Node).type === 'Identifier' &&
    (call.callee as Node).name === 'check'
  );
}

export function convertTypes(ast: Node, cx: ConvertContext, opts: { setupData: boolean; responses: Set<string> }): void {
  const parents = new Map<Node, Node | null>();
  walk(ast, (n, parent) => {
    parents.set(n, parent);
    if (isFunction(n)) {
      if (!checkPredicate(n, parents)) annotateParams(n, cx, dataParam(n, parent, opts.setupData));
    } else if (n.type === 'CatchClause' && n.param && (n.param as Node).type === 'Identifier') {
      cx.s.appendLeft((n.param as Node).end, ': any');
    } else if (n.type === 'CallExpression' && memberName(n.callee as Node) === 'json') {
      cx.s.appendRight(n.start, '(');
      cx.s.prependLeft(n.end, ' as any)');
    } else if (n.type === 'MemberExpression' && isResponse(n.object as Node, opts.responses)) {
      const name = memberName(n);
      const assigned = parent?.type === 'AssignmentExpression' && parent.left === n;
      if (name === 'body' && !assigned) {
        cx.s.appendRight(n.start, '(');
        cx.s.prependLeft(n.end, ' as string)');
      }
    } else if (n.type === 'MemberExpression' && n.computed && memberName(n.object as Node) === 'headers') {
      const key = n.property as Node;
      const header = (n.object as Node).object as Node;
      if (
        key.type === 'Literal' &&
        typeof key.value === 'string' &&
        isResponse(header, opts.responses) &&
        key.value !== key.value.toLowerCase()
      )
        cx.s.overwrite(key.start, key.end, JSON.stringify(key.value.toLowerCase()));
    }
  });
}

function isResponse(n: Node, responses: Set<string>): boolean {
  return n.type === 'Identifier' && responses.has(n.name as string);
}

/** The default function's and teardown's first parameter is setup()'s data. */
function dataParam(fn: FunctionNode, parent: Node | null, setupData: boolean): boolean {
  if (!setupData) return false;
  return parent?.type === 'ExportDefaultDeclaration' || (fn.type === 'FunctionDeclaration' && fn.id?.name === 'teardown');
}

function annotateParams(fn: FunctionNode, cx: ConvertContext, firstIsData: boolean): void {
  const bareArrow = fn.type === 'ArrowFunctionExpression' && fn.params.length === 1 && cx.source[(fn.params[0] as Node).start - 1] !== '(';
  fn.params.forEach((p, i) => {
    const type = i === 0 && firstIsData ? 'SetupData' : p.type === 'RestElement' ? 'any[]' : 'any';
    // `x => …` needs parentheses; contentOnly keeps an `async ` already inserted before it.
    if (bareArrow) return void cx.s.overwrite(p.start, p.end, `(${cx.source.slice(p.start, p.end)}: ${type})`, { contentOnly: true });
    cx.s.appendLeft(p.type === 'AssignmentPattern' ? (p.left as Node).end : p.end, `: ${type}`);
  });
}

/**
 * Names that hold a response: `const res = http.get(…)` (or any awaited call of the http module) and
 * the parameter of a check predicate. By name, not scope: a wrong guess only adds a cast.
 */
export function responseNames(ast: Node, isHttpCall: (call: Node) => boolean): Set<string> {
  const names = new Set<string>();
  walk(ast, (n) => {
    const id = n.type === 'VariableDeclarator' ? (n.id as Node) : n.type === 'AssignmentExpression' ? (n.left as Node) : null;
    const value = n.type === 'VariableDeclarator' ? (n.init as Node | null) : n.type === 'AssignmentExpression' ? (n.right as Node) : null;
    if (id?.type === 'Identifier' && value) {
      const call = value.type === 'AwaitExpression' ? (value.argument as Node) : value;
      if (call.type === 'CallExpression' && isHttpCall(call)) names.add(id.name as string);
    }
    if (n.type === 'CallExpression' && (n.callee as Node).type === 'Identifier' && (n.callee as Node).name === 'check') {
      const preds = (n.arguments as Node[])[1];
      if (preds?.type !== 'ObjectExpression') return;
      for (const p of preds.properties as Node[]) {
        const fn = p.value as Node | undefined;
        const first = isFunction(fn) ? (fn.params[0] as Node | undefined) : undefined;
        if (first?.type === 'Identifier') names.add(first.name as string);
      }
    }
  });
  return names;
}
