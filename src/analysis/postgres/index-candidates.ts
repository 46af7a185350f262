// B-tree index candidates read off a plan (pure). A candidate is a single table's columns an index
// could serve: the table's equality predicates first (any order among them), then one range
// predicate or the sort keys, at most three columns. Sources:
// - a Seq Scan's Filter, an index scan that still filters (its Index Cond + Filter),
// - a Sort (top-N under a Limit, spilling, or after equality filters) directly over a single table,
// - the join key of a table read in full by a join for few rows on the other side: the inner side
//   of a Nested Loop (Join Filter), either side of a Hash Join (Hash Cond).
// Candidates an existing valid, non-partial B-tree already serves (same leading columns) are dropped.
// Which candidate actually helps is decided by index-advice.ts (HypoPG / a rolled-back real index /
// the plan's shape); here we only propose.
import type { IndexStats, PlanNodeIssue } from '../../record/database-probes.ts';
import { predicatesOf, sortColumnsOf, type Predicate } from './plan-expr.ts';
import {
  actualRowsTotal,
  children,
  fmt,
  nodeType,
  num,
  perLoopTotal,
  relationOf,
  str,
  strs,
  walkPlan,
  type PlanNode,
} from './plan-node.ts';
import { unwrapPlan } from './plan-issues.ts';
import { unquoteIdent } from './sql-ident.ts';

export interface IndexCandidate {
  /** From the plan ("Schema", EXPLAIN VERBOSE only) — else null: the caller resolves it. */
  schema: string | null;
  table: string;
  columns: string[];
  /** The leading columns compared by equality (their order is free). */
  equalityColumns: number;
  reason: 'filter' | 'sort' | 'join' | 'index-filter';
  /** One line: what in the plan asked for it. */
  detail: string;
  /** Backed by something the plan did badly (an issue, a top-N sort over a whole table …): worth suggesting on the plan's shape alone. */
  fromIssue: boolean;
}

export interface CandidateOptions {
  indexes?: IndexStats[];
  issues?: PlanNodeIssue[];
  /** Default 3. */
  maxColumns?: number;
}

const EQ = new Set(['=', 'in', 'is null']);
const RANGE = new Set(['<', '<=', '>', '>=']);
const BIG_SCAN_ROWS = 1000;

const belongs = (p: Predicate, alias: string | null, relation: string): boolean =>
  p.column.qualifier === null || p.column.qualifier === alias || p.column.qualifier === relation;

/** Rows a scan looked at (returned + removed; estimates when not analyzed). */
function rowsScanned(n: PlanNode): number {
  const returned = actualRowsTotal(n);
  if (returned === null) return num(n, 'Plan Rows') ?? 0;
  return returned + perLoopTotal(n, 'Rows Removed by Filter');
}

function rowsOut(n: PlanNode): number {
  return actualRowsTotal(n) ?? num(n, 'Plan Rows') ?? 0;
}

/** Equality columns, then one range column, of a scan's own predicates. */
function shapeColumns(
  preds: Predicate[],
  alias: string | null,
  relation: string,
  lead: string[] = [],
): { eq: string[]; range: string | null } {
  const eq = [...lead];
  let range: string | null = null;
  for (const p of preds) {
    if (!belongs(p, alias, relation) || p.other.kind !== 'value') continue;
    if (EQ.has(p.cmp) && !eq.includes(p.column.name)) eq.push(p.column.name);
  }
  for (const p of preds) {
    if (!belongs(p, alias, relation) || p.other.kind !== 'value') continue;
    if (RANGE.has(p.cmp) && !eq.includes(p.column.name)) {
      range = p.column.name;
      break;
    }
  }
  return { eq, range };
}

/**
 * Two candidates with the same key are the same index: the equality columns in any order, then the
 * range/sort columns in theirs.
 */
export function candidateKey(c: Pick<IndexCandidate, 'schema' | 'table' | 'columns' | 'equalityColumns'>): string {
  const equality = c.columns.slice(0, c.equalityColumns).sort().join(',');
  const rest = c.columns.slice(c.equalityColumns).join(',');
  return `${c.schema ?? ''}.${c.table}(${equality}|${rest})`;
}

