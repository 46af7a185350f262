// Slow statements: a mean time per call in ASSESSMENT-RULES.md §2's DB bands (> 500 ms medium, > 1 s high, > 2 s
// critical for a simple query); below them, pgHero's bar (≥ 100 calls at ≥ 20 ms mean) makes a
// statement "slow" but only low. Under load, also the statements that take the largest share of the
// database's time even when each call is fast: the load's database cost is mostly theirs.
// Statements an index suggestion explains (≥ 50 % better) are db-missing-index's finding.
import { severityRank, type Severity } from '../record/findings.ts';
import type { Audit, AuditContext, AuditFinding } from './types.ts';
import { ms, pct, round } from '../analysis/format.ts';
import {
  dbView,
  isUtilityStatement,
  meanMsOf,
  PGHERO_SLOW_CALLS,
  PGHERO_SLOW_MS,
  rowsPerCall,
  type DbView,
} from '../analysis/database-figures.ts';
import {
  dbComponent,
  explainedByIndex,
  MAX_FINDINGS_PER_AUDIT,
  milder,
  planOf,
  recheckText,
  statementEvidence,
  statementSeverity,
  statementSummary,
  statementTitle,
} from './support/database.ts';
import type { StatementStats } from '../record/database-probes.ts';

export const DB_SLOW_QUERIES_ID = 'db-slow-queries';
/** Under load, a statement with this share of the database's time is where the load's database cost goes. */
export const HOT_SHARE = 0.3;
/** …and at least this many calls (a single long statement is a slow query, not a hot one). */
export const HOT_MIN_CALLS = 100;
/**
 * …and costing at least this share of the SLO's latency per HTTP request: some statement always has
 * the largest share, which only matters when its time is a visible part of a request.
 */
export const HOT_SLO_SHARE = 0.1;
/**
 * A statement returning this many rows per call is a report or an export, not ASSESSMENT-RULES.md §2's "simple
 * query": its time band is one step milder.
 */
export const NOT_SIMPLE_ROWS = 1000;

interface Judged {
  s: StatementStats;
  severity: Severity;
  why: 'band' | 'pghero' | 'hot';
}

export const dbSlowQueries: Audit = {
  id: DB_SLOW_QUERIES_ID,
  effect: 'objective',
  title: 'Slow database statements',
  run(ctx: AuditContext): AuditFinding[] {
    const v = dbView(ctx.record);
    if (!v || !v.statements.length) return [];
    const explained = explainedByIndex(v);
    const band = ctx.thresholds.dbQueryMs;
    const judged: Judged[] = [];
    for (const s of v.statements) {
      if (s.calls <= 0 || isUtilityStatement(s.query) || explained.has(s.queryId)) continue;
      const mean = meanMsOf(s);
      let sev = statementSeverity(mean, band);
      if (sev) {
        // A handful of calls in a snapshot is a one-off (a migration, a report someone ran): not the application's pace.
        if (rowsPerCall(s) >= NOT_SIMPLE_ROWS || (v.mode === 'snapshot' && s.calls < PGHERO_SLOW_CALLS)) sev = milder(sev);
        judged.push({ s, severity: sev, why: 'band' });
      } else if (s.calls >= PGHERO_SLOW_CALLS && mean >= PGHERO_SLOW_MS) {
        judged.push({ s, severity: 'low', why: 'pghero' });
      } else if (
        v.mode === 'load' &&
        s.shareOfTotal >= HOT_SHARE &&
        s.calls >= HOT_MIN_CALLS &&
        (perHttpRequest(v, s) ?? 0) >= HOT_SLO_SHARE * ctx.record.config.slo.latencyMs
      ) {
        judged.push({ s, severity: 'low', why: 'hot' });
      }
    }
    judged.sort((a, b) => severityRank(a.severity) - severityRank(b.severity) || b.s.totalExecMs - a.s.totalExecMs);
    const shown = judged.slice(0, MAX_FINDINGS_PER_AUDIT);
    return shown.map((j, i) => finding(v, j, i === shown.length - 1 ? judged.length - shown.length : 0, band));
  },
};

