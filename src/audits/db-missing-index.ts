// Missing indexes, from three sources, most certain first:
// 1. index suggestions (index-advice.ts): a ready CREATE INDEX CONCURRENTLY and its measured or
//    estimated gain — measured (a real index in a rolled-back transaction, --allow-writes) > HypoPG
//    (planner cost with a hypothetical index) > heuristic (the plan's shape only);
// 2. plans whose sequential scan removes most rows by a filter (no suggestion for that table);
// 3. pgHero's table rule: sequential scans on ≥ 10,000 live rows with < 95 % of scans by index.
// Severity comes from the statements the index would help (ASSESSMENT-RULES.md §2's DB bands on their mean time),
// so a healthy database never gets a P0/P1 here.
import { compareFindings, maxSeverity, severityRank, type Evidence, type Severity } from '../record/findings.ts';
import type { Audit, AuditContext, AuditFinding } from './types.ts';
import { bytes, ms, pct, round } from '../analysis/format.ts';
import { dbView, meanMsOf, PGHERO_SLOW_CALLS, PGHERO_SLOW_MS, shortGain, shortSql, type DbView } from '../analysis/database-figures.ts';
import {
  dbComponent,
  MAX_FINDINGS_PER_AUDIT,
  qualified,
  quoteIdent,
  recheckText,
  statementById,
  statementSeverity,
  suggestionGain,
} from './support/database.ts';
import type { IndexSuggestion, PlanNodeIssue, StatementStats } from '../record/database-probes.ts';
import { agentQueryId } from '../probes/postgres/agent-statements.ts';

export const DB_MISSING_INDEX_ID = 'db-missing-index';
/** pgHero's "missing index" rule (lib/pghero/methods/indexes.rb): big tables read mostly by sequential scans. */
export const MIN_LIVE_ROWS = 10_000;
export const MIN_INDEX_SHARE = 0.95;
/** A suggestion that removes less than this share of time or cost is not worth an index's write cost. */
export const MIN_GAIN = 0.3;
/** Under load, this many sequential scans of a big table per HTTP request make it medium. */
export const SEQ_SCANS_PER_REQUEST = 0.5;
/** A statement seen by the agent (no pg_stat_statements) taking this share of its requests' time makes the index medium. */
export const AGENT_SHARE_MEDIUM = 0.2;

const worse = (a: Severity, b: Severity | null): Severity => maxSeverity(a, b) ?? a;

export const dbMissingIndex: Audit = {
  id: DB_MISSING_INDEX_ID,
  effect: 'objective',
  title: 'Missing database index',
  run(ctx: AuditContext): AuditFinding[] {
    const v = dbView(ctx.record);
    if (!v) return [];
    const out: AuditFinding[] = [];
    const covered = new Set<string>(); // "schema.table" already reported
    const band = ctx.thresholds.dbQueryMs;

    for (const sg of v.probes.indexSuggestions ?? []) {
      const gain = suggestionGain(sg);
      if (gain !== null && gain < MIN_GAIN) continue;
      out.push(fromSuggestion(v, sg, gain, band));
      covered.add(`${sg.schema}.${sg.table}`);
    }

    // Plans' seq scans removing rows by filter, on tables no suggestion covers: one finding per table.
    const byTable = new Map<string, Array<{ issue: PlanNodeIssue; queryId: string; query: string }>>();
    for (const p of v.probes.plans ?? []) {
      for (const issue of p.issues ?? []) {
        if (issue.kind !== 'seq-scan-filter' || !issue.relation) continue;
        const key = tableKey(v, issue.relation);
        if (covered.has(key)) continue;
        const list = byTable.get(key) ?? [];
        list.push({ issue, queryId: p.queryId, query: p.query });
        byTable.set(key, list);
      }
    }
    for (const [key, list] of byTable) {
      out.push(fromPlans(v, key, list, band));
      covered.add(key);
    }

    for (const t of seqScannedTables(v)) {
      const key = `${t.schema}.${t.table}`;
      if (covered.has(key)) continue;
      out.push(fromTable(v, t));
    }
    out.sort(compareFindings);
    return out.slice(0, MAX_FINDINGS_PER_AUDIT * 2);
  },
};

/** "public.orders" for a relation name as a plan writes it (unqualified: the table list decides the schema). */
function tableKey(v: DbView, relation: string): string {
  if (relation.includes('.')) return relation;
  const t = (v.probes.tables ?? []).find((x) => x.table === relation);
  return `${t?.schema ?? 'public'}.${relation}`;
}

