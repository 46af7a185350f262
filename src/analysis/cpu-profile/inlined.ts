// Time that V8 books on a caller's frame because it inlined the callee (issue 12: "inlined functions
// lose the headline"). The profile then charges a helper's CPU to, say, the anonymous request
// callback — and when the helper was inlined for the whole window it has no frame of its own at all.
// The per-line ticks (positionTicks) still point at the helper's lines, so each ticked line that is
// not the frame's own code moves, with its share of the frame's self time, to the function whose
// code it is. Which function that is comes from the script's syntax tree (function-ranges.ts); a
// function with no frame in the profile gets one made for it, outside the call tree. Without a
// parseable script, a line above the frame's own first line goes to the profiled function of the
// same script declared nearest above it (a callee declared below its caller then stays unseen).
import type { Category } from './categories.ts';
import { type FunctionRange, ownerOfLine } from './function-ranges.ts';
import type { ProfileNode } from './parse.ts';

export interface FnAgg {
  node: ProfileNode;
  selfUs: number;
  totalUs: number;
  /** Self time by effective category (a native under readFileSync is sync-fs work). */
  categories: Map<Category, number>;
  /** Time by the application frame above it (key → µs). */
  callers: Map<string, number>;
  /** Per-line ticks (1-based lines of the script V8 ran). */
  ticks: Map<number, number>;
}

export interface InlinedInput {
  aggs: Map<string, FnAgg>;
  /** Every node of the profile; frames made here for functions the profile never shows are added to it. */
  nodes: Map<number, ProfileNode>;
  keyOf(n: ProfileNode): string;
  category(id: number): Category;
  aggFor(n: ProfileNode): FnAgg;
  /** The functions of the script at `url`, or null when it cannot be read or parsed. */
  functionsOf(url: string): FunctionRange[] | null;
}

/** Moves inlined callees' self time (and ticks) from their callers' aggregates to their own. */
export function reattributeInlined(o: InlinedInput): void {
  const userNodes = new Map<string, ProfileNode[]>();
  const seen = new Set<string>();
  for (const n of o.nodes.values()) {
    const cf = n.callFrame;
    if (!cf.url || o.category(n.id) !== 'user') continue;
    const k = o.keyOf(n);
    if (seen.has(k)) continue;
    seen.add(k);
    let list = userNodes.get(cf.url);
    if (!list) userNodes.set(cf.url, (list = []));
    list.push(n);
  }
  for (const list of userNodes.values()) list.sort((a, b) => a.callFrame.lineNumber - b.callFrame.lineNumber);
  let nextId = Math.min(0, ...o.nodes.keys()) - 1;

  /** The profile's frame of function `r` in `url`, else a new one outside the call tree. */
  const frameOf = (url: string, r: FunctionRange, like: ProfileNode): ProfileNode => {
    const onLine = (userNodes.get(url) ?? []).filter((n) => n.callFrame.lineNumber + 1 === r.startLine);
    const found = onLine.find((n) => n.callFrame.functionName === r.name) ?? (onLine.length === 1 ? onLine[0] : undefined);
    if (found) return found;
    const made: ProfileNode = {
      id: nextId--,
      callFrame: { functionName: r.name, scriptId: like.callFrame.scriptId, url, lineNumber: r.startLine - 1, columnNumber: r.startColumn },
      children: [],
      parent: null,
      positionTicks: [],
    };
    o.nodes.set(made.id, made);
    const list = userNodes.get(url) ?? [];
    list.push(made);
    userNodes.set(url, list);
    return made;
  };

  /** The owner of `line` for frame `a` from the syntax tree; undefined when the script has none. */
  const ownerBySyntax = (a: FnAgg, line: number): ProfileNode | null | undefined => {
    const cf = a.node.callFrame;
    const ranges = o.functionsOf(cf.url);
    if (!ranges) return undefined;
    const here = ranges.filter((r) => r.startLine === cf.lineNumber + 1);
    const self = here.find((r) => r.name === cf.functionName) ?? (here.length === 1 ? here[0] : undefined);
    if (!self) return undefined;
    const owner = ownerOfLine(ranges, self, line);
    return owner ? frameOf(cf.url, owner, a.node) : null;
  };

  /** Without a syntax tree: the profiled function declared nearest above a line above the frame's own. */
  const ownerAbove = (a: FnAgg, line: number): ProfileNode | null => {
    if (line >= a.node.callFrame.lineNumber + 1) return null;
    let owner: ProfileNode | null = null;
    for (const n of userNodes.get(a.node.callFrame.url) ?? []) {
      if (n.callFrame.lineNumber + 1 > line) break;
      owner = n;
    }
    return owner;
  };

  for (const a of [...o.aggs.values()]) {
    if (!a.node.callFrame.url || o.category(a.node.id) !== 'user' || a.selfUs <= 0 || a.ticks.size === 0) continue;
    let all = 0;
    for (const t of a.ticks.values()) all += t;
    for (const [line, ticks] of [...a.ticks]) {
      const bySyntax = ownerBySyntax(a, line);
      const owner = bySyntax === undefined ? ownerAbove(a, line) : bySyntax;
      if (!owner || o.keyOf(owner) === o.keyOf(a.node)) continue;
      const moved = a.selfUs * (ticks / all);
      const to = o.aggFor(owner);
      to.selfUs += moved;
      to.totalUs += moved;
      to.categories.set('user', (to.categories.get('user') ?? 0) + moved);
      to.ticks.set(line, (to.ticks.get(line) ?? 0) + ticks);
      a.selfUs -= moved;
      a.categories.set('user', Math.max(0, (a.categories.get('user') ?? 0) - moved));
      a.ticks.delete(line);
      all -= ticks;
    }
  }
}
