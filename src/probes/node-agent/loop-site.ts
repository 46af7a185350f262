// Which frame of an N+1's call stack issues the statements in a loop (issue 12: "the N+1 location
// points at the query wrapper instead of the handler loop"). The agent records the application
// frames of a statement's stack, innermost first; a query helper (`query(text, params)` calling
// pool.query) is the first of them and calls the driver once per call. The frame to show is the
// first one whose call lies inside a loop of its own function: a for/while/do body, or a callback
// handed to an iteration method (items.map(...), forEach, Promise.all(items.map(...))).
// Read from the source on disk (collector side, never in the target); TypeScript files are read
// after type stripping, which keeps every position. A file that cannot be read or parsed says no.
import { readFileSync, statSync } from 'node:fs';
import { isAstNode, parseScript, type AstNode } from '../../analysis/source/parse-script.ts';
import type { SqlFrame } from '../../record/agent-sql-samples.ts';

/** Sources above this size are not parsed (a bundle): the first frame is kept. */
const MAX_SOURCE_BYTES = 4 * 1024 * 1024;
const LOOPS = new Set(['ForStatement', 'ForInStatement', 'ForOfStatement', 'WhileStatement', 'DoWhileStatement']);
const FUNCTIONS = new Set(['FunctionDeclaration', 'FunctionExpression', 'ArrowFunctionExpression']);
/** Methods that call their callback once per item (arrays, and the usual async helpers). */
const ITERATORS = new Set([
  'map',
  'forEach',
  'flatMap',
  'filter',
  'reduce',
  'reduceRight',
  'some',
  'every',
  'find',
  'findIndex',
  'each',
  'eachSeries',
  'mapSeries',
  'mapLimit',
  'forEachSeries',
]);

function parseSource(file: string): { ast: AstNode; text: string } | null {
  let text: string;
  try {
    if (statSync(file).size > MAX_SOURCE_BYTES) return null;
    text = readFileSync(file, 'utf8');
  } catch {
    return null;
  }
  const ast = parseScript(text, file);
  return ast ? { ast, text } : null;
}

/** Offset of a 1-based line and column in `text`. */
function offsetOf(lineStarts: number[], line: number, column: number): number | null {
  const start = lineStarts[line - 1];
  return start === undefined ? null : start + Math.max(0, column - 1);
}

/** The nodes that contain `at`, outermost first. */
function ancestorsAt(root: AstNode, at: number): AstNode[] {
  const chain: AstNode[] = [];
  let n: AstNode | null = root;
  while (n) {
    chain.push(n);
    let next: AstNode | null = null;
    for (const key of Object.keys(n)) {
      const v: unknown = n[key];
      for (const c of (Array.isArray(v) ? v : [v]) as unknown[]) {
        if (isAstNode(c) && c.start <= at && at < c.end) {
          next = c;
          break;
        }
      }
      if (next) break;
    }
    n = next;
  }
  return chain;
}

/** True when the call at `at` runs repeatedly inside its own function: a loop, or an iteration callback. */
function inLoop(chain: AstNode[], at: number): boolean {
  for (let i = chain.length - 1; i >= 0; i--) {
    const n = chain[i]!;
    if (LOOPS.has(n.type)) {
      // The part that runs once does not count: a for loop's init, a for-of / for-in's iterable.
      const once =
        n.type === 'ForStatement'
          ? (n.init as AstNode | null)
          : n.type === 'ForInStatement' || n.type === 'ForOfStatement'
            ? (n.right as AstNode)
            : null;
      if (!once || at < once.start || at >= once.end) return true;
    }
    if (FUNCTIONS.has(n.type)) {
      const call = chain[i - 1];
      if (call?.type !== 'CallExpression' || !(call.arguments as AstNode[]).includes(n)) return false;
      const callee = call.callee as AstNode;
      const prop = callee.type === 'MemberExpression' && !callee.computed ? (callee.property as AstNode) : null;
      return prop?.type === 'Identifier' && ITERATORS.has(prop.name as string);
    }
  }
  return false;
}

/**
 * The frame that loops over the statements: the first of `frames` (innermost first) whose call is in
 * a loop of its own function, or null when none is (or no source could be read).
 */
export function loopingFrame(frames: readonly SqlFrame[]): SqlFrame | null {
  const parsed = new Map<string, { ast: AstNode; lineStarts: number[] } | null>();
  for (const f of frames) {
    let p = parsed.get(f.file);
    if (p === undefined) {
      const source = parseSource(f.file);
      const lineStarts = [0];
      if (source) for (let i = source.text.indexOf('\n'); i >= 0; i = source.text.indexOf('\n', i + 1)) lineStarts.push(i + 1);
      parsed.set(f.file, (p = source ? { ast: source.ast, lineStarts } : null));
    }
    if (!p) continue;
    const at = offsetOf(p.lineStarts, f.line, f.column);
    if (at !== null && inLoop(ancestorsAt(p.ast, at), at)) return f;
  }
  return null;
}
