// What is wrong in a plan, node by node (pure). Heuristics and thresholds after postgres-ai/joe and
// pev2 (reference/database-cache-slo.md §1.5). With ANALYZE we judge by what the node did; without
// it (generic / estimated plans) only by what the planner expects, and only where that is meaningful.
//
// Units: EXPLAIN prints "Actual Rows" and "Rows Removed by …" as PER-LOOP averages; buffers and
// "Heap Fetches" as totals over all loops, and buffers INCLUDE the children's.
import type { PlanNodeIssue } from '../../record/database-probes.ts';
import {
  actualRowsTotal,
  children,
  fmt,
  hasActuals,
  isPlanNode,
  loopsOf,
  nodeType,
  num,
  perLoopTotal,
  relationOf,
  str,
  walkPlan,
  type PlanNode,
} from './plan-node.ts';

export interface PlanIssueOptions {
  /** Rows per table (pg_class.reltuples), to judge seq scans in plans without ANALYZE. */
  tableRows?: Record<string, number>;
}

/** Thresholds, exported so tests and reports can name them. */
export const PLAN_THRESHOLDS = {
  /** Seq scan: rows removed by the filter ≥ this … */
  seqScanRemovedMin: 1000,
  /** … and ≥ this many times the rows returned. */
  seqScanRemovedRatio: 10,
  /** Misestimate factors reported (and bucketed). */
  misestimateBuckets: [10, 100, 1000] as const,
  /** Ignore misestimates where both sides are below this many rows (noise). */
  misestimateMinRows: 100,
  nestedLoopInnerLoops: 1000,
  /** An analysed nested loop whose inner side is an index/cached lookup matters from this much time (ms). */
  nestedLoopInnerMs: 50,
  indexFilterRemovedMin: 100,
  /** Heavy buffers: ≥ this many blocks touched by one node … */
  heavyBuffersMin: 1000,
  /** … and ≥ this many blocks per row returned. */
  heavyBuffersPerRow: 100,
  heapFetchesMin: 10,
} as const;

const T = PLAN_THRESHOLDS;

const where = (n: PlanNode): string => {
  const rel = relationOf(n);
  const idx = str(n, 'Index Name');
  return `${nodeType(n)}${idx ? ` using ${idx}` : ''}${rel ? ` on ${rel}` : ''}`;
};

const issue = (
  n: PlanNode,
  kind: PlanNodeIssue['kind'],
  detail: string,
  figures: Record<string, number>,
  factor?: number,
): PlanNodeIssue => ({
  kind,
  nodeType: nodeType(n),
  relation: relationOf(n),
  detail,
  ...(factor !== undefined ? { factor } : {}),
  figures,
});

const blocksOf = (n: PlanNode): number => (num(n, 'Shared Hit Blocks') ?? 0) + (num(n, 'Shared Read Blocks') ?? 0);

/** The factor bucket (10 / 100 / 1000) a misestimate falls in, or 0 below the first. */
export function misestimateBucket(factor: number): number {
  let b = 0;
  for (const x of T.misestimateBuckets) if (factor >= x) b = x;
  return b;
}

function seqScanFilter(n: PlanNode, ancestors: PlanNode[], analyzed: boolean, o: PlanIssueOptions): PlanNodeIssue | null {
  if (nodeType(n) !== 'Seq Scan' || !str(n, 'Filter')) return null;
  const rel = relationOf(n) ?? '?';
  if (analyzed) {
    const removed = perLoopTotal(n, 'Rows Removed by Filter');
    const returned = actualRowsTotal(n) ?? 0;
    if (removed < T.seqScanRemovedMin || removed < T.seqScanRemovedRatio * returned) return null;
    const loops = loopsOf(n);
    return issue(
      n,
      'seq-scan-filter',
      `Seq Scan on ${rel} removed ${fmt(Math.round(removed))} rows by filter to return ` +
        `${fmt(Math.round(returned))}${loops > 1 ? ` (over ${fmt(loops)} loops)` : ''}`,
      { rowsRemoved: Math.round(removed), rowsReturned: returned, loops },
    );
  }
  const tableRows = o.tableRows?.[rel];
  if (tableRows === undefined || tableRows <= 0) return null;
  const planRows = num(n, 'Plan Rows') ?? 0;
  // A parallel scan's Plan Rows is per process (about workers + the leader); the table size is not.
  const gather = n['Parallel Aware'] === true ? [...ancestors].reverse().find((a) => num(a, 'Workers Planned') !== null) : undefined;
  const returned = planRows * (gather ? (num(gather, 'Workers Planned') ?? 0) + 1 : 1);
  const removed = Math.max(0, tableRows - returned);
  if (removed < T.seqScanRemovedMin || removed < T.seqScanRemovedRatio * returned) return null;
  return issue(
    n,
    'seq-scan-filter',
    `Seq Scan on ${rel} is expected to read ${fmt(Math.round(tableRows))} rows to return ${fmt(Math.round(returned))} ` +
      `(estimate: the planner's row count of the table)`,
    { tableRows: Math.round(tableRows), estimatedRows: returned },
  );
}