/**
 * Severity from the statements an index helps: ASSESSMENT-RULES.md §2's band on the slowest, else pgHero's bar → medium if hot, low
 * otherwise.
 */
function severityFor(v: DbView, statements: StatementStats[], band: { p0: number; p1: number; p2: number }): Severity {
  let sev: Severity = 'low';
  for (const s of statements) {
    const b = statementSeverity(meanMsOf(s), band);
    if (b) sev = worse(sev, b);
    else if ((s.calls >= PGHERO_SLOW_CALLS && meanMsOf(s) >= PGHERO_SLOW_MS) || (v.mode === 'load' && s.shareOfTotal >= 0.2))
      sev = worse(sev, 'medium');
  }
  return sev;
}

/** The statement without a trailing semicolon (the collectors may or may not end it with one). */
const bare = (sql: string) => sql.replace(/;\s*$/, '');

const METHOD_TEXT: Record<IndexSuggestion['method'], string> = {
  measured:
    'measured: the index was really built inside a transaction that was rolled back, and the statement run with EXPLAIN ANALYZE ' +
    'before and after (--allow-writes)',
  hypopg: 'estimated by the planner with a hypothetical index (HypoPG): planner cost, not a measured time',
  heuristic:
    "inferred from the plan's shape only (filter columns of a sequential scan): not measured; confirm with HypoPG or speedguard db " +
    '--allow-writes',
};
const METHOD_CONFIDENCE: Record<IndexSuggestion['method'], number> = { measured: 0.9, hypopg: 0.75, heuristic: 0.5 };

