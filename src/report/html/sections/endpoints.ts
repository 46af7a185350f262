// Per-endpoint figures (from one phase) and errors by kind and status (all phases).
import type { AssessmentRecord, PhaseRecord } from '../../../record/assessment-record.ts';
import type { RunRecord } from '../../../record/run-record.ts';
import { endpointFigures, type EndpointFigures } from '../../phase-figures.ts';
import { ms, pct, rps } from '../fmt.ts';
import { html, num, type SafeHtml } from '../safe.ts';
import { numeric, td, tdN, thead } from '../table.ts';

const MAX_ROWS = 50;

interface EndpointRow extends EndpointFigures {
  statuses: string;
}

/**
 * One row per request (method + name), with the figures the Markdown report's Requests table shows
 * (report/phase-figures.ts endpointFigures) and the statuses it was answered with.
 */
export function endpointRows(run: RunRecord): EndpointRow[] {
  let figures: EndpointFigures[];
  try {
    figures = endpointFigures(run);
  } catch {
    // A damaged record (histograms that do not decode): the table says no requests rather than the page failing.
    return [];
  }
  const totals = Array.isArray(run.totals) ? run.totals : [];
  const rows = figures.map((f): EndpointRow => {
    const byStatus = new Map<string, number>();
    for (const t of totals) {
      if (t.metric !== 'http_reqs' || (t.tags?.name ?? '') !== f.name || (t.tags?.method ?? '') !== f.method) continue;
      const status = String(t.tags?.status ?? '?');
      byStatus.set(status, (byStatus.get(status) ?? 0) + (num(t.sum) ?? 0));
    }
    const statuses = [...byStatus]
      .sort((a, b) => b[1] - a[1])
      .map(([s, n]) => `${s} × ${n}`)
      .join(', ');
    return { ...f, statuses };
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
    td(r.method),
    tdN(r.requests),
    tdN(rps(r.rps)),
    tdN(ms(r.p50Ms)),
    tdN(ms(r.p95Ms)),
    tdN(ms(r.p99Ms)),
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
