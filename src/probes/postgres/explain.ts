// Query plans of the statements that cost the most (EXPLAIN … FORMAT JSON), judged by plan-issues.ts.
//
// Which EXPLAIN a statement gets:
// - DDL / utility / several statements in one text: none ("not explainable").
// - Parameterised ($1 …, pg_stat_statements' normalised texts): a GENERIC plan — planned without
//   values. PG ≥ 16: EXPLAIN (GENERIC_PLAN). Older: PREPARE it (types inferred by the server) and
//   EXPLAIN EXECUTE with NULLs under plan_cache_mode = force_generic_plan, so the NULLs are never
//   looked at by the planner. Never ANALYZE: the statement would need real values.
// - Parameter-free, PROVABLY read-only (sql-safety.ts, on the text AND on the EXPLAIN VERBOSE plan,
//   which expands views) with analyze 'auto': EXPLAIN (ANALYZE, BUFFERS) inside BEGIN READ ONLY with a
//   statement_timeout, then ROLLBACK. This executes the query once.
// - Everything else (INSERT/UPDATE/DELETE/MERGE included): plain EXPLAIN — plans, executes nothing.
// Every EXPLAIN runs inside BEGIN READ ONLY … ROLLBACK, even without ANALYZE: planning can evaluate
// stable functions for estimates, and a session opened with --allow-writes is not read-only.
import type { StatementPlan, StatementStats } from '../../record/database-probes.ts';
import { planIssues, unwrapPlan } from '../../analysis/postgres/plan-issues.ts';
import { relationOf, walkPlan } from '../../analysis/postgres/plan-node.ts';
import { classifyStatement, verbosePlanIsReadOnly } from '../../analysis/postgres/sql-safety.ts';
import { SPEEDGUARD_SQL_MARKER } from './connect.ts';
import type { DbSession } from './session.ts';

export const DEFAULT_EXPLAIN_TIMEOUT_MS = 10_000;

export interface ExplainOptions {
  analyze: 'auto' | 'never';
  /** statement_timeout for each EXPLAIN (ANALYZE included). Default 10 000 ms. */
  timeoutMs?: number;
}

/** EXPLAIN's JSON: [ { Plan, "Planning Time"?, "Execution Time"? } ] */
interface ExplainTop {
  Plan: unknown;
  'Planning Time'?: number;
  'Execution Time'?: number;
}

let preparedSeq = 0;

function timeoutOf(ms: number | undefined): number {
  const v = ms ?? DEFAULT_EXPLAIN_TIMEOUT_MS;
  if (!Number.isFinite(v) || v <= 0) throw new RangeError(`explain: timeoutMs must be a positive number of milliseconds, got ${ms}`);
  return Math.round(v);
}

/** Runs `fn` inside BEGIN READ ONLY … ROLLBACK with a statement_timeout; always rolls back. */
export async function inReadOnlyTransaction<T>(s: DbSession, timeoutMs: number, fn: () => Promise<T>): Promise<T> {
  await s.query('BEGIN READ ONLY');
  try {
    await s.query(`SET LOCAL statement_timeout = ${Math.round(timeoutMs)}`);
    return await fn();
  } finally {
    await s.query('ROLLBACK').catch(() => {});
  }
}

function topOf(rows: Record<string, unknown>[]): ExplainTop {
  let v = rows[0]?.['QUERY PLAN'];
  if (typeof v === 'string') v = JSON.parse(v);
  const top = Array.isArray(v) ? v[0] : v;
  if (!top || typeof top !== 'object' || !('Plan' in top)) throw new Error('EXPLAIN returned no plan');
  return top as ExplainTop;
}

/**
 * EXPLAIN without executing: the generic plan of a parameterised statement, else the estimated plan.
 * `statement` must be ONE statement (classifyStatement().statement). Runs in a read-only transaction.
 */
export async function explainWithoutExecuting(
  s: DbSession,
  statement: string,
  o: { params: number; verbose?: boolean; timeoutMs?: number },
): Promise<{ top: ExplainTop; mode: 'generic' | 'estimate' }> {
  const timeoutMs = timeoutOf(o.timeoutMs);
  const opts = `${o.verbose ? 'VERBOSE, ' : ''}FORMAT JSON`;
  if (o.params === 0) {
    const top = await inReadOnlyTransaction(s, timeoutMs, async () => topOf(await s.query(`EXPLAIN (${opts}) ${statement}`)));
    return { top, mode: 'estimate' };
  }
  if (s.versionNum >= 160000) {
    const top = await inReadOnlyTransaction(s, timeoutMs, async () => topOf(await s.query(`EXPLAIN (GENERIC_PLAN, ${opts}) ${statement}`)));
    return { top, mode: 'generic' };
  }
  // Before 16: a prepared statement survives ROLLBACK, so it is deallocated after the transaction
  // whatever happened in it (a failed PREPARE — "could not determine data type of parameter $2" —
  // leaves nothing to deallocate).
  const name = `sg_generic_${process.pid}_${++preparedSeq}`;
  let prepared = false;
  try {
    const top = await inReadOnlyTransaction(s, timeoutMs, async () => {
      await s.query('SET LOCAL plan_cache_mode = force_generic_plan');
      await s.query(`PREPARE ${name} AS ${statement}`);
      prepared = true;
      // The server inferred the parameters' number and types; pass that many NULLs.
      const [row] = await s.query<{ n: number }>(
        'SELECT coalesce(cardinality(parameter_types), 0)::int AS n FROM pg_prepared_statements WHERE name = $1',
        [name],
      );
      const n = Number(row?.n ?? o.params);
      const args = n > 0 ? `(${Array.from({ length: n }, () => 'NULL').join(', ')})` : '';
      return topOf(await s.query(`EXPLAIN (${opts}) EXECUTE ${name}${args}`));
    });
    return { top, mode: 'generic' };
  } finally {
    if (prepared) await s.query(`DEALLOCATE ${name}`).catch(() => {});
  }
}