function fromSuggestion(v: DbView, sg: IndexSuggestion, gain: number | null, band: { p0: number; p1: number; p2: number }): AuditFinding {
  const statements = (sg.queryIds ?? []).map((q) => statementById(v, q)).filter((s): s is StatementStats => !!s);
  // Statements only the agent saw (no pg_stat_statements): its N+1 groups give their text and cost per request.
  const seen = (v.probes.nPlusOne ?? []).filter((g) => sg.queryIds.includes(agentQueryId(g.statement)));
  let severity = severityFor(v, statements, band);
  if (seen.some((g) => g.shareOfRequest >= AGENT_SHARE_MEDIUM)) severity = worse(severity, 'medium');
  // A heuristic guess cannot carry a P0/P1 on its own: nothing was measured.
  if (sg.method === 'heuristic' && severityRank(severity) < severityRank('medium')) severity = 'medium';
  const tableName = qualified(sg.schema, sg.table);
  const cols = sg.columns.join(', ');
  const t = (v.probes.tables ?? []).find((x) => x.schema === sg.schema && x.table === sg.table);
  const seqIssue = (v.probes.plans ?? [])
    .flatMap((p) => (sg.queryIds.includes(p.queryId) ? p.issues : []))
    .find((i) => i.kind === 'seq-scan-filter');
  const evidence: Evidence[] = [];
  if (seqIssue) evidence.push({ label: 'plan', value: seqIssue.detail });
  const one = statements.length === 1;
  statements.slice(0, 3).forEach((s, i) => {
    const who = one ? 'statement' : `statement ${i + 1}`;
    evidence.push(
      { label: `${who}: mean time`, value: round(meanMsOf(s), 3), unit: 'ms' },
      { label: `${who}: calls`, value: s.calls, unit: 'count' },
    );
  });
  evidence.push({ label: 'how the gain was judged', value: sg.method });
  if (sg.msBefore !== null && sg.msAfter !== null)
    evidence.push(
      { label: 'execution time before', value: round(sg.msBefore, 3), unit: 'ms' },
      { label: 'execution time with the index', value: round(sg.msAfter, 3), unit: 'ms' },
    );
  if (sg.costBefore !== null && sg.costAfter !== null)
    evidence.push(
      { label: 'planner cost before', value: round(sg.costBefore, 1) },
      { label: 'planner cost with the index', value: round(sg.costAfter, 1) },
    );
  if (gain !== null)
    evidence.push({
      label: sg.msBefore !== null && sg.msAfter !== null ? 'time removed' : 'cost removed',
      value: round(gain * 100, 1),
      unit: '%',
    });
  if (t)
    evidence.push(
      { label: `${tableName}: live rows (counted by the statistics, not the planner's estimate)`, value: t.nLiveTup, unit: 'count' },
      { label: `${tableName}: sequential scans`, value: t.seqScan, unit: 'count' },
    );
  evidence.push({ label: 'index to create', value: `${bare(sg.createStatement)};` });

  for (const g of seen.slice(0, 2))
    evidence.push(
      { label: `statement seen by the agent in ${g.endpoint}: time per request`, value: round(g.msPerRequest, 3), unit: 'ms' },
      { label: 'its executions per request', value: round(g.perRequestMean, 1), unit: 'count' },
    );
  if (sg.estimatedCostAfter !== undefined && sg.costBefore !== null)
    evidence.push({
      label: 'plan cost with the index (estimated from the cost formulas, no HypoPG)',
      value: round(sg.estimatedCostAfter, 1),
    });
  const helped = statements.length
    ? statements.map((s) => `"${shortSql(s.query, 70)}" (${s.calls} calls, mean ${ms(meanMsOf(s))})`).join('; ')
    : seen.length
      ? seen
          .map(
            (g) =>
              `"${shortSql(g.statement, 70)}" (seen by the agent: ${round(g.perRequestMean, 1)}× per request in ${g.endpoint}, ` +
              `${ms(g.msPerRequest)} per request)`,
          )
          .join('; ')
      : `${sg.queryIds.length} statement(s)`;
  const estimated =
    sg.method === 'heuristic' && sg.estimatedCostAfter !== undefined && sg.costBefore !== null
      ? `planner cost ${round(sg.costBefore, 1).toLocaleString('en-US')} → ~${round(sg.estimatedCostAfter, 1).toLocaleString('en-US')} ` +
        `(estimated)`
      : null;
  const writeCost = t
    ? ` The table holds ${t.nLiveTup.toLocaleString('en-US')} live rows (${bytes(t.sizeBytes)}): the index adds work to every write of ` +
      `it.${staleEstimate(seqIssue?.figures.tableRows, t.nLiveTup, tableName)}`
    : ' The index adds work to every write of the table.';
  return {
    audit: DB_MISSING_INDEX_ID,
    title:
      `Missing index on ${tableName} (${cols}): ` +
      (estimated ??
        (sg.method === 'heuristic' && seqIssue
          ? seqIssue.detail
          : `${shortGain(sg)}${sg.method === 'heuristic' ? '' : ` (${sg.method})`}`)),
    type: 'database',
    severity,
    confidence: METHOD_CONFIDENCE[sg.method] ?? 0.5,
    component: dbComponent(v, `table ${tableName}`),
    description:
      `An index on ${tableName} (${cols}) would serve ${helped}. Expected: ${sg.expectedImprovement} — ` +
      `${METHOD_TEXT[sg.method] ?? sg.method}.${writeCost}`,
    evidence,
    location: null,
    rootCause: seqIssue
      ? `No index matches the statement's filter: ${seqIssue.detail}.`
      : `No index on ${tableName} matches the statements' filter or sort on (${cols}).`,
    impact: {
      responseTimeIncrease: statements.length
        ? `The statements take ${statements.map((s) => ms(meanMsOf(s))).join(', ')} per call.`
        : undefined,
      resourceWaste: 'Every call reads (much of) the table instead of the few rows it returns.',
    },
    recommendation: {
      approach: `${bare(sg.createStatement)};  (CONCURRENTLY does not block writes; it cannot run inside a transaction block.)`,
      expectedImprovement:
        `${sg.expectedImprovement} ` +
        (`(` +
          (sg.method === 'measured'
            ? 'measured with EXPLAIN ANALYZE before/after'
            : sg.method === 'hypopg'
              ? 'HypoPG planner estimate, not a measured time'
              : estimated
                ? 'estimated from the cost formulas: not measured'
                : 'heuristic: not measured') +
          `).`),
      effort: 'low',
      testingRequired: `${recheckText(v)} Check the plan uses the index (EXPLAIN) and that write latency on ${tableName} stays acceptable.`,
      rollbackPlan: `DROP INDEX CONCURRENTLY ${createdName(sg) ?? `<the new index's name> (see \\d ${tableName})`};`,
    },
  };
}

/** The index name a CREATE INDEX statement gives, if it names one. */
function createdName(sg: IndexSuggestion): string | null {
  const m = /^\s*CREATE\s+(?:UNIQUE\s+)?INDEX\s+(?:CONCURRENTLY\s+)?(?:IF\s+NOT\s+EXISTS\s+)?("(?:[^"]|"")+"|[^\s(]+)\s+ON\b/i.exec(
    sg.createStatement,
  );
  if (!m || /^ON$/i.test(m[1]!)) return null;
  // An index lives in its table's schema: outside public, DROP needs it qualified.
  return sg.schema && sg.schema !== 'public' && !m[1]!.includes('.') ? `${quoteIdent(sg.schema)}.${m[1]}` : m[1]!;
}

