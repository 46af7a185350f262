// Index advice, measured where we may (reference/database-cache-slo.md §1.2–1.3, issue 5 §4).
// Candidates come from the plans (analysis/postgres/index-candidates.ts); each is judged, best first:
// 1. --allow-writes (a session opened with allowWrites): a REAL index in a transaction that is always
//    rolled back — `BEGIN; CREATE INDEX …; SET LOCAL transaction_read_only = on; EXPLAIN (ANALYZE) …;
//    ROLLBACK` — before/after execution times of the statement. Only statements that are provably
//    read-only SELECTs are ANALYZEd, and after the CREATE INDEX the transaction is switched to read
//    only, so the statement itself can write nothing even in this transaction. Never COMMIT.
//    Cost for the user: CREATE INDEX (not CONCURRENTLY — impossible in a transaction) holds a SHARE
//    lock on the table until the ROLLBACK, blocking the application's writes to it for that long;
//    statement_timeout bounds it, lock_timeout keeps us from queueing behind the application.
// 2. HypoPG installed: a hypothetical index (hypopg_create_index) and the planner's cost before and
//    after. Hypothetical indexes live in this backend's memory only — no catalog write, nothing another
//    session can see — and hypopg_create_index works in a READ ONLY transaction (checked on PG 15 /
//    HypoPG 1.3), so the session stays read-only: we do not touch transaction_read_only for it.
// 3. Neither: 'heuristic', from the plan's shape only (costBefore only), and only for candidates
//    backed by an issue in the plan.
// A measured or hypothetical evaluation that shows no gain DROPS the candidate: that is the point of measuring.
import type { IndexStats, IndexSuggestion, StatementPlan } from '../../record/database-probes.ts';
import { candidateKey, coveringIndex, indexCandidates, type IndexCandidate } from '../../analysis/postgres/index-candidates.ts';
import { planCostWithIndex } from '../../analysis/postgres/index-cost-estimate.ts';
import { predicatesOf } from '../../analysis/postgres/plan-expr.ts';
import { unwrapPlan } from '../../analysis/postgres/plan-issues.ts';
import { fmt, relationOf, str, walkPlan } from '../../analysis/postgres/plan-node.ts';
import { quoteIdent } from '../../analysis/postgres/sql-ident.ts';
import { classifyStatement } from '../../analysis/postgres/sql-safety.ts';
import { isWord, sqlTokens } from '../../analysis/postgres/sql-tokens.ts';
import { DEFAULT_EXPLAIN_TIMEOUT_MS, explainWithoutExecuting, inReadOnlyTransaction, provablyReadOnly } from './explain.ts';
import type { DbSession } from './session.ts';

export interface AdviseOptions {
  indexes: IndexStats[];
  /** --allow-writes: measure with real indexes in rolled-back transactions (needs a session that is not read-only). */
  allowWrites: boolean;
  /** HypoPG is installed in this database (DatabaseServerInfo.hypopgAvailable). */
  hypopg: boolean;
  /** statement_timeout for each EXPLAIN / CREATE INDEX. Default 10 000 ms. */
  timeoutMs?: number;
  /** Candidates evaluated at most (default 20): each costs a few round trips, measured ones an index build. */
  maxCandidates?: number;
}

/** HypoPG must cut the cost at least this much (Dexter's default: 50 %). */
const HYPOPG_MIN_SAVING = 0.5;
/** A real index must cut the execution time at least this much (below: noise). */
const MEASURED_MIN_SAVING = 0.2;

const NAMEDATALEN = 63;

function truncateBytes(s: string, max: number): string {
  let out = '';
  let bytes = 0;
  for (const ch of s) {
    const b = Buffer.byteLength(ch);
    if (bytes + b > max) break;
    out += ch;
    bytes += b;
  }
  return out;
}

/** PostgreSQL's default-style name: orders_customer_id_status_idx (≤ 63 bytes). */
export function indexName(table: string, columns: string[]): string {
  const tail = '_idx';
  return truncateBytes(`${table}_${columns.join('_')}`, NAMEDATALEN - tail.length) + tail;
}

