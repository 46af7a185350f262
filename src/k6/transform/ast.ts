// The small slice of ESTree the k6 transform reads, and a walker that knows the enclosing function.
// acorn's own node type is one loose interface; these aliases keep the analysis readable.
import { parse, type Node as AcornNode } from 'acorn';

export interface Node extends AcornNode {
  [key: string]: unknown;
}

export type FunctionNode = Node & {
  type: 'FunctionDeclaration' | 'FunctionExpression' | 'ArrowFunctionExpression';
  async: boolean;
  generator: boolean;
  params: Node[];
  body: Node;
  id: Node | null;
};

export function isFunction(n: unknown): n is FunctionNode {
  const t = (n as Node | null)?.type;
  return t === 'FunctionDeclaration' || t === 'FunctionExpression' || t === 'ArrowFunctionExpression';
}

export function isNode(v: unknown): v is Node {
  return typeof v === 'object' && v !== null && typeof (v as Node).type === 'string';
}

/** Parses a module as k6 does (ES2022+ module, hashbang allowed). Throws SyntaxError with a position. */
export function parseModule(source: string): Node {
  return parse(source, {
    ecmaVersion: 'latest',
    sourceType: 'module',
    allowHashBang: true,
    allowAwaitOutsideFunction: true,
    locations: true,
  }) as unknown as Node;
}

/** Every child node of `n`, in source order. */
export function children(n: Node): Node[] {
  const out: Node[] = [];
  for (const key of Object.keys(n)) {
    if (key === 'loc' || key === 'start' || key === 'end' || key === 'type') continue;
    const v = n[key];
    if (Array.isArray(v))
      for (const c of v) {
        if (isNode(c)) out.push(c);
      }
    else if (isNode(v)) out.push(v);
  }
  return out;
}

/** Visits every node with its parent and the nearest enclosing function (null at module level). */
export function walk(root: Node, visit: (n: Node, parent: Node | null, fn: FunctionNode | null) => void): void {
  const stack: Array<[Node, Node | null, FunctionNode | null]> = [[root, null, null]];
  while (stack.length > 0) {
    const [n, parent, fn] = stack.pop()!;
    visit(n, parent, fn);
    const inner = isFunction(n) ? n : fn;
    const kids = children(n);
    for (let i = kids.length - 1; i >= 0; i--) stack.push([kids[i]!, n, inner]);
  }
}

/** The property name of a non-computed member access or a string-literal computed one. */
export function memberName(n: Node): string | null {
  if (n.type !== 'MemberExpression') return null;
  const p = n.property as Node;
  if (!n.computed && p.type === 'Identifier') return p.name as string;
  if (n.computed && p.type === 'Literal' && typeof p.value === 'string') return p.value;
  return null;
}

/** The name a definition gives its key (identifier or string key), or null. */
export function keyName(key: Node, computed: boolean): string | null {
  if (!computed && key.type === 'Identifier') return key.name as string;
  if (key.type === 'Literal' && typeof key.value === 'string') return key.value;
  return null;
}

/** `http.get` / `Object.assign` / `check`: the dotted name of a callee rooted at an identifier, '' when any part is not a plain name. */
export function dottedName(n: Node): string {
  if (n.type === 'Identifier') return n.name as string;
  if (n.type === 'MemberExpression' && !n.computed) {
    const inner = dottedName(n.object as Node);
    return inner ? `${inner}.${(n.property as Node).name as string}` : '';
  }
  return '';
}
