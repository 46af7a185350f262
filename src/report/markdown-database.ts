// "## Database" of the Markdown analysis report: what was measured in PostgreSQL (speedguard db,
// assess --db, profile --db) — the top statements by total time, the plans' issues, the index
// suggestions with their CREATE statements and before/after figures, N+1 groups. Query texts come
// from the database (the application wrote them): inline through md(), CREATE statements in fenced
// blocks whose fence is longer than any backtick run inside (nothing can close it early).
import { databaseFiguresOf, dbView, meanMsOf, rowsPerCall, shortSql, type DbView } from '../analysis/database-figures.ts';
import type { DatabaseFigures } from '../record/database-figures.ts';
import type { AssessmentRecord } from '../record/assessment-record.ts';
import type { StatementStats } from '../record/database-probes.ts';
import { md, mdTable } from './escape.ts';
import { fmtBytes, fmtDuration, fmtPercent } from './format.ts';

/** Statements in the table; characters of each statement shown. */
export const TOP_STATEMENTS = 10;
export const QUERY_CHARS = 160;

const ms = (v: number | null | undefined) => (v === null || v === undefined || !Number.isFinite(v) ? 'n/a' : fmtDuration(v));
const pct = (v: number | null | undefined) => (v === null || v === undefined || !Number.isFinite(v) ? 'n/a' : fmtPercent(v));
const count = (v: number) => (Number.isFinite(v) ? Math.round(v).toLocaleString('en-US') : 'n/a');
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g;