function fromPlans(
  v: DbView,
  key: string,
  list: Array<{ issue: PlanNodeIssue; queryId: string; query: string }>,
  band: { p0: number; p1: number; p2: number },
): AuditFinding {
  const [schema, ...rest] = key.split('.');
  const name = qualified(schema!, rest.join('.'));
  const statements = [...new Set(list.map((x) => x.queryId))].map((q) => statementById(v, q)).filter((s): s is StatementStats => !!s);
  let severity = severityFor(v, statements, band);
  // Capped: no index was tried, a lead rather than a measured cure.
  if (severityRank(severity) < severityRank('medium')) severity = 'medium';
  const first = list[0]!;
  const removed = list.reduce((m, x) => Math.max(m, x.issue.figures?.rowsRemoved ?? x.issue.figures?.['Rows Removed by Filter'] ?? 0), 0);
  const evidence: Evidence[] = list.slice(0, 4).map((x) => ({ label: `plan of statement ${x.queryId}`, value: x.issue.detail }));
  if (removed) evidence.push({ label: 'rows removed by the filter (largest)', value: removed, unit: 'count' });
  for (const s of statements.slice(0, 2))
    evidence.push({ label: `statement ${s.queryId}: mean time`, value: round(meanMsOf(s), 3), unit: 'ms' });
  return {
    audit: DB_MISSING_INDEX_ID,
    title: `Sequential scan filtering ${name}: likely a missing index`,
    type: 'database',
    severity,
    confidence: 0.45,
    component: dbComponent(v, `table ${name}`),
    description:
      `The plan of "${shortSql(first.query, 90)}"${list.length > 1 ? ` and ${list.length - 1} other plan(s)` : ''} reads ` +
      `${name} sequentially and throws most rows away by a filter: ${first.issue.detail}. No index suggestion was measured for it ` +
      `(HypoPG absent and --allow-writes not given, or no candidate column found).`,
    evidence,
    location: null,
    rootCause: `No index on ${name} matches the filter.`,
    impact: { resourceWaste: 'Each call reads the whole table to return a few rows; the cost grows with the table.' },
    recommendation: {
      approach:
        `CREATE INDEX CONCURRENTLY ON ${name} (<the filter's column(s), most selective first>); then check EXPLAIN uses it. ` +
        `Measure first: speedguard db --allow-writes (rolled back) or install HypoPG.`,
      expectedImprovement:
        'An index scan reads only the matching rows: typically from time proportional to the table to near-constant time per call.',
      effort: 'low',
      testingRequired: recheckText(v),
      rollbackPlan: 'DROP INDEX CONCURRENTLY the new index.',
    },
  };
}

interface ScannedTable {
  schema: string;
  table: string;
  seqScan: number;
  idxScan: number;
  nLiveTup: number;
  sizeBytes: number;
  seqTupRead: number;
}

/** pgHero's rule, on the load's scans (windows) when there are any, else on the cumulative table statistics. */
function seqScannedTables(v: DbView): ScannedTable[] {
  const tables = v.probes.tables ?? [];
  const out: ScannedTable[] = [];
  if (v.mode === 'load' && (v.probes.windows ?? []).some((w) => w.tableScans?.length)) {
    const sum = new Map<string, { seqScan: number; idxScan: number; seqTupRead: number }>();
    for (const w of v.probes.windows) {
      for (const s of w.tableScans ?? []) {
        const k = `${s.schema}.${s.table}`;
        const e = sum.get(k) ?? { seqScan: 0, idxScan: 0, seqTupRead: 0 };
        e.seqScan += s.seqScan;
        e.idxScan += s.idxScan;
        e.seqTupRead += s.seqTupRead;
        sum.set(k, e);
      }
    }
    for (const [k, e] of sum) {
      const t = tables.find((x) => `${x.schema}.${x.table}` === k);
      if (!t) continue;
      out.push({ schema: t.schema, table: t.table, nLiveTup: t.nLiveTup, sizeBytes: t.sizeBytes, ...e });
    }
  } else {
    for (const t of tables)
      out.push({
        schema: t.schema,
        table: t.table,
        seqScan: t.seqScan,
        idxScan: t.idxScan,
        nLiveTup: t.nLiveTup,
        sizeBytes: t.sizeBytes,
        seqTupRead: t.seqTupRead,
      });
  }
  return out
    .filter((t) => t.nLiveTup >= MIN_LIVE_ROWS && t.seqScan > 0 && t.idxScan / (t.seqScan + t.idxScan) < MIN_INDEX_SHARE)
    .sort((a, b) => b.seqTupRead - a.seqTupRead);
}

