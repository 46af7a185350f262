// The database analysis (speedguard db, assess --db, profile --db): overview, top statements by
// total time, plans' issues, index suggestions with their CREATE statements and before/after, N+1
// groups. Query texts come from the application through the database: every one goes through the
// `html` template (escaped); nothing here is a script, a style or a URL.
import { databaseFiguresOf, dbView, meanMsOf, rowsPerCall, shortSql, type DbView } from '../../../analysis/database-figures.ts';
import type { DatabaseFigures } from '../../../record/database-figures.ts';
import type { AssessmentRecord } from '../../../record/assessment-record.ts';
import type { IndexSuggestion, InferredRepetition, NPlusOneGroup, StatementPlan, StatementStats } from '../../../record/database-probes.ts';
import { bytes, DASH, ms, pct, plain } from '../fmt.ts';
import { html, num, type SafeHtml } from '../safe.ts';
import { numeric, td, tdN, thead } from '../table.ts';

export const TOP_STATEMENTS = 15;
const QUERY_CHARS = 300;

/** The section's anchor exists only when the record has database probes. */
export function hasDatabase(r: AssessmentRecord): boolean {
  return !!(r.probes && typeof r.probes === 'object' && dbView(r));
}

const count = (v: unknown) => {
  const n = num(v);
  return n === null ? DASH : Math.round(n).toLocaleString('en-US');
};
const sql = (text: unknown, max = QUERY_CHARS) => html`<code>${shortSql(String(text ?? ''), max)}</code>`;

function overview(v: DbView, f: DatabaseFigures): SafeHtml {
  const s = v.probes.server;
  const windows = v.probes.windows ?? [];
  const measured =
    v.mode === 'load'
      ? `under the load: differences over ${windows.length} window(s) (${windows.map((w) => w.phase).join(', ')})`
      : 'cumulative statistics since the last reset (no load was run)';
  const extVersion = v.probes.statementsInfo?.extVersion ?? s?.extensions?.pgStatStatements ?? '?';
  const statementsExt = s?.pgStatStatements?.available
    ? `available (${extVersion})`
    : html`<strong>not available</strong>: ${s?.pgStatStatements?.howToEnable ?? 'unknown'}`;
  const cacheBlocks = f.cacheBlocks !== null ? `, ${count(f.cacheBlocks)} blocks` : '';
  const cache =
    f.cacheHitRatio !== null ? html`${pct(f.cacheHitRatio)} <span class="muted">${f.cacheSource ?? ''}${cacheBlocks}</span>` : DASH;
  const connections =
    f.connectionUse === null ? 'not sampled' : `peak ${pct(f.connectionUse, 1)} of max_connections (${s?.settings?.maxConnections ?? '?'})`;
  const settings = s?.settings
    ? `shared_buffers ${bytes(s.settings.sharedBuffersKb * 1024)}, work_mem ${bytes(s.settings.workMemKb * 1024)}, ` +
      `random_page_cost ${plain(s.settings.randomPageCost)}`
    : DASH;
  const writes = v.probes.allowWrites
    ? 'indexes measured for real in rolled-back transactions (--allow-writes)'
    : 'nothing written (read-only session)';
  const warnings = v.probes.warnings ?? [];
  const notMeasured = warnings.length ? html`<h4>Not measured</h4><ul>${warnings.map((w) => html`<li>${w}</li>`)}</ul>` : '';
  return html`<div class="card"><dl class="facts">
<dt>Database</dt><dd><code>${v.database}</code> on PostgreSQL ${s?.version ?? DASH} · <code>${v.probes.url}</code></dd>
<dt>Measured</dt><dd>${measured}</dd>
<dt>pg_stat_statements</dt><dd>${statementsExt}</dd>
<dt>Mean query time</dt><dd>${ms(f.queryTimeAvgMs)}</dd>
<dt>Slow statements</dt><dd>${f.slowQueries ?? DASH}</dd>
<dt>Cache hit ratio</dt><dd>${cache}</dd>
<dt>Connections</dt><dd>${connections}</dd>
<dt>Settings</dt><dd>${settings}</dd>
<dt>Index advice</dt><dd>${s?.hypopgAvailable ? 'HypoPG' : 'no HypoPG'}; ${writes}</dd>
</dl>${notMeasured}</div>`;
}

const STATEMENT_COLUMNS = [
  'Statement',
  numeric('Calls'),
  numeric('Mean'),
  numeric('Total'),
  numeric('Share'),
  numeric('Rows/call'),
  numeric('Hit ratio'),
];

function statementRow(s: StatementStats): SafeHtml {
  const cells = [
    td(sql(s.query)),
    tdN(count(s.calls)),
    tdN(ms(meanMsOf(s))),
    tdN(ms(s.totalExecMs + (s.totalPlanMs || 0))),
    tdN(pct(s.shareOfTotal, 1)),
    tdN(plain(rowsPerCall(s))),
    tdN(pct(s.hitRatio, 2)),
  ];
  return html`<tr>${cells}</tr>`;
}

function statements(v: DbView): SafeHtml {
  if (!v.statements.length) return html`<p class="muted">No statement statistics.</p>`;
  const top = [...v.statements].sort((a, b) => b.totalExecMs - a.totalExecMs).slice(0, TOP_STATEMENTS);
  const table = html`<table class="db-statements">${thead(STATEMENT_COLUMNS)}<tbody>${top.map(statementRow)}</tbody></table>`;
  return html`<h3>Top statements by total time</h3><div class="card">${table}</div>`;
}

