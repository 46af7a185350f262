// What the plans of the top statements show (explain.ts marks the nodes; the heuristics are
// postgres-ai/joe's and pev2's): row misestimates of 10× / 100× / 1000× (stale or missing
// statistics: the planner picks the wrong join or scan), sorts and hashes spilling to disk
// (work_mem), nested loops running their inner side thousands of times, heavy buffer reads for few
// rows, index scans that still filter many rows, heap fetches on index-only scans (visibility map).
// Sequential scans removing rows by filter are db-missing-index's. One finding per statement.
// A plan issue is a cause, not a measured slowdown: at most medium here (the time bands belong to
// db-slow-queries), raised one step when the statement itself is slow or hot.
import { compareFindings, maxSeverity, type Evidence, type Severity } from '../record/findings.ts';
import type { Audit, AuditContext, AuditFinding } from './types.ts';
import { ms, round } from '../analysis/format.ts';
import { dbView, meanMsOf, PGHERO_SLOW_CALLS, PGHERO_SLOW_MS, shortSql, type DbView } from '../analysis/database-figures.ts';
import { dbComponent, MAX_FINDINGS_PER_AUDIT, recheckText, statementById, statementTitle } from './support/database.ts';
import type { PlanNodeIssue, StatementPlan } from '../record/database-probes.ts';

export const DB_PLAN_ISSUES_ID = 'db-plan-issues';
/** Misestimate buckets (pev-style viewers): 1000× medium, 100× low, 10× info. */
export const MISESTIMATE_MEDIUM = 1000;
export const MISESTIMATE_LOW = 100;
export const MISESTIMATE_NOTE = 10;
/** Nested loops: inner side executed this many times → medium (fewer already flagged by explain.ts → low). */
export const NESTED_LOOPS_MEDIUM = 100_000;
/** Spills writing more than this many 8 kB blocks (≈ 80 MB) → medium. */
export const SPILL_BLOCKS_MEDIUM = 10_000;

const worse = (a: Severity, b: Severity | null): Severity => maxSeverity(a, b) ?? a;

export function issueSeverity(i: PlanNodeIssue): Severity {
  const f = i.figures ?? {};
  switch (i.kind) {
    case 'misestimate': {
      const factor = i.factor ?? 0;
      return factor >= MISESTIMATE_MEDIUM ? 'medium' : factor >= MISESTIMATE_LOW ? 'low' : 'info';
    }
    case 'spill':
      return spillKb(f) > SPILL_BLOCKS_MEDIUM * 8 ? 'medium' : 'low';
    case 'nested-loop':
      return innerLoops(f) >= NESTED_LOOPS_MEDIUM ? 'medium' : 'low';
    case 'heap-fetches':
      return 'info';
    default:
      return 'low';
  }
}

/** kB a spill wrote (plan-issues.ts figures: temp blocks of 8 kB, or the sort's / hash's disk use). */
function spillKb(f: Record<string, number>): number {
  return Math.max((f.tempWrittenBlocks ?? 0) * 8, f.sortDiskKb ?? 0, f.diskKb ?? 0);
}
/** Inner-side executions of a nested loop (measured, else estimated). */
function innerLoops(f: Record<string, number>): number {
  return f.innerLoops ?? f.estimatedInnerLoops ?? 0;
}

/** What to do about each kind of issue (one sentence each, specific to the node). */
export function issueAdvice(i: PlanNodeIssue, workMemKb: number | null): string {
  const rel = i.relation ?? 'the table';
  const f = i.figures ?? {};
  switch (i.kind) {
    case 'misestimate':
      return (
        `ANALYZE ${rel} (statistics may be stale); if the estimate stays off, the filter's columns are correlated: CREATE ` +
        `STATISTICS ${rel.replace(/\W+/g, '_')}_stats (dependencies, ndistinct) ON <the filter's columns> FROM ${rel}; then ANALYZE, ` +
        `or raise the column's statistics target (ALTER TABLE … ALTER COLUMN … SET STATISTICS 1000).`
      );
    case 'spill': {
      const needKb = spillKb(f);
      const suggest = needKb > 0 ? `${Math.ceil((needKb * 1.5) / 1024)}MB` : 'a larger value';
      return (
        `The ${i.nodeType} spills to ` +
        `disk${needKb ? ` (${round(needKb / 1024, 1)} MB)` : ''}${workMemKb ? ` with work_mem = ${workMemKb} kB` : ''}: raise work_mem ` +
        `for this statement only (SET LOCAL work_mem = '${suggest}' in its transaction, or per role), or sort/hash fewer rows (filter ` +
        `earlier, an index providing the order).`
      );
    }
    case 'nested-loop':
      return (
        `The nested loop runs its inner side ${innerLoops(f) ? Math.round(innerLoops(f)).toLocaleString('en-US') : 'many'} times: ` +
        `index the inner side's join key${i.relation ? ` on ${rel}` : ''}, or fix the row estimate (ANALYZE) so the planner picks a ` +
        `hash or merge join.`
      );
    case 'heavy-buffers':
      return (
        `The node reads many buffers for few rows: a more selective or covering index (INCLUDE the selected columns), or fetch ` +
        `fewer rows/columns.`
      );
    case 'index-filter':
      return (
        `The index scan on ${rel} still filters many rows after the index: a multicolumn index with the filtered column(s) after ` +
        `the indexed ones, or a partial index (WHERE …) for the common case.`
      );
    case 'heap-fetches':
      return (
        `The index-only scan on ${rel} visits the heap: VACUUM ${rel} (the visibility map is stale); tune autovacuum for it if ` +
        `this recurs.`
      );
    default:
      return i.detail;
  }
}

