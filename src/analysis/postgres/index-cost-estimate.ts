// The planner cost of a plan if an index served one of its sequential scans, estimated WITHOUT HypoPG:
// the Seq Scan node's cost is replaced by the cost PostgreSQL's own formulas give a B-tree index
// scan returning the rows the scan returns (src/backend/optimizer/path/costsize.c cost_index and
// utils/adt/selfuncs.c btcostestimate/genericcostestimate, simplified: the heap pages fetched by
// Mackert & Lohman's formula for an uncorrelated index, the index's own pages in proportion, the
// descent's comparisons), with this server's cost settings. It is an estimate of what the planner
// would say, labelled so: HypoPG (the planner's real figure) or --allow-writes (a measured time) are
// preferred whenever available. Pure.
import { children, nodeType, num, relationOf, walkPlan, type PlanNode } from './plan-node.ts';
import { unwrapPlan } from './plan-issues.ts';

export interface CostSettings {
  randomPageCost: number;
  seqPageCost: number;
  cpuTupleCost: number;
  cpuIndexTupleCost: number;
  cpuOperatorCost: number;
}

export interface TableSize {
  /** pg_class.reltuples and relpages. */
  rows: number;
  pages: number;
  /** pg_stats.correlation of the index's first column (physical order vs value order), when known. */
  correlation?: number | null;
}

/** B-tree leaf entries per 8 kB page for a narrow key (an int4/int8 plus the tuple header, ~70 % full). */
const ENTRIES_PER_INDEX_PAGE = 250;

/**
 * Cost of reading `rows` of a table through a B-tree index: the cheaper of an index scan and a bitmap heap scan (PostgreSQL's formulas,
 * simplified).
 */
export function indexScanCost(rows: number, table: TableSize, c: CostSettings): number {
  const n = Math.max(table.rows, 1);
  const r = Math.min(Math.max(rows, 1), n);
  const indexPages = Math.max(1, Math.ceil(n / ENTRIES_PER_INDEX_PAGE));
  const height = Math.max(0, Math.ceil(Math.log(n) / Math.log(ENTRIES_PER_INDEX_PAGE)) - 1);
  // btcostestimate: the descent (log2 comparisons + 50 × operator cost per level), the leaf pages read.
  const descent = Math.ceil(Math.log2(n)) * c.cpuOperatorCost + (height + 1) * 50 * c.cpuOperatorCost;
  const leafPages = Math.max(1, Math.ceil((r / n) * indexPages));
  const indexCost = descent + leafPages * c.randomPageCost + r * (c.cpuIndexTupleCost + c.cpuOperatorCost);
  // cost_index: an uncorrelated heap costs Mackert & Lohman's pages fetched for r tuples of a
  // T-page table at random_page_cost; a perfectly correlated one the matching share of the pages,
  // read in order; in between by the square of the column's correlation.
  const t = Math.max(table.pages, 1);
  const pagesFetched = Math.min((2 * t * r) / (2 * t + r), t);
  const maxIo = pagesFetched * c.randomPageCost;
  const minIo = c.randomPageCost + Math.max(0, Math.ceil((r / n) * t) - 1) * c.seqPageCost;
  const c2 = (table.correlation ?? 0) ** 2;
  const indexScan = indexCost + maxIo + c2 * (minIo - maxIo) + r * c.cpuTupleCost;
  // cost_bitmap_heap_scan: the same pages in physical order, each costing between random_page_cost
  // and seq_page_cost by the share of the table fetched. The planner takes the cheaper path.
  const perPage =
    pagesFetched >= 2 ? c.randomPageCost - (c.randomPageCost - c.seqPageCost) * Math.sqrt(pagesFetched / t) : c.randomPageCost;
  const bitmapScan = indexCost + pagesFetched * perPage + r * (c.cpuTupleCost + c.cpuOperatorCost);
  return Math.min(indexScan, bitmapScan);
}

/**
 * The plan's total cost with the Seq Scans of `table` replaced by index scans, or null when a scan
 * is repeated by a loop above it (its per-loop cost would need the loop count) or none is found.
 */
export function planCostWithIndex(plan: unknown, table: string, size: TableSize, c: CostSettings): number | null {
  const root = unwrapPlan(plan) as PlanNode;
  const total = num(root, 'Total Cost');
  if (total === null) return null;
  let saved = 0;
  let found = false;
  for (const { node, ancestors } of walkPlan(root)) {
    if (nodeType(node) !== 'Seq Scan' || relationOf(node) !== table) continue;
    // The inner side of a Nested Loop runs once per outer row: not estimated here.
    const parent = ancestors[ancestors.length - 1];
    if (parent && nodeType(parent) === 'Nested Loop' && children(parent)[1] === node) return null;
    const scanCost = num(node, 'Total Cost');
    const rows = num(node, 'Plan Rows');
    if (scanCost === null || rows === null) return null;
    saved += scanCost - indexScanCost(rows, size, c);
    found = true;
  }
  return found && saved > 0 ? Math.max(0, total - saved) : null;
}
