// A user's script as a syntax tree, for the analyses that need to know what code a line or a
// position belongs to (the CPU profile's inlined callees, the agent's looping SQL frame). Read on
// the collector side, never in the target. TypeScript is parsed after type stripping, which keeps
// every position; a script that cannot be parsed (another syntax, a Node without type stripping)
// gives null and the caller keeps what it knew without it.
import { parse } from 'acorn';
import { stripTypesQuietly } from './strip-types.ts';

export interface AstNode {
  type: string;
  start: number;
  end: number;
  loc?: { start: { line: number; column: number }; end: { line: number; column: number } };
  [key: string]: unknown;
}

export const isAstNode = (v: unknown): v is AstNode => typeof v === 'object' && v !== null && typeof (v as AstNode).type === 'string';

const TYPESCRIPT = /\.(?:c|m)?tsx?$/;

/** `text` of the file `name` (its extension says whether it is TypeScript) as an acorn tree with line locations, or null. */
export function parseScript(text: string, name: string): AstNode | null {
  let js = text;
  if (TYPESCRIPT.test(name)) {
    const stripped = stripTypesQuietly(text);
    if (stripped === null) return null;
    js = stripped;
  }
  // A module first (import/export, top-level await), then a classic script (`with`, octal literals).
  for (const sourceType of ['module', 'script'] as const) {
    try {
      return parse(js, {
        ecmaVersion: 'latest',
        sourceType,
        locations: true,
        allowHashBang: true,
        allowAwaitOutsideFunction: true,
        allowReturnOutsideFunction: true,
      }) as unknown as AstNode;
    } catch {
      /* try the other source type */
    }
  }
  return null;
}

/** Calls `visit` on every node of the tree, parents before their children. */
export function walkAst(root: AstNode, visit: (n: AstNode, parent: AstNode | null) => void): void {
  const stack: Array<[AstNode, AstNode | null]> = [[root, null]];
  while (stack.length) {
    const [n, parent] = stack.pop()!;
    visit(n, parent);
    for (const key of Object.keys(n)) {
      if (key === 'loc') continue;
      const v: unknown = n[key];
      if (Array.isArray(v)) {
        for (let i = v.length - 1; i >= 0; i--) if (isAstNode(v[i])) stack.push([v[i] as AstNode, n]);
      } else if (isAstNode(v)) stack.push([v, n]);
    }
  }
}