export const dbPlanIssues: Audit = {
  id: DB_PLAN_ISSUES_ID,
  effect: 'objective',
  title: 'Database plan problems',
  run(ctx: AuditContext): AuditFinding[] {
    const v = dbView(ctx.record);
    if (!v) return [];
    const out: AuditFinding[] = [];
    for (const p of v.probes.plans ?? []) {
      const issues = (p.issues ?? []).filter((i) => i.kind !== 'seq-scan-filter');
      if (!issues.length || p.error) continue;
      const f = finding(v, p, issues);
      if (f) out.push(f);
    }
    out.sort(compareFindings);
    return out.slice(0, MAX_FINDINGS_PER_AUDIT);
  },
};

function finding(v: DbView, p: StatementPlan, issues: PlanNodeIssue[]): AuditFinding | null {
  let severity: Severity = 'info';
  for (const i of issues) severity = worse(severity, issueSeverity(i));
  const s = statementById(v, p.queryId);
  const slow = s
    ? s.calls >= PGHERO_SLOW_CALLS && meanMsOf(s) >= PGHERO_SLOW_MS
    : p.executionMs !== null && p.executionMs >= PGHERO_SLOW_MS;
  const hot = s && v.mode === 'load' && s.shareOfTotal >= 0.2;
  if (slow || hot) severity = severity === 'low' ? 'medium' : severity === 'info' ? 'low' : severity;
  // A 10× misestimate on a fast statement is a note, not a finding: nothing to act on.
  if (severity === 'info') return null;
  const workMem = v.probes.server?.settings?.workMemKb ?? null;
  const kinds = [...new Set(issues.map((i) => i.kind))];
  const evidence: Evidence[] = issues
    .slice(0, 6)
    .map((i) => ({ label: `${i.nodeType}${i.relation ? ` on ${i.relation}` : ''}`, value: i.detail }));
  for (const i of issues)
    if (i.kind === 'misestimate' && i.factor)
      evidence.push({ label: `row estimate off by (${i.relation ?? i.nodeType})`, value: round(i.factor, 0), unit: '×' });
  evidence.push({
    label: 'plan',
    value:
      p.mode === 'analyze'
        ? 'EXPLAIN ANALYZE (read-only transaction)'
        : p.mode === 'generic'
          ? 'generic plan (no execution: estimates only)'
          : 'estimate (no execution)',
  });
  if (p.executionMs !== null) evidence.push({ label: 'execution time in the plan', value: round(p.executionMs, 3), unit: 'ms' });
  if (s)
    evidence.push(
      { label: 'calls', value: s.calls, unit: 'count' },
      { label: 'mean time per call', value: round(meanMsOf(s), 3), unit: 'ms' },
    );
  evidence.push({ label: 'statement', value: p.query.slice(0, 300) });
  const label: Record<string, string> = {
    misestimate: 'row misestimate',
    spill: 'spill to disk',
    'nested-loop': 'nested loop with many loops',
    'heavy-buffers': 'heavy buffer reads',
    'index-filter': 'index scan filtering many rows',
    'heap-fetches': 'heap fetches on an index-only scan',
  };
  const advice = [...new Set(issues.map((i) => issueAdvice(i, workMem)))];
  return {
    audit: DB_PLAN_ISSUES_ID,
    title: `Plan problems (${kinds.map((k) => label[k] ?? k).join(', ')}): ${statementTitle(p)}`,
    type: 'database',
    severity,
    confidence: p.mode === 'analyze' ? 0.8 : 0.55,
    component: dbComponent(v, `statement ${p.queryId}`),
    description:
      `The plan of "${shortSql(p.query, 100)}"${s ? ` (${s.calls} calls, mean ${ms(meanMsOf(s))})` : ''} shows: ` +
      (issues.map((i) => i.detail).join('; ') +
        `.` +
        (p.mode !== 'analyze' ? ' Estimates only: the statement was not executed (parameterised or not read-only).' : '')),
    evidence,
    location: null,
    rootCause: kinds.includes('misestimate')
      ? "The planner's row estimates are far from the actual rows, so it chooses join methods and scans for the wrong sizes."
      : kinds.includes('spill')
        ? 'A sort or hash does not fit in work_mem and writes temporary files.'
        : 'The plan does far more work per row returned than needed.',
    impact: { resourceWaste: 'Extra CPU, I/O or temporary files on every call of this statement.' },
    recommendation: {
      approach: advice.join(' '),
      expectedImprovement: kinds.includes('misestimate')
        ? 'With accurate estimates the planner picks the cheaper plan: often an order of magnitude on joins that were nested loops ' +
          'over many rows.'
        : kinds.includes('spill')
          ? 'The sort/hash stays in memory: no temporary-file I/O.'
          : 'Less work per call, in proportion to the rows no longer read.',
      effort: 'low',
      testingRequired: `EXPLAIN (ANALYZE, BUFFERS) the statement again: the flagged node must be gone. ${recheckText(v)}`,
      rollbackPlan: 'DROP STATISTICS / RESET work_mem / DROP INDEX CONCURRENTLY what was added.',
    },
  };
}