/** Nodes under these stop early, so their actual rows say nothing about the estimate. */
const STOPS_EARLY = new Set(['Limit']);

function misestimate(n: PlanNode, ancestors: PlanNode[]): PlanNodeIssue | null {
  if (loopsOf(n) === 0) return null; // never executed
  if (ancestors.some((a) => STOPS_EARLY.has(nodeType(a)))) return null;
  const parent = ancestors[ancestors.length - 1];
  if (parent && (nodeType(parent) === 'Merge Join' || /Semi|Anti/.test(str(parent, 'Join Type') ?? ''))) return null;
  const f = factorOf(n);
  if (f === null) return null;
  const { factor, actual, planned } = f;
  if (factor < T.misestimateBuckets[0] || Math.max(actual, planned) < T.misestimateMinRows) return null;
  // Report where the error starts, not every node above it that inherits it.
  const worstChild = Math.max(0, ...children(n).map((c) => factorOf(c)?.factor ?? 0));
  if (worstChild * 2 > factor) return null;
  const under = actual > planned;
  const loops = loopsOf(n);
  return issue(
    n,
    'misestimate',
    `${where(n)}: planned ${fmt(Math.round(planned))} rows, ` +
      `got ${fmt(Math.round(actual))}${loops > 1 ? ` over ${fmt(loops)} loops` : ''} ` +
      `(${fmt(Math.round(factor))}× ${under ? 'under' : 'over'}-estimate)`,
    { factor: Math.round(factor * 10) / 10, bucket: misestimateBucket(factor), actualRows: actual, planRows: planned, loops },
    Math.round(factor * 10) / 10,
  );
}

function factorOf(n: PlanNode): { factor: number; actual: number; planned: number } | null {
  const actualPerLoop = num(n, 'Actual Rows');
  const planPerLoop = num(n, 'Plan Rows');
  if (actualPerLoop === null || planPerLoop === null || loopsOf(n) === 0) return null;
  const loops = loopsOf(n);
  const actual = actualPerLoop * loops;
  const planned = planPerLoop * loops;
  // An empty result against an estimate is still a misestimate: count it as one row.
  const a = Math.max(actual, 1);
  const p = Math.max(planned, 1);
  return { factor: Math.max(a / p, p / a), actual, planned };
}

/** The inner side reads a whole relation on every loop (no index, no cache in between). */
function rescans(inner: PlanNode): boolean {
  return nodeType(inner) === 'Seq Scan';
}

function nestedLoop(n: PlanNode, analyzed: boolean): PlanNodeIssue | null {
  if (nodeType(n) !== 'Nested Loop') return null;
  const kids = children(n);
  const inner = kids.find((c) => c['Parent Relationship'] === 'Inner') ?? kids[1];
  const outer = kids.find((c) => c['Parent Relationship'] === 'Outer') ?? kids[0];
  if (!inner || !outer) return null;
  if (analyzed) {
    const loops = loopsOf(inner);
    if (loops < T.nestedLoopInnerLoops) return null;
    const ms = (num(inner, 'Actual Total Time') ?? 0) * loops;
    // Many cheap probes (an index or cached lookup into a small table) are what a nested loop is
    // for: only a rescanned table or inner work that adds up to real time is a problem.
    if (!rescans(inner) && ms < T.nestedLoopInnerMs) return null;
    return issue(
      n,
      'nested-loop',
      `Nested Loop ran its inner side (${where(inner)}) ` +
        `${fmt(loops)} times${ms > 0 ? `, ${fmt(Math.round(ms * 10) / 10)} ms in total` : ''}`,
      { innerLoops: loops, innerMs: Math.round(ms * 100) / 100, outerRows: actualRowsTotal(outer) ?? 0 },
    );
  }
  const outerRows = num(outer, 'Plan Rows') ?? 0;
  if (outerRows < T.nestedLoopInnerLoops || !rescans(inner)) return null;
  return issue(
    n,
    'nested-loop',
    `Nested Loop is expected to run its inner side (${where(inner)}) ${fmt(Math.round(outerRows))} times (estimate)`,
    { estimatedInnerLoops: outerRows },
  );
}