/** ", summed over N statements" when a suggestion's figures add up several statements. */
const summedOver = (n: number) => (n > 1 ? `, summed over ${n} statements` : '');

export function createIndexStatement(schema: string, table: string, columns: string[]): string {
  return (
    `CREATE INDEX CONCURRENTLY ${quoteIdent(indexName(table, columns))} ON ${quoteIdent(schema)}.${quoteIdent(table)} ` +
    `(${columns.map(quoteIdent).join(', ')});`
  );
}

const target = (schema: string, table: string, columns: string[]) =>
  `${quoteIdent(schema)}.${quoteIdent(table)} (${columns.map(quoteIdent).join(', ')})`;

const usesIndex = (plan: unknown, name: string): boolean => walkPlan(unwrapPlan(plan)).some((v) => str(v.node, 'Index Name') === name);

const pct = (before: number, after: number) => (before > 0 ? `−${fmt(Math.round((1 - after / before) * 1000) / 10)} %` : '');
const round = (x: number) => (x >= 100 ? Math.round(x) : Math.round(x * 100) / 100);

interface Group {
  cand: IndexCandidate & { schema: string };
  plans: StatementPlan[];
}

async function schemasOf(s: DbSession, tables: string[], indexes: IndexStats[]): Promise<Map<string, string>> {
  const m = new Map<string, string>();
  if (tables.length === 0) return m;
  const rows = await s.query<{ relname: string; nspname: string }>(
    `SELECT c.relname, n.nspname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE c.relname = ANY($1::text[]) AND c.relkind IN ('r', 'p', 'm') AND pg_table_is_visible(c.oid)`,
    [tables],
  );
  for (const r of rows) m.set(r.relname, r.nspname);
  // A table the search_path does not show (the statement qualified it): the catalog's only table of that name.
  for (const t of tables) {
    if (m.has(t)) continue;
    const schemas = [...new Set(indexes.filter((i) => i.table === t).map((i) => i.schema))];
    if (schemas.length === 1) m.set(t, schemas[0]!);
  }
  return m;
}

// ---------------------------------------------------------------------------------------------
// Representative parameter values (measured method only)
//
// A generic plan prints `$n` where the values go, next to the column they are compared with. For an
// equality we take the value of a randomly sampled row: lookups in a real workload mostly ask for
// values that exist, with the frequency they have in the table — a most-common value would be the
// index's worst case and a histogram bound ignores frequency. For a range (`created_at > $1`) we take
// the 90th percentile bound of pg_stats' histogram (the 10th for `<`): a selective slice, which is
// what an index is for — stated in the suggestion text. LIMIT $n gets 20, OFFSET $n gets 0.
// A parameter we cannot place makes the statement unmeasurable (we fall back to HypoPG / the shape).

interface ParamSlot {
  schema: string;
  table: string;
  column: string;
  cmp: string;
}

async function sampleValue(s: DbSession, p: ParamSlot): Promise<string | null> {
  const col = quoteIdent(p.column);
  const from = `${quoteIdent(p.schema)}.${quoteIdent(p.table)}`;
  if (p.cmp !== '=' && p.cmp !== 'in') {
    const [h] = await s.query<{ h: string[] | null }>(
      'SELECT histogram_bounds::text::text[] AS h FROM pg_stats WHERE schemaname = $1 AND tablename = $2 AND attname = $3',
      [p.schema, p.table, p.column],
    );
    const bounds = h?.h ?? null;
    if (bounds && bounds.length > 0) {
      const q = p.cmp.startsWith('>') ? 0.9 : 0.1;
      return bounds[Math.min(bounds.length - 1, Math.floor(q * (bounds.length - 1)))]!;
    }
  }
  for (const sample of ['TABLESAMPLE SYSTEM (1)', '']) {
    const rows = await s.query<{ v: string }>(`SELECT (${col})::text AS v FROM ${from} ${sample} WHERE ${col} IS NOT NULL LIMIT 1`);
    if (rows[0]) return rows[0].v;
  }
  return null;
}