/** reltuples of the tables a plan scans (by name, as the session's search_path sees them). */
async function tableRowsOf(s: DbSession, plan: unknown): Promise<Record<string, number>> {
  const names = [
    ...new Set(
      walkPlan(plan)
        .map((v) => relationOf(v.node))
        .filter((r): r is string => r !== null),
    ),
  ];
  if (names.length === 0) return {};
  const rows = await s.query<{ relname: string; reltuples: number }>(
    `SELECT c.relname, c.reltuples::float8 AS reltuples FROM pg_class c
      WHERE c.relname = ANY($1::text[]) AND c.relkind IN ('r', 'p', 'm') AND pg_table_is_visible(c.oid)`,
    [names],
  );
  // reltuples is -1 for a table never vacuumed or analyzed (PG 14+): unknown, left out.
  return Object.fromEntries(rows.filter((r) => Number(r.reltuples) >= 0).map((r) => [r.relname, Number(r.reltuples)]));
}

const oneLine = (e: unknown): string =>
  String((e as Error)?.message ?? e)
    .replace(/\s+/g, ' ')
    .trim();

function failed(stmt: { queryId: string; query: string }, error: string): StatementPlan {
  return {
    queryId: stmt.queryId,
    query: stmt.query,
    mode: 'estimate',
    plan: null,
    totalCost: 0,
    executionMs: null,
    planningMs: null,
    issues: [],
    error,
  };
}

/**
 * Whether `statement` may be executed by EXPLAIN ANALYZE: read-only by its text and by its
 * EXPLAIN VERBOSE plan (views, policies). Parameterised statements are judged on their generic plan.
 */
export async function provablyReadOnly(
  s: DbSession,
  query: string,
  timeoutMs?: number,
): Promise<{ readOnly: boolean; reason: string | null }> {
  const c = classifyStatement(query);
  if (!c.readOnly) return { readOnly: false, reason: c.reason };
  const verbose = await explainWithoutExecuting(s, c.statement, { params: c.params, verbose: true, timeoutMs });
  return verbosePlanIsReadOnly(unwrapPlan(verbose.top.Plan));
}

/** The plan of one statement, with its issues. Never throws for a statement the server rejects: `error` says why. */
export async function explainStatement(s: DbSession, stmt: { queryId: string; query: string }, o: ExplainOptions): Promise<StatementPlan> {
  const timeoutMs = timeoutOf(o.timeoutMs);
  const c = classifyStatement(stmt.query);
  if (c.kind !== 'select' && c.kind !== 'dml') return failed(stmt, `not explainable: ${c.reason}`);
  try {
    if (o.analyze === 'auto' && c.params === 0 && c.readOnly) {
      const verdict = await provablyReadOnly(s, c.statement, timeoutMs);
      if (verdict.readOnly) {
        try {
          const top = await inReadOnlyTransaction(s, timeoutMs, async () =>
            topOf(await s.query(`EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) ${c.statement}`)),
          );
          return {
            queryId: stmt.queryId,
            query: stmt.query,
            mode: 'analyze',
            plan: top.Plan,
            totalCost: Number((top.Plan as Record<string, unknown>)['Total Cost'] ?? 0),
            executionMs: top['Execution Time'] ?? null,
            planningMs: top['Planning Time'] ?? null,
            issues: planIssues(top.Plan),
            error: null,
          };
        } catch {
          // Too slow for the timeout (57014), or failed while executing (a run-time error, a
          // read-only violation we did not foresee): the estimated plan below still says something.
        }
      }
    }
    const { top, mode } = await explainWithoutExecuting(s, c.statement, { params: c.params, timeoutMs });
    const tableRows = await tableRowsOf(s, top.Plan);
    return {
      queryId: stmt.queryId,
      query: stmt.query,
      mode,
      plan: top.Plan,
      totalCost: Number((top.Plan as Record<string, unknown>)['Total Cost'] ?? 0),
      executionMs: null,
      planningMs: null,
      issues: planIssues(top.Plan, { tableRows }),
      error: null,
    };
  } catch (e) {
    return failed(stmt, oneLine(e));
  }
}

/** Plans of the `limit` (default 10) statements with the most total execution time; speedguard's own statements are skipped. */
export async function explainTopStatements(
  s: DbSession,
  statements: StatementStats[],
  o: { limit?: number; analyze?: 'auto' | 'never'; timeoutMs?: number } = {},
): Promise<StatementPlan[]> {
  const limit = Math.max(0, Math.floor(o.limit ?? 10));
  const top = statements
    .filter((st) => !st.query.includes(SPEEDGUARD_SQL_MARKER))
    .sort((a, b) => b.totalExecMs - a.totalExecMs)
    .slice(0, limit);
  return explainStatements(s, top, o);
}

/** Plans of the given statements, in order (one session: one after another). */
export async function explainStatements(
  s: DbSession,
  statements: Array<{ queryId: string; query: string }>,
  o: { analyze?: 'auto' | 'never'; timeoutMs?: number } = {},
): Promise<StatementPlan[]> {
  const out: StatementPlan[] = [];
  for (const st of statements) out.push(await explainStatement(s, st, { analyze: o.analyze ?? 'auto', timeoutMs: o.timeoutMs }));
  return out;
}