function fromTable(v: DbView, t: ScannedTable): AuditFinding {
  const name = qualified(t.schema, t.table);
  const share = t.idxScan / (t.seqScan + t.idxScan);
  const http = (v.probes.windows ?? []).reduce((s, w) => s + (w.httpRequests || 0), 0);
  const perRequest = v.mode === 'load' && http > 0 ? t.seqScan / http : null;
  const severity: Severity = perRequest !== null && perRequest >= SEQ_SCANS_PER_REQUEST ? 'medium' : 'low';
  const suspects = v.statements
    .filter((s) => new RegExp(`\\b${t.table.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\b`, 'i').test(s.query))
    .slice(0, 3);
  const evidence: Evidence[] = [
    { label: 'live rows', value: t.nLiveTup, unit: 'count' },
    { label: 'sequential scans', value: t.seqScan, unit: 'count' },
    { label: 'index scans', value: t.idxScan, unit: 'count' },
    { label: 'share of scans using an index', value: round(share * 100, 1), unit: '%' },
    { label: 'rows read by sequential scans', value: t.seqTupRead, unit: 'count' },
    { label: 'table size', value: t.sizeBytes, unit: 'bytes' },
  ];
  if (perRequest !== null) evidence.push({ label: 'sequential scans per HTTP request', value: round(perRequest, 3), unit: 'count' });
  return {
    audit: DB_MISSING_INDEX_ID,
    title: `${name} is read by sequential scans (${pct(1 - share)} of scans, ${t.nLiveTup.toLocaleString('en-US')} rows)`,
    type: 'database',
    severity,
    confidence: v.mode === 'load' ? 0.6 : 0.5,
    component: dbComponent(v, `table ${name}`),
    description:
      `${name} has ${t.nLiveTup.toLocaleString('en-US')} live rows and only ${pct(share)} of its scans used an ` +
      `index${v.mode === 'load' ? ' during the load' : ' since the statistics were reset'} (pgHero flags < ${pct(MIN_INDEX_SHARE)} on ` +
      `≥ ${MIN_LIVE_ROWS.toLocaleString('en-US')} ` +
      `rows).${suspects.length ? ` Statements that read it: ${suspects.map((s) => `"${shortSql(s.query, 70)}"`).join('; ')}.` : ''}`,
    evidence,
    location: null,
    rootCause: 'Statements filter or join on columns of this table that no index covers (or the planner judges an index not worth it).',
    impact: { resourceWaste: `${t.seqTupRead.toLocaleString('en-US')} rows read by sequential scans.` },
    recommendation: {
      approach:
        `Find the statements that scan ${name} (EXPLAIN them; speedguard db lists their plans) and add the index their ` +
        `WHERE/JOIN columns need: CREATE INDEX CONCURRENTLY ON ${name} (…). Measure candidates with speedguard db --allow-writes or ` +
        `HypoPG.`,
      expectedImprovement: 'Sequential scans replaced by index scans: reads proportional to the rows returned, not to the table.',
      effort: 'medium',
      testingRequired: recheckText(v),
      rollbackPlan: 'DROP INDEX CONCURRENTLY the new index.',
    },
  };
}

/** Planner row counts further than this share from the live rows are called stale. */
const STALE_ESTIMATE_SHARE = 0.2;

/**
 * The plan's row count is the planner's estimate (pg_class.reltuples, as of the last ANALYZE); the
 * live rows are counted as rows change. When they disagree the finding says which is which, so two
 * different row counts for one table (41,326 and 82,652) are not left unexplained.
 */
function staleEstimate(planned: number | undefined, live: number, table: string): string {
  if (planned === undefined || live <= 0 || Math.abs(planned - live) <= STALE_ESTIMATE_SHARE * live) return '';
  return (
    ` The plan's ${planned.toLocaleString('en-US')} rows are the planner's estimate from the last ANALYZE, ` +
    `${live.toLocaleString('en-US')} the live rows now: the statistics are stale (ANALYZE ${table} refreshes them).`
  );
}