const arrayLiteral = (v: string) => `{"${v.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"}`;

async function representativeValues(
  s: DbSession,
  plan: StatementPlan,
  params: number,
  schemas: Map<string, string>,
  timeoutMs: number,
): Promise<string[] | null> {
  if (params === 0) return [];
  const slots = new Map<number, ParamSlot>();
  for (const { node } of walkPlan(unwrapPlan(plan.plan))) {
    const rel = relationOf(node);
    const schema = rel ? schemas.get(rel) : undefined;
    if (!rel || !schema) continue;
    for (const key of ['Filter', 'Index Cond', 'Recheck Cond']) {
      for (const p of predicatesOf(str(node, key))) {
        if (p.other.kind !== 'value' || p.other.param === null || slots.has(p.other.param)) continue;
        slots.set(p.other.param, { schema, table: rel, column: p.column.name, cmp: p.cmp });
      }
    }
  }
  const values: string[] = [];
  const toks = sqlTokens(plan.query);
  const fixed = new Map<number, string>();
  toks.forEach((t, i) => {
    const next = toks[i + 1];
    if (next?.kind === 'param' && isWord(t, 'limit')) fixed.set(next.n, '20');
    if (next?.kind === 'param' && isWord(t, 'offset')) fixed.set(next.n, '0');
  });
  return inReadOnlyTransaction(s, timeoutMs, async () => {
    for (let n = 1; n <= params; n++) {
      if (fixed.has(n)) {
        values.push(fixed.get(n)!);
        continue;
      }
      const slot = slots.get(n);
      if (!slot) return null;
      const v = await sampleValue(s, slot);
      if (v === null) return null;
      values.push(slot.cmp === 'in' ? arrayLiteral(v) : v);
    }
    return values;
  });
}

// ---------------------------------------------------------------------------------------------

interface Evaluation {
  costBefore: number;
  costAfter: number;
  msBefore?: number;
  msAfter?: number;
  queryIds: string[];
  note: string;
}

type ExplainJson = { Plan: Record<string, unknown>; 'Execution Time'?: number };

async function analyzeTwice(s: DbSession, statement: string, values: string[]): Promise<{ ms: number; cost: number; plan: unknown }> {
  // The first run warms the cache; the faster of two is the figure (both are reported by the caller as "per call").
  let best: { ms: number; cost: number; plan: unknown } | null = null;
  for (let i = 0; i < 2; i++) {
    const rows = await s.query(`EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) ${statement}`, values.length ? values : undefined);
    let v = rows[0]?.['QUERY PLAN'];
    if (typeof v === 'string') v = JSON.parse(v);
    const top = (Array.isArray(v) ? v[0] : v) as ExplainJson;
    const ms = Number(top['Execution Time'] ?? NaN);
    if (!best || ms < best.ms) best = { ms, cost: Number(top.Plan['Total Cost'] ?? 0), plan: top.Plan };
  }
  return best!;
}

let tempSeq = 0;

interface Measurable {
  plan: StatementPlan;
  statement: string;
  values: string[];
  params: number;
}

/** Up to 3 of the group's statements that may be executed (provably read-only SELECTs whose parameters we can fill). */
async function measurable(s: DbSession, g: Group, schemas: Map<string, string>, timeoutMs: number): Promise<Measurable[]> {
  const out: Measurable[] = [];
  for (const p of g.plans) {
    if (out.length >= 3) break;
    const c = classifyStatement(p.query);
    if (c.kind !== 'select' || !c.readOnly) continue;
    if (!(await provablyReadOnly(s, p.query, timeoutMs)).readOnly) continue;
    const values = await representativeValues(s, p, c.params, schemas, timeoutMs);
    if (values !== null) out.push({ plan: p, statement: c.statement, values, params: c.params });
  }
  return out;
}