/** A fenced code block that its content cannot close: the fence is longer than any backtick run in it. */
export function fenced(text: string, lang = 'sql'): string[] {
  const body = String(text ?? '').replace(CONTROL, '');
  const longest = Math.max(0, ...[...body.matchAll(/`+/g)].map((m) => m[0].length));
  const fence = '`'.repeat(Math.max(3, longest + 1));
  return [`${fence}${lang}`, body, fence];
}

/** An SQL text in a table cell: one line, cut, escaped, as code-like text (not a code span: md() escapes backticks). */
function sqlCell(sql: string, max = QUERY_CHARS): string {
  return md(shortSql(sql, max));
}

export function databaseMarkdown(record: Pick<AssessmentRecord, 'probes' | 'databaseFigures'>): string[] {
  const v = record.probes && typeof record.probes === 'object' ? dbView(record) : null;
  if (!v) return [];
  const out: string[] = ['## Database', ''];
  out.push(...overview(v, databaseFiguresOf(record)!), '');
  for (const w of v.probes.warnings ?? []) out.push(`- ⚠ ${md(w)}`);
  if (v.probes.warnings?.length) out.push('');
  out.push(...statementsTable(v));
  out.push(...plansSection(v));
  out.push(...suggestionsSection(v));
  out.push(...nPlusOneSection(v));
  return out;
}

const ALLOW_WRITES_TEXT = 'indexes measured for real in rolled-back transactions (--allow-writes)';
const READ_ONLY_TEXT = 'nothing written (read-only session)';

function overview(v: DbView, f: DatabaseFigures): string[] {
  const s = v.probes.server;
  const rows: string[][] = [
    ['Database', `${md(v.database)} on PostgreSQL ${md(s?.version ?? '?')} (${md(v.probes.url)})`],
    [
      'Measured',
      v.mode === 'load'
        ? `under the load: pg_stat_statements differences over ${(v.probes.windows ?? []).length} window(s) ` +
          `(${(v.probes.windows ?? []).map((w) => md(w.phase)).join(', ')})`
        : 'cumulative statistics since the last reset (speedguard db: no load was run)',
    ],
    [
      'pg_stat_statements',
      s?.pgStatStatements?.available
        ? `available (${md(v.probes.statementsInfo?.extVersion ?? s.extensions?.pgStatStatements ?? '?')})`
        : `not available: ${md(s?.pgStatStatements?.howToEnable ?? 'unknown')}`,
    ],
    ['Mean query time', ms(f.queryTimeAvgMs)],
    ['Slow statements', f.slowQueries === null ? 'n/a' : String(f.slowQueries)],
    [
      'Cache hit ratio',
      f.cacheHitRatio !== null
        ? `${pct(f.cacheHitRatio)} (${md(f.cacheSource ?? '')}${f.cacheBlocks !== null ? `, ${count(f.cacheBlocks)} blocks` : ''})`
        : 'n/a',
    ],
    [
      'Connections',
      f.connectionUse === null ? 'not sampled' : `peak ${pct(f.connectionUse)} of max_connections (${s?.settings?.maxConnections ?? '?'})`,
    ],
    [
      'Settings',
      s?.settings
        ? `shared_buffers ${fmtBytes(s.settings.sharedBuffersKb * 1024)}, work_mem ${fmtBytes(s.settings.workMemKb * 1024)}, ` +
          `random_page_cost ${s.settings.randomPageCost}, track_io_timing ${s.settings.trackIoTiming ? 'on' : 'off'}`
        : 'n/a',
    ],
    ['Index advice', `${s?.hypopgAvailable ? 'HypoPG' : 'no HypoPG'}; ${v.probes.allowWrites ? ALLOW_WRITES_TEXT : READ_ONLY_TEXT}`],
  ];
  return [mdTable(['', ''], rows)];
}

function statementRow(s: StatementStats): string[] {
  return [
    sqlCell(s.query),
    count(s.calls),
    ms(meanMsOf(s)),
    ms(s.totalExecMs + (s.totalPlanMs || 0)),
    pct(s.shareOfTotal),
    Number.isFinite(rowsPerCall(s)) ? String(Math.round(rowsPerCall(s) * 100) / 100) : 'n/a',
    pct(s.hitRatio),
  ];
}

function statementsTable(v: DbView): string[] {
  if (!v.statements.length) return ['No statement statistics.', ''];
  const top = [...v.statements].sort((a, b) => b.totalExecMs - a.totalExecMs).slice(0, TOP_STATEMENTS);
  return [
    `### Top statements by total time`,
    '',
    `${v.mode === 'load' ? 'Statements run under the load' : 'Since the statistics were last reset'}; ` +
      `literals are pg_stat_statements placeholders ($1 …), texts cut to ${QUERY_CHARS} characters.`,
    '',
    mdTable(['Statement', 'Calls', 'Mean', 'Total', 'Share', 'Rows/call', 'Hit ratio'], top.map(statementRow), [
      'l',
      'r',
      'r',
      'r',
      'r',
      'r',
      'r',
    ]),
    '',
  ];
}

function plansSection(v: DbView): string[] {
  const plans = (v.probes.plans ?? []).filter((p) => p.issues?.length || p.error);
  if (!plans.length) return [];
  const out = ['### Plans of the top statements', ''];
  for (const p of plans) {
    const how =
      p.mode === 'analyze' ? `EXPLAIN ANALYZE: ${ms(p.executionMs)}` : p.mode === 'generic' ? 'generic plan (estimates)' : 'estimated plan';
    out.push(`- **${sqlCell(p.query, 100)}** (${how}, cost ${Math.round(p.totalCost)})`);
    if (p.error) out.push(`  - could not be explained: ${md(p.error)}`);
    for (const i of p.issues ?? []) out.push(`  - ${md(i.kind)}: ${md(i.detail)}`);
  }
  out.push('');
  return out;
}

function suggestionsSection(v: DbView): string[] {
  const list = v.probes.indexSuggestions ?? [];
  if (!list.length) return [];
  const out = ['### Index suggestions', ''];
  const howText = {
    measured: 'measured (real index, rolled back)',
    hypopg: 'HypoPG estimate',
    heuristic: 'heuristic (not measured)',
  } as const;
  list.forEach((s, i) => {
    const helps = (s.queryIds ?? []).map((q) => v.statements.find((x) => x.queryId === q)).filter((x): x is StatementStats => !!x);
    out.push(
      `${i + 1}. **${md(s.schema)}.${md(s.table)} (${md(s.columns.join(', '))})** — ${md(s.expectedImprovement)} · ` +
        `${md(howText[s.method] ?? s.method)}`,
      '',
    );
    const ba: string[][] = [];
    if (s.costBefore !== null || s.costAfter !== null)
      ba.push([
        'Planner cost',
        s.costBefore === null ? 'n/a' : String(Math.round(s.costBefore * 10) / 10),
        s.costAfter === null ? 'n/a' : String(Math.round(s.costAfter * 10) / 10),
      ]);
    if (s.msBefore !== null || s.msAfter !== null) ba.push(['Execution time', ms(s.msBefore), ms(s.msAfter)]);
    if (ba.length) out.push(mdTable(['', 'Before', 'After'], ba, ['l', 'r', 'r']), '');
    if (helps.length)
      out.push(`Helps: ${helps.map((h) => `${sqlCell(h.query, 80)} (${count(h.calls)} calls, mean ${ms(meanMsOf(h))})`).join('; ')}`, '');
    out.push(...fenced(`${s.createStatement.replace(/;?\s*$/, '')};`), '');
  });
  return out;
}

function nPlusOneSection(v: DbView): string[] {
  const groups = v.probes.nPlusOne ?? [];
  const inferred = (v.probes.windows ?? []).flatMap((w) => w.inferredRepetition ?? []);
  if (!groups.length && !inferred.length) return [];
  const out = ['### Repeated statements per request (N+1)', ''];
  if (groups.length) {
    out.push(
      mdTable(
        ['Endpoint', 'Statement', 'Per request (mean / max)', 'Time per request', 'Share of request', 'Requests affected', 'Called from'],
        groups.map((g) => [
          md(g.endpoint),
          sqlCell(g.statement, 100),
          `${Math.round(g.perRequestMean * 10) / 10} / ${g.perRequestMax}`,
          ms(g.msPerRequest),
          pct(g.shareOfRequest),
          `${count(g.requests)} of ${count(g.endpointRequests)}`,
          g.location ? `${md(g.location.function)} ${md(g.location.file)}:${g.location.line}` : '',
        ]),
        ['l', 'l', 'r', 'r', 'r', 'r', 'l'],
      ),
      '',
    );
  }
  if (inferred.length) {
    out.push('Inferred from pg_stat_statements calls per HTTP request (no per-request instrumentation):', '');
    out.push(
      mdTable(
        ['Phase', 'Statement', 'Calls', 'HTTP requests', 'Calls per request'],
        inferred.map((r) => [
          md(r.phase),
          sqlCell(r.query, 100),
          count(r.calls),
          count(r.httpRequests),
          String(Math.round(r.callsPerRequest * 10) / 10),
        ]),
        ['l', 'l', 'r', 'r', 'r'],
      ),
      '',
    );
  }
  return out;
}