/** The existing index that already serves `c` (same table, same leading columns), or null. */
export function coveringIndex(
  c: Pick<IndexCandidate, 'schema' | 'table' | 'columns' | 'equalityColumns'>,
  indexes: IndexStats[],
): IndexStats | null {
  for (const ix of indexes) {
    if (ix.table !== c.table || (c.schema !== null && ix.schema !== c.schema)) continue;
    if (!ix.valid || ix.predicate !== null || ix.method !== 'btree') continue;
    const cols = ix.columns.map(unquoteIdent);
    if (cols.length < c.columns.length) continue;
    const eqN = Math.min(c.equalityColumns, c.columns.length);
    const lead = new Set(cols.slice(0, eqN));
    if (!c.columns.slice(0, eqN).every((x) => lead.has(x))) continue;
    if (c.columns.slice(eqN).every((x, i) => cols[eqN + i] === x)) return ix;
  }
  return null;
}

/** The scan under a node, through nodes that pass rows on unchanged (Hash, Materialize, Memoize, Gather). */
function scanBelow(n: PlanNode | undefined): PlanNode | null {
  let cur = n;
  for (let i = 0; cur && i < 5; i++) {
    if (relationOf(cur)) return cur;
    const t = nodeType(cur);
    if (!['Hash', 'Materialize', 'Memoize', 'Gather', 'Gather Merge'].includes(t)) return null;
    cur = children(cur)[0];
  }
  return null;
}

