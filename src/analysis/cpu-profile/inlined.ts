// Time that V8 books on a caller's frame because it inlined the callee (issue 12: "inlined functions
// lose the headline"). The profile then charges a helper's CPU to, say, the anonymous request
// callback — and when the helper was inlined for the whole window it has no frame of its own at all.
// The per-line ticks (positionTicks) still point at the helper's lines, so each ticked line that is
// not the frame's own code moves, with its share of the frame's self time, to the function whose
// code it is. Which function that is comes from the script's syntax tree (function-ranges.ts); a
// function with no frame in the profile gets one made for it, outside the call tree. Without a
// parseable script, a line above the frame's own first line goes to the profiled function of the
// same script declared nearest above it (a callee declared below its caller then stays unseen).
// Split per profile node, so the hotspot table and the flame graph (the callee drawn below the frame
// it was inlined into) move the same microseconds.
import type { Category } from './categories.ts';
import { type FunctionRange, ownerOfLine } from './function-ranges.ts';
import type { ProfileNode } from './parse.ts';

/** Part of a node's self time that is an inlined callee's: the callee's frame, the µs and the ticked line. */
export interface InlinedPart {
  owner: ProfileNode;
  us: number;
  line: number;
  ticks: number;
}

export interface InlinedInput {
  /** Every node of the profile; frames made here for functions the profile never shows are added to it. */
  nodes: Map<number, ProfileNode>;
  /** Self time per node (µs). */
  selfUs: ReadonlyMap<number, number>;
  /** A node's ticks per 1-based line of the script V8 ran. */
  lineTicks(n: ProfileNode): ReadonlyMap<number, number>;
  keyOf(n: ProfileNode): string;
  category(id: number): Category;
  /** The functions of the script at `url`, or null when it cannot be read or parsed. */
  functionsOf(url: string): FunctionRange[] | null;
}

/** The lowest node id, 0 at most: ids made below it never meet a profile's (a large profile's keys would overflow a spread). */
export function lowestId(nodes: ReadonlyMap<number, unknown>): number {
  let low = 0;
  for (const id of nodes.keys()) if (id < low) low = id;
  return low;
}

/** Per user node with self time: the parts of it that inlined callees' lines hold. */
export function inlinedParts(o: InlinedInput): Map<number, InlinedPart[]> {
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
  let nextId = lowestId(o.nodes) - 1;

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

  /** Frame `n`'s function in its script's syntax tree, or null when the script has none (or it is not found). */
  const rangeOf = (n: ProfileNode): { ranges: FunctionRange[]; self: FunctionRange } | null => {
    const cf = n.callFrame;
    const ranges = o.functionsOf(cf.url);
    if (!ranges) return null;
    const here = ranges.filter((r) => r.startLine === cf.lineNumber + 1);
    const self = here.find((r) => r.name === cf.functionName) ?? (here.length === 1 ? here[0] : undefined);
    return self ? { ranges, self } : null;
  };

  /** Without a syntax tree: the profiled function declared nearest above a line above the frame's own. */
  const ownerAbove = (n: ProfileNode, line: number): ProfileNode | null => {
    if (line >= n.callFrame.lineNumber + 1) return null;
    let owner: ProfileNode | null = null;
    for (const d of userNodes.get(n.callFrame.url) ?? []) {
      if (d.callFrame.lineNumber + 1 > line) break;
      owner = d;
    }
    return owner;
  };

  const out = new Map<number, InlinedPart[]>();
  for (const n of [...o.nodes.values()]) {
    const self = o.selfUs.get(n.id) ?? 0;
    if (!n.callFrame.url || self <= 0 || o.category(n.id) !== 'user') continue;
    const ticks = o.lineTicks(n);
    let all = 0;
    for (const t of ticks.values()) all += t;
    if (all <= 0) continue;
    const parts: InlinedPart[] = [];
    const syntax = rangeOf(n);
    for (const [line, t] of ticks) {
      let owner: ProfileNode | null;
      if (syntax) {
        const r = ownerOfLine(syntax.ranges, syntax.self, line);
        owner = r ? frameOf(n.callFrame.url, r, n) : null;
      } else owner = ownerAbove(n, line);
      if (owner && o.keyOf(owner) !== o.keyOf(n)) parts.push({ owner, us: self * (t / all), line, ticks: t });
    }
    if (parts.length) out.set(n.id, parts);
  }
  return out;
}