async function measure(s: DbSession, g: Group, schemas: Map<string, string>, timeoutMs: number): Promise<Evaluation | null> {
  const stmts = await measurable(s, g, schemas, timeoutMs);
  if (stmts.length === 0) return null;
  const before: Array<{ ms: number; cost: number }> = [];
  for (const m of stmts) before.push(await inReadOnlyTransaction(s, timeoutMs, () => analyzeTwice(s, m.statement, m.values)));
  const name = `sg_advice_${process.pid}_${++tempSeq}`;
  const after: Array<{ ms: number; cost: number; plan: unknown }> = [];
  await s.query('BEGIN READ WRITE');
  try {
    await s.query(`SET LOCAL statement_timeout = ${Math.round(timeoutMs)}`);
    await s.query(`CREATE INDEX ${name} ON ${target(g.cand.schema, g.cand.table, g.cand.columns)}`);
    // From here on the transaction cannot write: the statements we execute are read-only twice over.
    await s.query('SET LOCAL transaction_read_only = on');
    for (const m of stmts) after.push(await analyzeTwice(s, m.statement, m.values));
  } finally {
    await s.query('ROLLBACK').catch(() => {});
  }
  const helped = stmts
    .map((m, i) => ({ m, b: before[i]!, a: after[i]! }))
    .filter(({ a, b }) => usesIndex(a.plan, name) && a.ms <= b.ms * (1 - MEASURED_MIN_SAVING));
  if (helped.length === 0) return { costBefore: 0, costAfter: 0, queryIds: [], note: 'unused' };
  const sum = (f: (x: (typeof helped)[number]) => number) => helped.reduce((acc, x) => acc + f(x), 0);
  const sampled = helped.some((x) => x.m.params > 0) ? ' with parameter values sampled from the table' : '';
  return {
    costBefore: sum((x) => x.b.cost),
    costAfter: sum((x) => x.a.cost),
    msBefore: sum((x) => x.b.ms),
    msAfter: sum((x) => x.a.ms),
    queryIds: helped.map((x) => x.m.plan.queryId),
    note: `measured with a real index in a rolled-back transaction${sampled}${summedOver(helped.length)}`,
  };
}

async function hypothetical(s: DbSession, g: Group, timeoutMs: number, costCache: Map<string, number>): Promise<Evaluation | null> {
  let costBefore = 0;
  let costAfter = 0;
  const queryIds: string[] = [];
  for (const p of g.plans.slice(0, 5)) {
    const c = classifyStatement(p.query);
    if (c.kind !== 'select' && c.kind !== 'dml') continue;
    await s.query('SELECT hypopg_reset()');
    let before = costCache.get(p.queryId);
    if (before === undefined) {
      const { top } = await explainWithoutExecuting(s, c.statement, { params: c.params, timeoutMs });
      before = Number((top.Plan as Record<string, unknown>)['Total Cost'] ?? 0);
      costCache.set(p.queryId, before);
    }
    try {
      const [h] = await s.query<{ indexname: string }>('SELECT indexname FROM hypopg_create_index($1)', [
        `CREATE INDEX ON ${target(g.cand.schema, g.cand.table, g.cand.columns)}`,
      ]);
      const { top } = await explainWithoutExecuting(s, c.statement, { params: c.params, timeoutMs });
      const after = Number((top.Plan as Record<string, unknown>)['Total Cost'] ?? 0);
      if (h && usesIndex(top.Plan, h.indexname) && after <= before * (1 - HYPOPG_MIN_SAVING)) {
        costBefore += before;
        costAfter += after;
        queryIds.push(p.queryId);
      }
    } finally {
      await s.query('SELECT hypopg_reset()').catch(() => {});
    }
  }
  if (queryIds.length === 0) return { costBefore: 0, costAfter: 0, queryIds: [], note: 'unused' };
  return { costBefore, costAfter, queryIds, note: 'planner cost with a hypothetical index (HypoPG)' };
}

