// What one request to each endpoint looked like: caching, compression and connection headers.
import type { HttpInspection } from '../../../record/assessment-record.ts';
import { bytes } from '../fmt.ts';
import { html, type SafeHtml } from '../safe.ts';
import { numeric, td, tdN, thead } from '../table.ts';

const COLUMNS = ['Request', numeric('Status'), 'Encoding', numeric('On the wire'), numeric('Body'), 'Headers'];

function inspectionRow(i: HttpInspection): SafeHtml {
  const headers = i.headers && typeof i.headers === 'object' ? Object.entries(i.headers) : [];
  const name = i.name && i.name !== i.url ? html`<div class="muted">${i.name}</div>` : '';
  const error = i.error ? html`<div><strong>error:</strong> ${i.error}</div>` : '';
  const cells = [
    td(html`<code>${i.method} ${i.url}</code>${name}${error}`),
    tdN(i.status),
    td(i.encoding ?? 'none'),
    tdN(bytes(i.transferBytes)),
    tdN(bytes(i.bodyBytes)),
    td(headers.length ? headers.map(([k, v]) => html`<div class="mono">${k}: ${String(v)}</div>`) : html`<span class="muted">–</span>`),
  ];
  return html`<tr>${cells}</tr>`;
}

export function inspectionSection(list: readonly HttpInspection[] | null | undefined): SafeHtml {
  const rows = Array.isArray(list) ? list : [];
  if (!rows.length) return html``;
  const table = html`<table class="inspection">${thead(COLUMNS)}<tbody>${rows.map(inspectionRow)}</tbody></table>`;
  return html`<section id="inspection"><h2>HTTP inspection</h2><div class="card">${table}</div></section>`;
}
