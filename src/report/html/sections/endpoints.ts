// Per-endpoint figures (from one phase) and errors by kind and status (all phases).
import type { AssessmentRecord, PhaseRecord } from '../../../record/assessment-record.ts';
import type { RunRecord } from '../../../record/run-record.ts';
import { selectMetric } from '../../../record/select.ts';
import { ms, pct, rps } from '../fmt.ts';
import { html, num, type SafeHtml } from '../safe.ts';

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

function endpointTable(p: PhaseRecord): SafeHtml {
  const rows = endpointRows(p.run);
  if (!rows.length) return html`<p class="muted">No requests recorded.</p>`;
  return html`<table class="endpoints"><thead><tr><th>Endpoint</th><th>Method</th><th class="n">Requests</th><th class="n">Rate</th><th class="n">p50</th><th class="n">p95</th><th class="n">p99</th><th class="n">Errors</th><th>Statuses</th></tr></thead><tbody>${rows
    .slice(0, MAX_ROWS)
    .map(
      (r) =>
        html`<tr><td><code>${r.name}</code></td><td>${r.methods}</td><td class="n">${r.requests}</td><td class="n">${rps(r.rps)}</td><td class="n">${ms(r.p50)}</td><td class="n">${ms(r.p95)}</td><td class="n">${ms(r.p99)}</td><td class="n">${pct(r.errorRate)}</td><td>${r.statuses}</td></tr>`,
    )}</tbody></table>${rows.length > MAX_ROWS ? html`<p class="muted">${rows.length - MAX_ROWS} more endpoints not shown.</p>` : ''}`;
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

export function endpointsSection(r: AssessmentRecord): SafeHtml {
  const phases = Array.isArray(r.phases) ? r.phases : [];
  const main = phases.find((p) => p.name === 'baseline') ?? phases[0];
  const errors = errorRows(phases);
  return html`<section id="endpoints"><h2>Endpoints and errors</h2>
<div class="card">${main ? html`<h4>Endpoints during the ${main.name} phase</h4>${endpointTable(main)}` : html`<p class="muted">No phase ran.</p>`}
<h4>Errors by kind and status</h4>${
    errors.length
      ? html`<table class="errors"><thead><tr><th>Phase</th><th>Endpoint</th><th>Status</th><th>Kind</th><th class="n">Count</th></tr></thead><tbody>${errors
          .slice(0, MAX_ROWS)
          .map(
            (e) =>
              html`<tr><td>${e.phase}</td><td><code>${e.name}</code></td><td>${e.status}</td><td>${e.kind}</td><td class="n">${e.count}</td></tr>`,
          )}</tbody></table>`
      : html`<p class="muted">No failed request.</p>`
  }</div></section>`;
}