function finding(v: DbView, j: Judged, more: number, band: { p0: number; p1: number; p2: number }): AuditFinding {
  const { s } = j;
  const mean = meanMsOf(s);
  const plan = planOf(v, s.queryId);
  const planNote = plan?.issues.length
    ? ` Its plan shows: ${plan.issues
        .slice(0, 3)
        .map((x) => x.detail)
        .join('; ')}.`
    : '';
  const rest = more > 0 ? ` (${more} more statement(s) met this audit's bar; see the Database section of the report.)` : '';
  const perRequest = v.mode === 'load' ? perHttpRequest(v, s) : null;
  const evidence = statementEvidence(v, s);
  if (perRequest !== null)
    evidence.push({
      label: 'time in this statement per HTTP request',
      value: round(perRequest, 3),
      unit: 'ms',
      ...(v.phase ? { phase: v.phase } : {}),
    });
  evidence.push({ label: 'statement', value: s.query.slice(0, 300) });

  const title =
    j.why === 'hot'
      ? `${pct(s.shareOfTotal)} of the database's time under load goes to one statement: ${statementTitle(s)}`
      : `Slow query (mean ${ms(mean)}): ${statementTitle(s)}`;
  const why =
    j.why === 'band'
      ? `Its mean time per call is above ASSESSMENT-RULES.md §2's ${ms(band.p2)} band for a simple ` +
        (`query` +
          (rowsPerCall(s) >= NOT_SIMPLE_ROWS
            ? ` (one step milder: it returns ${round(rowsPerCall(s), 0)} rows per call, more a report than a simple query)`
            : v.mode === 'snapshot' && s.calls < PGHERO_SLOW_CALLS
              ? ` (one step milder: only ${s.calls} calls since the statistics were reset, possibly a one-off)`
              : '') +
          `.`)
      : j.why === 'pghero'
        ? `It is slow by pgHero's bar (≥ ${PGHERO_SLOW_CALLS} calls at ≥ ${PGHERO_SLOW_MS} ms each), below ASSESSMENT-RULES.md §2's bands.`
        : `Each call is fast, but it ran so often under the load that it took ${pct(s.shareOfTotal)} of all statement time, ` +
          `${ms(perRequest ?? 0)} per HTTP request.`;
  return {
    audit: DB_SLOW_QUERIES_ID,
    title,
    type: 'database',
    severity: j.severity,
    confidence: round(confidenceOf(v, s, j), 2),
    component: dbComponent(v, `statement ${s.queryId}`),
    description:
      `${v.mode === 'load' ? 'Under the load' : 'Since the statistics were last reset'}: ${statementSummary(s)}. ` +
      `${why}${planNote}${rest}`,
    evidence,
    location: null,
    rootCause:
      j.why === 'hot'
        ? 'The application runs this statement for (nearly) every request, possibly more than once: its total, not its speed, is the cost.'
        : plan?.issues.length
          ? `The plan does more work than the result needs: ${plan.issues[0]!.detail}.`
          : 'The statement reads or computes more than its result needs (scan, sort or join over many rows), or waits on locks or I/O.',
    impact: {
      responseTimeIncrease: perRequest !== null ? `≈ ${ms(perRequest)} of database time per HTTP request.` : `Each call takes ${ms(mean)}.`,
      resourceWaste: `${ms(s.totalExecMs)} of database time${v.mode === 'load' ? ' during the load' : ' since the statistics were reset'}.`,
    },
    recommendation: {
      approach:
        j.why === 'hot'
          ? 'Call it less: cache its result (it is read far more often than it changes?), fetch what several calls fetch in one (a ' +
            'JOIN or = ANY($1)), or make each call cheaper (covering index, fewer columns).'
          : `EXPLAIN (ANALYZE, BUFFERS) the statement with typical ` +
            `parameters${plan?.issues.length ? " (speedguard's plan is in the report)" : ''}; add the index its filter or sort needs, ` +
            `fetch fewer rows or columns, and keep statistics fresh (ANALYZE); run speedguard db --allow-writes to measure candidate ` +
            `indexes.`,
      expectedImprovement:
        j.why === 'hot'
          ? `Up to ${pct(s.shareOfTotal)} less database time at the same load.`
          : `The statement back under ${ms(Math.min(band.p2, 100))} per call (ASSESSMENT-RULES.md §3 aims for < 100 ms average); ` +
            `${ms(s.totalExecMs)} of database time saved${v.mode === 'load' ? ' per run of this load' : ''}.`,
      effort: 'medium',
      testingRequired: recheckText(v),
      rollbackPlan: 'Revert the query change or DROP INDEX CONCURRENTLY the new index.',
    },
  };
}

function confidenceOf(v: DbView, s: StatementStats, j: Judged): number {
  let c = s.calls >= PGHERO_SLOW_CALLS ? 0.85 : s.calls >= 10 ? 0.7 : 0.55;
  if (j.why === 'hot') c -= 0.1;
  if (v.mode === 'snapshot') c -= 0.05; // cumulative since a reset we cannot date: may describe old traffic
  return c;
}

function perHttpRequest(v: DbView, s: StatementStats): number | null {
  const http = (v.probes.windows ?? []).reduce((t, w) => t + (w.httpRequests || 0), 0);
  return http > 0 ? s.totalExecMs / http : null;
}