function suggestion(
  g: Group,
  method: IndexSuggestion['method'],
  e: Partial<Evaluation> & { queryIds: string[] },
  text: string,
): IndexSuggestion {
  return {
    schema: g.cand.schema,
    table: g.cand.table,
    columns: g.cand.columns,
    createStatement: createIndexStatement(g.cand.schema, g.cand.table, g.cand.columns),
    queryIds: e.queryIds,
    method,
    costBefore: e.costBefore ?? null,
    costAfter: method === 'heuristic' ? null : (e.costAfter ?? null),
    msBefore: e.msBefore ?? null,
    msAfter: e.msAfter ?? null,
    expectedImprovement: text,
  };
}

/** The group's plans' summed cost with the index, estimated from the cost formulas (null when any plan cannot be). */
async function estimateWithIndex(s: DbSession, g: Group): Promise<number | null> {
  const [settings] = await s.query<{ r: number; q: number; t: number; i: number; o: number }>(
    `SELECT current_setting('random_page_cost')::float8 AS r,
            current_setting('seq_page_cost')::float8 AS q,
            current_setting('cpu_tuple_cost')::float8 AS t,
            current_setting('cpu_index_tuple_cost')::float8 AS i,
            current_setting('cpu_operator_cost')::float8 AS o`,
  );
  const [size] = await s.query<{ rows: number; pages: number }>(
    `SELECT c.reltuples::float8 AS rows, c.relpages::float8 AS pages FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = $1 AND c.relname = $2`,
    [g.cand.schema, g.cand.table],
  );
  if (!settings || !size || Number(size.rows) < 0) return null;
  const [stats] = await s.query<{ c: number | null }>(
    'SELECT correlation::float8 AS c FROM pg_stats WHERE schemaname = $1 AND tablename = $2 AND attname = $3',
    [g.cand.schema, g.cand.table, g.cand.columns[0]],
  );
  const correlation = stats?.c === null || stats?.c === undefined ? null : Number(stats.c);
  const c = {
    randomPageCost: Number(settings.r),
    seqPageCost: Number(settings.q),
    cpuTupleCost: Number(settings.t),
    cpuIndexTupleCost: Number(settings.i),
    cpuOperatorCost: Number(settings.o),
  };
  let total = 0;
  for (const p of g.plans) {
    const after = planCostWithIndex(p.plan, g.cand.table, { rows: Number(size.rows), pages: Number(size.pages), correlation }, c);
    if (after === null) return null;
    total += after;
  }
  return total;
}