function spill(n: PlanNode): PlanNodeIssue | null {
  const figures: Record<string, number> = {};
  const why: string[] = [];
  const sortType = str(n, 'Sort Space Type');
  const sortMethod = str(n, 'Sort Method') ?? '';
  if (sortType === 'Disk' || /external/.test(sortMethod)) {
    const kb = num(n, 'Sort Space Used') ?? 0;
    figures.sortDiskKb = kb;
    why.push(`${sortMethod || 'sort'} on disk${kb ? ` (${fmt(kb)} kB)` : ''}`);
  }
  const batches = num(n, 'Hash Batches') ?? num(n, 'HashAgg Batches') ?? 0;
  if (batches > 1) {
    figures.batches = batches;
    why.push(`${fmt(batches)} hash batches`);
  }
  const diskKb = num(n, 'Disk Usage') ?? 0;
  if (diskKb > 0) {
    figures.diskKb = diskKb;
    if (!why.length) why.push(`${fmt(diskKb)} kB on disk`);
  }
  // Temp blocks include the children's: count only what this node wrote itself.
  const temp = (num(n, 'Temp Written Blocks') ?? 0) - children(n).reduce((s, c) => s + (num(c, 'Temp Written Blocks') ?? 0), 0);
  if (temp > 0) {
    figures.tempWrittenBlocks = temp;
    if (!why.length) why.push(`${fmt(temp)} temp blocks written`);
  }
  if (!why.length) return null;
  return issue(n, 'spill', `${where(n)} spilled to disk: ${why.join(', ')} — work_mem is too small for it`, figures);
}

function indexFilter(n: PlanNode): PlanNodeIssue | null {
  const t = nodeType(n);
  if (t !== 'Index Scan' && t !== 'Index Only Scan' && t !== 'Bitmap Heap Scan') return null;
  const removed = perLoopTotal(n, 'Rows Removed by Filter') + perLoopTotal(n, 'Rows Removed by Index Recheck');
  if (removed < T.indexFilterRemovedMin) return null;
  const returned = actualRowsTotal(n) ?? 0;
  if (removed < returned) return null;
  return issue(
    n,
    'index-filter',
    `${where(n)} still removed ${fmt(Math.round(removed))} rows after the index to return ${fmt(Math.round(returned))} ` +
      `— the index does not cover the filter`,
    { rowsRemoved: Math.round(removed), rowsReturned: returned },
  );
}

function heapFetches(n: PlanNode): PlanNodeIssue | null {
  if (nodeType(n) !== 'Index Only Scan') return null;
  const fetches = num(n, 'Heap Fetches') ?? 0;
  const returned = actualRowsTotal(n) ?? 0;
  if (fetches < T.heapFetchesMin || fetches < 0.1 * returned) return null;
  return issue(
    n,
    'heap-fetches',
    `${where(n)} fetched ${fmt(fetches)} rows from the table for ${fmt(Math.round(returned))} returned ` +
      `— the visibility map is stale (VACUUM the table)`,
    { heapFetches: fetches, rowsReturned: returned },
  );
}

function heavyBuffers(n: PlanNode): PlanNodeIssue | null {
  if (!relationOf(n)) return null; // judge scans: a join's buffers are its children's
  const own = blocksOf(n) - children(n).reduce((s, c) => s + blocksOf(c), 0);
  const returned = actualRowsTotal(n) ?? 0;
  if (own < T.heavyBuffersMin || own < T.heavyBuffersPerRow * Math.max(returned, 1)) return null;
  return issue(
    n,
    'heavy-buffers',
    `${where(n)} touched ${fmt(own)} blocks (${fmt(Math.round((own * 8) / 1024))} MB) to return ${fmt(Math.round(returned))} rows`,
    { blocks: own, sharedRead: num(n, 'Shared Read Blocks') ?? 0, rowsReturned: returned },
  );
}

/**
 * Issues of a plan: the "Plan" object of EXPLAIN (FORMAT JSON) (or the top-level array / object
 * around it). ANALYZE plans are judged by actual numbers; others by estimates only.
 */
export function planIssues(plan: unknown, o: PlanIssueOptions = {}): PlanNodeIssue[] {
  const root = unwrapPlan(plan);
  if (!root) return [];
  const analyzed = hasActuals(root);
  const out: PlanNodeIssue[] = [];
  for (const { node, ancestors } of walkPlan(root)) {
    const seq = seqScanFilter(node, ancestors, analyzed, o);
    if (seq) out.push(seq);
    const nl = nestedLoop(node, analyzed);
    if (nl) out.push(nl);
    if (!analyzed) continue;
    for (const f of [misestimate(node, ancestors), spill(node), indexFilter(node), heapFetches(node), seq ? null : heavyBuffers(node)]) {
      if (f) out.push(f);
    }
  }
  return out;
}

/** The plan root from EXPLAIN's JSON: `[ { "Plan": … } ]`, `{ "Plan": … }` or the node itself. */
export function unwrapPlan(plan: unknown): PlanNode | null {
  let p = plan;
  if (Array.isArray(p)) p = p[0];
  if (p && typeof p === 'object' && 'Plan' in (p as object)) p = (p as { Plan: unknown }).Plan;
  return isPlanNode(p) ? p : null;
}