/** Candidates of one plan ("Plan" object or EXPLAIN's whole JSON), best evidence first, deduplicated. */
export function indexCandidates(plan: unknown, o: CandidateOptions = {}): IndexCandidate[] {
  const root = unwrapPlan(plan);
  if (!root) return [];
  const max = Math.max(1, o.maxColumns ?? 3);
  const issues = o.issues ?? [];
  const hasIssue = (kind: PlanNodeIssue['kind'], relation: string | null) =>
    issues.some((i) => i.kind === kind && (relation === null || i.relation === relation));
  const out: IndexCandidate[] = [];
  const add = (scan: PlanNode, eq: string[], tail: string[], reason: IndexCandidate['reason'], detail: string, fromIssue: boolean) => {
    const eqCols = eq.slice(0, max);
    const columns = [...eqCols, ...tail.filter((c) => !eqCols.includes(c))].slice(0, max);
    if (columns.length === 0) return;
    out.push({
      schema: str(scan, 'Schema'),
      table: relationOf(scan)!,
      columns,
      equalityColumns: Math.min(eqCols.length, columns.length),
      reason,
      detail,
      fromIssue,
    });
  };

  for (const { node, ancestors } of walkPlan(root)) {
    const type = nodeType(node);
    const rel = relationOf(node);
    const alias = str(node, 'Alias');

    if (type === 'Seq Scan' && rel) {
      const { eq, range } = shapeColumns(predicatesOf(str(node, 'Filter')), alias, rel);
      const issue = issues.find((i) => i.kind === 'seq-scan-filter' && i.relation === rel);
      add(node, eq, range ? [range] : [], 'filter', issue?.detail ?? `Seq Scan on ${rel} with Filter ${str(node, 'Filter')}`, !!issue);
    }

    if ((type === 'Index Scan' || type === 'Index Only Scan' || type === 'Bitmap Heap Scan') && rel && hasIssue('index-filter', rel)) {
      // Bitmap Heap Scan: the index condition is the child's Index Cond, printed again as Recheck Cond.
      const preds = [...predicatesOf(str(node, 'Index Cond') ?? str(node, 'Recheck Cond')), ...predicatesOf(str(node, 'Filter'))];
      const { eq, range } = shapeColumns(preds, alias, rel);
      const issue = issues.find((i) => i.kind === 'index-filter' && i.relation === rel)!;
      add(node, eq, range ? [range] : [], 'index-filter', issue.detail, true);
    }

    if (type === 'Sort') {
      const keys = sortColumnsOf(strs(node, 'Sort Key'));
      const scan = children(node)[0];
      if (!keys || !scan || !relationOf(scan) || !['Seq Scan', 'Bitmap Heap Scan'].includes(nodeType(scan))) continue;
      const sRel = relationOf(scan)!;
      const sAlias = str(scan, 'Alias');
      if (!keys.every((k) => k.col.qualifier === null || k.col.qualifier === sAlias || k.col.qualifier === sRel)) continue;
      if (new Set(keys.map((k) => k.desc)).size > 1) continue; // mixed directions need a DESC column in the index: leave it to a person
      const { eq } = shapeColumns(predicatesOf(str(scan, 'Filter')), sAlias, sRel);
      const underLimit = [...ancestors].reverse().find((a) => nodeType(a) !== 'Gather Merge');
      const topN = underLimit !== undefined && nodeType(underLimit) === 'Limit';
      const spilled = issues.some((i) => i.kind === 'spill' && i.nodeType === 'Sort');
      if (!topN && !spilled && eq.length === 0) continue;
      const scanned = rowsScanned(scan);
      add(
        scan,
        eq,
        keys.map((k) => k.col.name),
        'sort',
        `Sort on ${strs(node, 'Sort Key').join(', ')} over ${fmt(Math.round(scanned))} rows of ` +
          `${sRel}${topN ? ' to return the first few' : ''}${spilled ? ' (spilled to disk)' : ''}`,
        spilled || (topN && scanned >= BIG_SCAN_ROWS),
      );
    }

    if (type === 'Nested Loop' || type === 'Hash Join') {
      const kids = children(node);
      const outer = kids.find((c) => c['Parent Relationship'] === 'Outer') ?? kids[0];
      const innerKid = kids.find((c) => c['Parent Relationship'] === 'Inner') ?? kids[1];
      if (!outer || !innerKid) continue;
      const cond = type === 'Hash Join' ? str(node, 'Hash Cond') : str(node, 'Join Filter');
      // A nested loop re-reads its inner side per outer row; a hash join reads both sides once and
      // hashes the smaller one (usually the inner), so the table read in full may be either side.
      const sides: Array<[PlanNode | null, PlanNode]> =
        type === 'Nested Loop'
          ? [[scanBelow(innerKid), outer]]
          : [
              [scanBelow(innerKid), outer],
              [scanBelow(outer), innerKid],
            ];
      for (const [big, other] of sides) {
        if (!big || nodeType(big) !== 'Seq Scan') continue;
        const bRel = relationOf(big)!;
        const bAlias = str(big, 'Alias');
        const join = predicatesOf(cond).flatMap((p): string[] => {
          if (p.cmp !== '=' || p.other.kind !== 'column') return [];
          if (p.column.qualifier !== null && belongs(p, bAlias, bRel)) return [p.column.name];
          const o2 = p.other.col;
          if (o2.qualifier !== null && (o2.qualifier === bAlias || o2.qualifier === bRel)) return [o2.name];
          return [];
        });
        if (join.length === 0) continue;
        const scanned = rowsScanned(big);
        const otherRows = rowsOut(other);
        // An index on the join key pays when few rows on the other side look up a big table.
        if (scanned < BIG_SCAN_ROWS || otherRows * 10 > scanned) continue;
        const { eq } = shapeColumns(predicatesOf(str(big, 'Filter')), bAlias, bRel, [join[0]!]);
        add(
          big,
          eq,
          [],
          'join',
          `${type} reads all of ${bRel} (${fmt(Math.round(scanned))} rows) ` +
            `for ${fmt(Math.round(otherRows))} rows on the other side of ${cond}`,
          type === 'Nested Loop' || otherRows * 100 <= scanned,
        );
      }
    }
  }

  const seen = new Set<string>();
  const result: IndexCandidate[] = [];
  for (const c of [...out].sort((a, b) => Number(b.fromIssue) - Number(a.fromIssue))) {
    const key = candidateKey(c);
    if (seen.has(key)) continue;
    seen.add(key);
    if (o.indexes && coveringIndex(c, o.indexes)) continue;
    result.push(c);
  }
  return result;
}
