// The functions of a profiled script and the lines they span, with the names V8 gives them — so a
// line that a CPU profile's per-line ticks put under the wrong frame (V8 inlined its function into
// the caller) can be handed to the function whose code it is, whether or not that function ever
// appears in the profile on its own.
import { type AstNode, parseScript, walkAst } from '../source/parse-script.ts';

export interface FunctionRange {
  /** The name V8 infers: the declaration's, or the variable, property or method it is assigned to ('' if none). */
  name: string;
  /** 1-based first and last line of the function (a method's from its name). */
  startLine: number;
  endLine: number;
  /** 0-based column of its start, as a profile's callFrame gives it. */
  startColumn: number;
}

const FUNCTIONS = new Set(['FunctionDeclaration', 'FunctionExpression', 'ArrowFunctionExpression']);

function keyName(key: unknown, computed: unknown): string {
  const k = key as AstNode | undefined;
  if (!k || computed) return '';
  if (k.type === 'Identifier') return String(k.name);
  if (k.type === 'PrivateIdentifier') return `#${String(k.name)}`;
  if (k.type === 'Literal') return String(k.value);
  return '';
}

/** `a.b.c` of a member expression, '' when any part is computed or not a plain name. */
function memberName(n: AstNode | undefined): string {
  if (!n) return '';
  if (n.type === 'Identifier') return String(n.name);
  if (n.type === 'ThisExpression') return 'this';
  if (n.type !== 'MemberExpression' || n.computed) return '';
  const object = memberName(n.object as AstNode);
  const property = keyName(n.property, false);
  return object && property ? `${object}.${property}` : '';
}

/** V8's inferred name of function `fn` under `parent`. */
function inferredName(fn: AstNode, parent: AstNode | null): string {
  const own = fn.id as AstNode | null | undefined;
  if (own?.type === 'Identifier') return String(own.name);
  if (!parent) return '';
  switch (parent.type) {
    case 'VariableDeclarator':
      return parent.init === fn && (parent.id as AstNode).type === 'Identifier' ? String((parent.id as AstNode).name) : '';
    case 'AssignmentExpression':
      return parent.right === fn ? memberName(parent.left as AstNode) : '';
    case 'Property':
    case 'MethodDefinition':
    case 'PropertyDefinition':
      return parent.value === fn ? keyName(parent.key, parent.computed) : '';
    default:
      return '';
  }
}

/** Every function of the script, or null when it cannot be parsed. */
export function functionRanges(text: string, fileName: string): FunctionRange[] | null {
  const ast = parseScript(text, fileName);
  if (!ast) return null;
  const out: FunctionRange[] = [];
  walkAst(ast, (n, parent) => {
    if (!FUNCTIONS.has(n.type) || !n.loc) return;
    // A method's function node starts at its parameters; its name is where V8 and a reader place it.
    const method = parent && (parent.type === 'MethodDefinition' || parent.type === 'Property') && parent.value === n;
    const from = method && parent.loc ? parent.loc.start : n.loc.start;
    out.push({ name: inferredName(n, parent), startLine: from.line, endLine: n.loc.end.line, startColumn: from.column });
  });
  return out;
}

/**
 * The function whose own code line `line` is, seen from the function `self`: for a line outside
 * `self`, the innermost function containing it that does not enclose `self` (code `self` runs outside
 * its own lines without calling it, a class field's initialiser run by its constructor, is not an
 * inlined callee's); for a line inside `self`, the innermost function nested in `self` whose body
 * strictly holds the line (its first and last lines may hold `self`'s code too, so they stay
 * `self`'s). Null when the line is `self`'s own or no such function's.
 */
export function ownerOfLine(ranges: readonly FunctionRange[], self: FunctionRange, line: number): FunctionRange | null {
  const inside = line >= self.startLine && line <= self.endLine;
  let best: FunctionRange | null = null;
  for (const r of ranges) {
    if (r === self) continue;
    const holds = inside
      ? r.startLine >= self.startLine && r.endLine <= self.endLine && r.startLine < line && line < r.endLine
      : r.startLine <= line && line <= r.endLine && !(r.startLine <= self.startLine && self.endLine <= r.endLine);
    if (!holds) continue;
    if (!best || r.endLine - r.startLine < best.endLine - best.startLine) best = r;
  }
  return best;
}
