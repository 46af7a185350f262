// The call tree for the flame graph: profile nodes merged by function identity along each path,
// inclusive times, depth capped, small children folded into "(other)". Iterative throughout —
// recursive targets produce stacks thousands of frames deep.
import type { FlameNode } from '../../record/target-probes.ts';
import type { Category } from './categories.ts';

export interface FlameFrame {
  name: string;
  file: string;
  line: number;
  category: Category;
}

export interface FlameSource {
  rootId: number;
  children(id: number): readonly number[];
  /** Self time of a profile node (µs). */
  selfUs(id: number): number;
  /** Function identity: profile nodes with the same key under the same merged parent merge. */
  key(id: number): string;
  describe(id: number): FlameFrame;
  /** Subtrees left out entirely ((idle)). */
  skip(id: number): boolean;
}

interface Merged {
  frame: FlameFrame | null;
  self: number;
  total: number;
  children: Map<string, Merged>;
}

const round3 = (v: number) => Math.round(v * 1000) / 1000;

/**
 * @param minUs children below this inclusive time are folded into an "(other)" sibling
 * @param maxDepth frames deeper than this are added to their ancestor at that depth
 */
export function buildFlame(src: FlameSource, opts: { minUs: number; maxDepth: number }): FlameNode | null {
  const root: Merged = { frame: null, self: 0, total: 0, children: new Map() };
  const stack: Array<[number, Merged, number]> = [[src.rootId, root, 0]];
  const order: Merged[] = [];
  while (stack.length) {
    const [id, target, depth] = stack.pop()!;
    target.self += src.selfUs(id);
    for (const c of src.children(id)) {
      if (src.skip(c)) continue;
      if (depth >= opts.maxDepth) {
        stack.push([c, target, depth]);
        continue;
      }
      const k = src.key(c);
      let m = target.children.get(k);
      if (!m) {
        m = { frame: src.describe(c), self: 0, total: 0, children: new Map() };
        target.children.set(k, m);
        order.push(m);
      }
      stack.push([c, m, depth + 1]);
    }
  }
  // Children were created after their parents, so the reverse creation order is a post-order.
  for (let i = order.length - 1; i >= 0; i--) {
    const m = order[i]!;
    m.total += m.self;
    for (const c of m.children.values()) m.total += c.total;
  }
  root.total = root.self;
  for (const c of root.children.values()) root.total += c.total;
  if (!(root.total > 0)) return null;

  const out: FlameNode = { name: '(root)', file: '', line: 0, value: round3(root.total / 1000), children: [] };
  const todo: Array<[Merged, FlameNode]> = [[root, out]];
  while (todo.length) {
    const [m, node] = todo.pop()!;
    const kids = [...m.children.values()].sort((a, b) => b.total - a.total);
    let other = 0;
    for (const c of kids) {
      if (c.total < opts.minUs || c.total <= 0) {
        other += c.total;
        continue;
      }
      const f = c.frame!;
      const child: FlameNode = {
        name: f.name,
        file: f.file,
        line: f.line,
        category: f.category,
        value: round3(c.total / 1000),
        children: [],
      };
      node.children.push(child);
      todo.push([c, child]);
    }
    if (other > 0) node.children.push({ name: '(other)', file: '', line: 0, value: round3(other / 1000), children: [] });
  }
  return out;
}
