// Reading EXPLAIN (FORMAT JSON) plan nodes: typed accessors and a bounded walk with each node's
// parent chain. Node keys as PostgreSQL 13–18 print them ("Node Type", "Plans", "Actual Rows" …).

export type PlanNode = Record<string, unknown>;

export const nodeType = (n: PlanNode): string => String(n['Node Type'] ?? '?');
export const num = (n: PlanNode, key: string): number | null =>
  typeof n[key] === 'number' && Number.isFinite(n[key]) ? (n[key] as number) : null;
export const str = (n: PlanNode, key: string): string | null => (typeof n[key] === 'string' ? (n[key] as string) : null);
export const strs = (n: PlanNode, key: string): string[] =>
  Array.isArray(n[key]) ? (n[key] as unknown[]).filter((x): x is string => typeof x === 'string') : [];
export const children = (n: PlanNode): PlanNode[] =>
  Array.isArray(n['Plans']) ? (n['Plans'] as unknown[]).filter((c): c is PlanNode => !!c && typeof c === 'object') : [];
export const relationOf = (n: PlanNode): string | null => str(n, 'Relation Name');

export const isPlanNode = (x: unknown): x is PlanNode => !!x && typeof x === 'object' && !Array.isArray(x) && 'Node Type' in (x as object);

/** Was the plan produced with ANALYZE (does it carry actual numbers)? */
export const hasActuals = (n: PlanNode): boolean => 'Actual Loops' in n;

/** Loops the node ran (1 without ANALYZE). */
export const loopsOf = (n: PlanNode): number => num(n, 'Actual Loops') ?? 1;

/** Rows the node produced over all loops (Actual Rows is a per-loop average). */
export const actualRowsTotal = (n: PlanNode): number | null => {
  const r = num(n, 'Actual Rows');
  return r === null ? null : r * loopsOf(n);
};

/** A per-loop count (Rows Removed by …) over all loops. */
export const perLoopTotal = (n: PlanNode, key: string): number => (num(n, key) ?? 0) * loopsOf(n);

export interface Visit {
  node: PlanNode;
  /** Ancestors, nearest last. */
  ancestors: PlanNode[];
  depth: number;
}

/** Depth-first walk (pre-order); at most `limit` nodes so a hostile plan cannot stall us. */
export function walkPlan(root: unknown, limit = 50_000): Visit[] {
  const out: Visit[] = [];
  if (!isPlanNode(root)) return out;
  const stack: Visit[] = [{ node: root, ancestors: [], depth: 0 }];
  while (stack.length > 0 && out.length < limit) {
    const v = stack.pop()!;
    out.push(v);
    const kids = children(v.node);
    for (let i = kids.length - 1; i >= 0; i--) stack.push({ node: kids[i]!, ancestors: [...v.ancestors, v.node], depth: v.depth + 1 });
  }
  return out;
}

/** Scan nodes that read one table (their "Relation Name"). */

/** "41,000" — figures in details are read by people. */
export const fmt = (x: number): string =>
  Number.isInteger(x) ? x.toLocaleString('en-US') : x.toLocaleString('en-US', { maximumFractionDigits: 2 });
