// The database analysis (speedguard db, assess --db, profile --db): overview, top statements by
// total time, plans' issues, index suggestions with their CREATE statements and before/after, N+1
// groups. Query texts come from the application through the database: every one goes through the
// `html` template (escaped); nothing here is a script, a style or a URL.
import { databaseFiguresOf, dbView, meanMsOf, rowsPerCall, shortSql, type DbView } from '../../../analysis/database-figures.ts';
import type { DatabaseFigures } from '../../../record/database-figures.ts';
import type { AssessmentRecord } from '../../../record/assessment-record.ts';
import type { StatementStats } from '../../../record/database-probes.ts';
import { bytes, DASH, ms, pct, plain } from '../fmt.ts';
import { html, num, type SafeHtml } from '../safe.ts';

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
  return html`<div class="card"><dl class="facts">
<dt>Database</dt><dd><code>${v.database}</code> on PostgreSQL ${s?.version ?? DASH} · <code>${v.probes.url}</code></dd>
<dt>Measured</dt><dd>${v.mode === 'load' ? `under the load: differences over ${windows.length} window(s) (${windows.map((w) => w.phase).join(', ')})` : 'cumulative statistics since the last reset (no load was run)'}</dd>
<dt>pg_stat_statements</dt><dd>${s?.pgStatStatements?.available ? `available (${v.probes.statementsInfo?.extVersion ?? s.extensions?.pgStatStatements ?? '?'})` : html`<strong>not available</strong>: ${s?.pgStatStatements?.howToEnable ?? 'unknown'}`}</dd>
<dt>Mean query time</dt><dd>${ms(f.queryTimeAvgMs)}</dd>
<dt>Slow statements</dt><dd>${f.slowQueries ?? DASH}</dd>
<dt>Cache hit ratio</dt><dd>${f.cacheHitRatio !== null ? html`${pct(f.cacheHitRatio)} <span class="muted">${f.cacheSource ?? ''}${f.cacheBlocks !== null ? `, ${count(f.cacheBlocks)} blocks` : ''}</span>` : DASH}</dd>
<dt>Connections</dt><dd>${f.connectionUse === null ? 'not sampled' : `peak ${pct(f.connectionUse, 1)} of max_connections (${s?.settings?.maxConnections ?? '?'})`}</dd>
<dt>Settings</dt><dd>${s?.settings ? `shared_buffers ${bytes(s.settings.sharedBuffersKb * 1024)}, work_mem ${bytes(s.settings.workMemKb * 1024)}, random_page_cost ${plain(s.settings.randomPageCost)}` : DASH}</dd>
<dt>Index advice</dt><dd>${s?.hypopgAvailable ? 'HypoPG' : 'no HypoPG'}; ${v.probes.allowWrites ? 'indexes measured for real in rolled-back transactions (--allow-writes)' : 'nothing written (read-only session)'}</dd>
</dl>${(v.probes.warnings ?? []).length ? html`<h4>Not measured</h4><ul>${v.probes.warnings.map((w) => html`<li>${w}</li>`)}</ul>` : ''}</div>`;
}

function statementRow(s: StatementStats): SafeHtml {
  return html`<tr><td>${sql(s.query)}</td><td class="n">${count(s.calls)}</td><td class="n">${ms(meanMsOf(s))}</td><td class="n">${ms(s.totalExecMs + (s.totalPlanMs || 0))}</td><td class="n">${pct(s.shareOfTotal, 1)}</td><td class="n">${plain(rowsPerCall(s))}</td><td class="n">${pct(s.hitRatio, 2)}</td></tr>`;
}

function statements(v: DbView): SafeHtml {
  if (!v.statements.length) return html`<p class="muted">No statement statistics.</p>`;
  const top = [...v.statements].sort((a, b) => b.totalExecMs - a.totalExecMs).slice(0, TOP_STATEMENTS);
  return html`<h3>Top statements by total time</h3><div class="card"><table class="db-statements"><thead><tr><th>Statement</th><th class="n">Calls</th><th class="n">Mean</th><th class="n">Total</th><th class="n">Share</th><th class="n">Rows/call</th><th class="n">Hit ratio</th></tr></thead><tbody>${top.map(statementRow)}</tbody></table></div>`;
}