function planCard(p: StatementPlan): SafeHtml {
  const mode =
    p.mode === 'analyze' ? `EXPLAIN ANALYZE ${ms(p.executionMs)}` : p.mode === 'generic' ? 'generic plan (estimates)' : 'estimated plan';
  const error = p.error ? html`<p><strong>could not be explained:</strong> ${p.error}</p>` : '';
  const issues = (p.issues ?? []).map((i) => html`<li><strong>${i.kind}</strong>: ${i.detail}</li>`);
  const summary = html`<div class="muted">${mode} · cost ${plain(p.totalCost, 1)}</div>`;
  return html`<div class="card"><div>${sql(p.query, 200)}</div>${summary}${error}<ul>${issues}</ul></div>`;
}

function plans(v: DbView): SafeHtml | '' {
  const list = (v.probes.plans ?? []).filter((p) => p.issues?.length || p.error);
  if (!list.length) return '';
  return html`<h3>Plans of the top statements</h3>${list.map(planCard)}`;
}

const HOW_MEASURED: Record<string, string> = {
  measured: 'measured (real index, rolled back)',
  hypopg: 'HypoPG estimate',
  heuristic: 'heuristic (not measured)',
};

function suggestionCard(v: DbView, s: IndexSuggestion): SafeHtml {
  const helps = (s.queryIds ?? []).map((q) => v.statements.find((x) => x.queryId === q)).filter((x): x is StatementStats => !!x);
  const helped = helps.map((h, i) => html`${i ? '; ' : ''}${sql(h.query, 120)} (${count(h.calls)} calls, mean ${ms(meanMsOf(h))})`);
  return html`<div class="card"><h4>${s.schema}.${s.table} (${s.columns.join(', ')}) — ${HOW_MEASURED[s.method] ?? s.method}</h4>
<p>${s.expectedImprovement}</p>
<div class="mono">${s.createStatement.replace(/;?\s*$/, '')};</div>
<table>${thead(['', numeric('Before'), numeric('After')])}<tbody>
<tr>${[td('Planner cost'), tdN(plain(s.costBefore, 1)), tdN(plain(s.costAfter, 1))]}</tr>
<tr>${[td('Execution time'), tdN(ms(s.msBefore)), tdN(ms(s.msAfter))]}</tr>
</tbody></table>${helps.length ? html`<div class="muted">Helps: ${helped}</div>` : ''}</div>`;
}

function suggestions(v: DbView): SafeHtml | '' {
  const list = v.probes.indexSuggestions ?? [];
  if (!list.length) return '';
  return html`<h3>Index suggestions</h3>${list.map((s) => suggestionCard(v, s))}`;
}

const N_PLUS_ONE_COLUMNS = [
  'Endpoint',
  'Statement',
  numeric('Per request'),
  numeric('Time per request'),
  numeric('Share of request'),
  numeric('Requests'),
  'Called from',
];

function nPlusOneRow(g: NPlusOneGroup): SafeHtml {
  const cells = [
    td(html`<code>${g.endpoint}</code>`),
    td(sql(g.statement, 200)),
    tdN(`${plain(g.perRequestMean, 1)} (max ${count(g.perRequestMax)})`),
    tdN(ms(g.msPerRequest)),
    tdN(pct(g.shareOfRequest, 1)),
    tdN(`${count(g.requests)} of ${count(g.endpointRequests)}`),
    td(g.location ? html`<code>${g.location.function} ${g.location.file}:${g.location.line}</code>` : DASH),
  ];
  return html`<tr>${cells}</tr>`;
}

const INFERRED_NOTE = html`<p class="muted">Inferred from pg_stat_statements calls per HTTP request (no per-request instrumentation):</p>`;
const INFERRED_COLUMNS = ['Phase', 'Statement', numeric('Calls'), numeric('HTTP requests'), numeric('Calls per request')];

function inferredRow(r: InferredRepetition): SafeHtml {
  const cells = [td(r.phase), td(sql(r.query, 200)), tdN(count(r.calls)), tdN(count(r.httpRequests)), tdN(plain(r.callsPerRequest, 1))];
  return html`<tr>${cells}</tr>`;
}

function nPlusOne(v: DbView): SafeHtml | '' {
  const groups = v.probes.nPlusOne ?? [];
  const inferred = (v.probes.windows ?? []).flatMap((w) => w.inferredRepetition ?? []);
  if (!groups.length && !inferred.length) return '';
  const measured = groups.length ? html`<table>${thead(N_PLUS_ONE_COLUMNS)}<tbody>${groups.map(nPlusOneRow)}</tbody></table>` : '';
  const fromCounts = inferred.length
    ? html`${INFERRED_NOTE}<table>${thead(INFERRED_COLUMNS)}<tbody>${inferred.map(inferredRow)}</tbody></table>`
    : '';
  return html`<h3>Repeated statements per request (N+1)</h3><div class="card">
${measured}
${fromCounts}
</div>`;
}

export function databaseSection(r: AssessmentRecord): SafeHtml {
  const v = r.probes && typeof r.probes === 'object' ? dbView(r) : null;
  if (!v) return html``;
  const parts = [overview(v, databaseFiguresOf(r)!), statements(v), plans(v), suggestions(v), nPlusOne(v)];
  return html`<section id="database"><h2>Database</h2>${parts}</section>`;
}
