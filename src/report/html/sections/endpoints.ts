// Per-endpoint figures (from one phase) and errors by kind and status (all phases).
import type { AssessmentRecord, PhaseRecord } from '../../../record/assessment-record.ts';
import type { RunRecord } from '../../../record/run-record.ts';
import { selectMetric } from '../../../record/select.ts';
import { ms, pct, rps } from '../fmt.ts';
import { html, num, type SafeHtml } from '../safe.ts';
import { numeric, td, tdN, thead } from '../table.ts';

const MAX_ROWS = 50;

interface EndpointRow {
  name: string;
  methods: string;
  requests: number;
  rps: number | null;
  p50: number | null;
  p95: number | null;
  p99: number | null;
  errorRate: number | null;
  statuses: string;
}

export function endpointRows(run: RunRecord): EndpointRow[] {
  const totals = Array.isArray(run.totals) ? run.totals : [];
  const reqs = totals.filter((t) => t.metric === 'http_reqs');
  const names = [...new Set(reqs.map((t) => String(t.tags?.name ?? '')))];
  const secs = (num(run.durationMs) ?? 0) / 1000;
  const rows = names.map((name): EndpointRow => {
    const mine = reqs.filter((t) => String(t.tags?.name ?? '') === name);
    const requests = mine.reduce((a, t) => a + (num(t.sum) ?? 0), 0);
    const byStatus = new Map<string, number>();
    for (const t of mine)
      byStatus.set(String(t.tags?.status ?? '?'), (byStatus.get(String(t.tags?.status ?? '?')) ?? 0) + (num(t.sum) ?? 0));
    let p50 = null,
      p95 = null,
      p99 = null,
      errorRate = null;
    try {
      // Response time (http_req_duration), as the Markdown and JSON reports quote it.
      const lat = selectMetric(run, 'http_req_duration', { name }) ?? selectMetric(run, 'http_req_latency', { name });
      if (lat && lat.count > 0) [p50, p95, p99] = [lat.percentile(50), lat.percentile(95), lat.percentile(99)];
      const f = selectMetric(run, 'http_req_failed', { name });
      if (f && f.count > 0) errorRate = f.sum / f.count;
    } catch {
      // Damaged histogram: leave the percentiles out, keep the row.
    }
    return {
      name,
      methods: [...new Set(mine.map((t) => String(t.tags?.method ?? '')))].filter(Boolean).join(', '),
      requests,
      rps: secs > 0 ? requests / secs : null,
      p50,
      p95,
      p99,
      errorRate,
      statuses: [...byStatus]
        .sort((a, b) => b[1] - a[1])
        .map(([s, n]) => `${s} × ${n}`)
        .join(', '),
    };
  });
  return rows.sort((a, b) => b.requests - a.requests);
}

const ENDPOINT_COLUMNS = [
  'Endpoint',
  'Method',
  numeric('Requests'),
  numeric('Rate'),
  numeric('p50'),
  numeric('p95'),
  numeric('p99'),
  numeric('Errors'),
  'Statuses',
];

function endpointRow(r: EndpointRow): SafeHtml {
  const cells = [
    td(html`<code>${r.name}</code>`),
    td(r.methods),
    tdN(r.requests),
    tdN(rps(r.rps)),
    tdN(ms(r.p50)),
    tdN(ms(r.p95)),
    tdN(ms(r.p99)),
    tdN(pct(r.errorRate)),
    td(r.statuses),
  ];
  return html`<tr>${cells}</tr>`;
}

function endpointTable(p: PhaseRecord): SafeHtml {
  const rows = endpointRows(p.run);
  if (!rows.length) return html`<p class="muted">No requests recorded.</p>`;
  const more = rows.length > MAX_ROWS ? html`<p class="muted">${rows.length - MAX_ROWS} more endpoints not shown.</p>` : '';
  const body = rows.slice(0, MAX_ROWS).map(endpointRow);
  return html`<table class="endpoints">${thead(ENDPOINT_COLUMNS)}<tbody>${body}</tbody></table>${more}`;
}

interface ErrorRow {
  phase: string;
  name: string;
  status: string;
  kind: string;
  count: number;
}

export function errorRows(phases: readonly PhaseRecord[]): ErrorRow[] {
  const rows: ErrorRow[] = [];
  for (const p of phases) {
    const totals = Array.isArray(p.run?.totals) ? p.run.totals : [];
    const by = new Map<string, ErrorRow>();
    // The engine counts every failure in http_req_errors: a transport error carries its kind in
    // the error tag, an unexpected status has none.
    for (const t of totals) {
      if (t.metric !== 'http_req_errors') continue;
      const kind = t.tags?.error ? String(t.tags.error) : 'unexpected status';
      const key = JSON.stringify([t.tags?.name, t.tags?.status, kind]);
      const row = by.get(key) ?? {
        phase: String(p.name),
        name: String(t.tags?.name ?? ''),
        status: String(t.tags?.status ?? ''),
        kind,
        count: 0,
      };
      row.count += num(t.sum) ?? 0;
      by.set(key, row);
    }
    rows.push(...by.values());
  }
  return rows.filter((r) => r.count > 0).sort((a, b) => b.count - a.count);
}

function errorTable(errors: ErrorRow[]): SafeHtml {
  if (!errors.length) return html`<p class="muted">No failed request.</p>`;
  const body = errors
    .slice(0, MAX_ROWS)
    .map((e) => html`<tr>${[td(e.phase), td(html`<code>${e.name}</code>`), td(e.status), td(e.kind), tdN(e.count)]}</tr>`);
  return html`<table class="errors">${thead(['Phase', 'Endpoint', 'Status', 'Kind', numeric('Count')])}<tbody>${body}</tbody></table>`;
}

export function endpointsSection(r: AssessmentRecord): SafeHtml {
  const phases = Array.isArray(r.phases) ? r.phases : [];
  const main = phases.find((p) => p.name === 'baseline') ?? phases[0];
  const endpoints = main
    ? html`<h4>Endpoints during the ${main.name} phase</h4>${endpointTable(main)}`
    : html`<p class="muted">No phase ran.</p>`;
  return html`<section id="endpoints"><h2>Endpoints and errors</h2>
<div class="card">${endpoints}
<h4>Errors by kind and status</h4>${errorTable(errorRows(phases))}</div></section>`;
}