/** Index suggestions for the plans' statements (see the top of this file for how each is judged). */
export async function adviseIndexes(s: DbSession, plans: StatementPlan[], o: AdviseOptions): Promise<IndexSuggestion[]> {
  const timeoutMs = o.timeoutMs ?? DEFAULT_EXPLAIN_TIMEOUT_MS;
  const raw: Array<{ cand: IndexCandidate; plan: StatementPlan }> = [];
  for (const p of plans) {
    if (p.error !== null || !p.plan) continue;
    for (const cand of indexCandidates(p.plan, { issues: p.issues })) raw.push({ cand, plan: p });
  }
  const schemas = await schemasOf(s, [...new Set(raw.filter((r) => r.cand.schema === null).map((r) => r.cand.table))], o.indexes);
  const groups = new Map<string, Group>();
  for (const { cand, plan } of raw) {
    const schema = cand.schema ?? schemas.get(cand.table);
    if (!schema) continue;
    const c = { ...cand, schema };
    if (coveringIndex(c, o.indexes)) continue;
    const key = candidateKey(c);
    const g = groups.get(key);
    if (g) {
      if (!g.plans.includes(plan)) g.plans.push(plan);
      g.cand.fromIssue ||= c.fromIssue;
    } else groups.set(key, { cand: c, plans: [plan] });
  }

  // A statement that asks for (a) may be served as well by a longer index (a, b) on the same table:
  // evaluate the longer candidate on those statements too, so that the prefix rule below can drop (a).
  const all = [...groups.values()];
  for (const g of all) {
    for (const h of all) {
      if (h === g || h.cand.schema !== g.cand.schema || h.cand.table !== g.cand.table || h.cand.columns.length >= g.cand.columns.length)
        continue;
      if (!h.cand.columns.every((c, i) => g.cand.columns[i] === c)) continue;
      for (const p of h.plans) if (!g.plans.includes(p)) g.plans.push(p);
    }
  }

  const measuring = o.allowWrites && !s.readOnly;
  const costCache = new Map<string, number>();
  const out: Array<IndexSuggestion & { gain: number; rank: number }> = [];
  for (const g of all.slice(0, o.maxCandidates ?? 20)) {
    let measured: Evaluation | null = null;
    let hypo: Evaluation | null = null;
    if (measuring) {
      try {
        measured = await measure(s, g, schemas, timeoutMs);
      } catch {
        measured = null; /* lock/statement timeout: judge otherwise */
      }
    }
    if (measured && measured.note === 'unused') continue;
    if (measured && measured.msBefore !== undefined && measured.msAfter !== undefined) {
      const time = `${round(measured.msBefore)} ms → ${round(measured.msAfter)} ms per call (${pct(measured.msBefore, measured.msAfter)})`;
      const text = `${time}, ${measured.note}; planner cost ${fmt(round(measured.costBefore))} → ${fmt(round(measured.costAfter))}`;
      out.push({ ...suggestion(g, 'measured', measured, text), gain: measured.msBefore - measured.msAfter, rank: 0 });
      continue;
    }
    if (o.hypopg) {
      try {
        hypo = await hypothetical(s, g, timeoutMs, costCache);
      } catch {
        hypo = null; /* HypoPG failed: judge by the shape */
      }
    }
    if (hypo && hypo.note === 'unused') continue;
    if (hypo) {
      const cost = `cost ${fmt(round(hypo.costBefore))} → ${fmt(round(hypo.costAfter))} (${pct(hypo.costBefore, hypo.costAfter)})`;
      const text = `${cost} by the ${hypo.note}${summedOver(hypo.queryIds.length)}`;
      out.push({ ...suggestion(g, 'hypopg', hypo, text), gain: hypo.costBefore - hypo.costAfter, rank: 1 });
      continue;
    }
    if (!g.cand.fromIssue) continue;
    const costBefore = g.plans.reduce((sum, p) => sum + p.totalCost, 0);
    // Without HypoPG: the planner's cost formulas applied to an index scan (analysis/postgres/index-cost-estimate.ts).
    let estimated: number | null = null;
    try {
      estimated = await estimateWithIndex(s, g);
    } catch {
      estimated = null;
    }
    const estimate =
      estimated !== null
        ? `; estimated plan cost with the index ${fmt(round(costBefore))} → ~${fmt(round(estimated))} (${pct(costBefore, estimated)}), ` +
          "from PostgreSQL's index-scan cost formulas and this server's cost settings — " +
          "an estimate, not the planner's figure nor a measured time"
        : '';
    const text =
      `${g.cand.detail}; an index on (${g.cand.columns.join(', ')}) lets PostgreSQL read only the rows it needs ` +
      `(plan cost now ${fmt(round(costBefore))}${summedOver(g.plans.length)}${estimate}; ` +
      "judged from the plan's shape, not measured — install HypoPG or use --allow-writes to measure)";
    const sg = suggestion(g, 'heuristic', { costBefore, queryIds: g.plans.map((p) => p.queryId) }, text);
    if (estimated !== null) sg.estimatedCostAfter = round(estimated);
    out.push({ ...sg, gain: costBefore, rank: 2 });
  }

  // A suggestion whose columns lead another suggestion on the same table, for no statement the other
  // does not already serve, is redundant (Dexter's rule).
  const kept = out.filter(
    (a) =>
      !out.some(
        (b) =>
          b !== a &&
          b.schema === a.schema &&
          b.table === a.table &&
          b.columns.length > a.columns.length &&
          a.columns.every((c, i) => b.columns[i] === c) &&
          a.queryIds.every((q) => b.queryIds.includes(q)) &&
          b.rank <= a.rank,
      ),
  );
  return kept.sort((a, b) => a.rank - b.rank || b.gain - a.gain).map(({ gain: _g, rank: _r, ...sug }) => sug);
}