function plans(v: DbView): SafeHtml | '' {
  const list = (v.probes.plans ?? []).filter((p) => p.issues?.length || p.error);
  if (!list.length) return '';
  return html`<h3>Plans of the top statements</h3>${list.map((p) => html`<div class="card"><div>${sql(p.query, 200)}</div><div class="muted">${p.mode === 'analyze' ? `EXPLAIN ANALYZE ${ms(p.executionMs)}` : p.mode === 'generic' ? 'generic plan (estimates)' : 'estimated plan'} · cost ${plain(p.totalCost, 1)}</div>${p.error ? html`<p><strong>could not be explained:</strong> ${p.error}</p>` : ''}<ul>${(p.issues ?? []).map((i) => html`<li><strong>${i.kind}</strong>: ${i.detail}</li>`)}</ul></div>`)}`;
}

function suggestions(v: DbView): SafeHtml | '' {
  const list = v.probes.indexSuggestions ?? [];
  if (!list.length) return '';
  const how = {
    measured: 'measured (real index, rolled back)',
    hypopg: 'HypoPG estimate',
    heuristic: 'heuristic (not measured)',
  } as Record<string, string>;
  return html`<h3>Index suggestions</h3>${list.map((s) => {
    const helps = (s.queryIds ?? []).map((q) => v.statements.find((x) => x.queryId === q)).filter((x): x is StatementStats => !!x);
    return html`<div class="card"><h4>${s.schema}.${s.table} (${s.columns.join(', ')}) — ${how[s.method] ?? s.method}</h4>
<p>${s.expectedImprovement}</p>
<div class="mono">${s.createStatement.replace(/;?\s*$/, '')};</div>
<table><thead><tr><th></th><th class="n">Before</th><th class="n">After</th></tr></thead><tbody>
<tr><td>Planner cost</td><td class="n">${plain(s.costBefore, 1)}</td><td class="n">${plain(s.costAfter, 1)}</td></tr>
<tr><td>Execution time</td><td class="n">${ms(s.msBefore)}</td><td class="n">${ms(s.msAfter)}</td></tr>
</tbody></table>${helps.length ? html`<div class="muted">Helps: ${helps.map((h, i) => html`${i ? '; ' : ''}${sql(h.query, 120)} (${count(h.calls)} calls, mean ${ms(meanMsOf(h))})`)}</div>` : ''}</div>`;
  })}`;
}

function nPlusOne(v: DbView): SafeHtml | '' {
  const groups = v.probes.nPlusOne ?? [];
  const inferred = (v.probes.windows ?? []).flatMap((w) => w.inferredRepetition ?? []);
  if (!groups.length && !inferred.length) return '';
  return html`<h3>Repeated statements per request (N+1)</h3><div class="card">
${groups.length ? html`<table><thead><tr><th>Endpoint</th><th>Statement</th><th class="n">Per request</th><th class="n">Time per request</th><th class="n">Share of request</th><th class="n">Requests</th><th>Called from</th></tr></thead><tbody>${groups.map((g) => html`<tr><td><code>${g.endpoint}</code></td><td>${sql(g.statement, 200)}</td><td class="n">${plain(g.perRequestMean, 1)} (max ${count(g.perRequestMax)})</td><td class="n">${ms(g.msPerRequest)}</td><td class="n">${pct(g.shareOfRequest, 1)}</td><td class="n">${count(g.requests)} of ${count(g.endpointRequests)}</td><td>${g.location ? html`<code>${g.location.function} ${g.location.file}:${g.location.line}</code>` : DASH}</td></tr>`)}</tbody></table>` : ''}
${inferred.length ? html`<p class="muted">Inferred from pg_stat_statements calls per HTTP request (no per-request instrumentation):</p><table><thead><tr><th>Phase</th><th>Statement</th><th class="n">Calls</th><th class="n">HTTP requests</th><th class="n">Calls per request</th></tr></thead><tbody>${inferred.map((r) => html`<tr><td>${r.phase}</td><td>${sql(r.query, 200)}</td><td class="n">${count(r.calls)}</td><td class="n">${count(r.httpRequests)}</td><td class="n">${plain(r.callsPerRequest, 1)}</td></tr>`)}</tbody></table>` : ''}
</div>`;
}

export function databaseSection(r: AssessmentRecord): SafeHtml {
  const v = r.probes && typeof r.probes === 'object' ? dbView(r) : null;
  if (!v) return html``;
  return html`<section id="database"><h2>Database</h2>${overview(v, databaseFiguresOf(r)!)}${statements(v)}${plans(v)}${suggestions(v)}${nPlusOne(v)}</section>`;
}
