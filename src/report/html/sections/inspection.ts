// What one request to each endpoint looked like: caching, compression and connection headers.
import type { HttpInspection } from '../../../record/assessment-record.ts';
import { bytes } from '../fmt.ts';
import { html, type SafeHtml } from '../safe.ts';

export function inspectionSection(list: readonly HttpInspection[] | null | undefined): SafeHtml {
  const rows = Array.isArray(list) ? list : [];
  if (!rows.length) return html``;
  return html`<section id="inspection"><h2>HTTP inspection</h2><div class="card"><table class="inspection"><thead><tr><th>Request</th><th class="n">Status</th><th>Encoding</th><th class="n">On the wire</th><th class="n">Body</th><th>Headers</th></tr></thead><tbody>${rows.map(
    (i) => {
      const headers = i.headers && typeof i.headers === 'object' ? Object.entries(i.headers) : [];
      return html`<tr><td><code>${i.method} ${i.url}</code>${i.name && i.name !== i.url ? html`<div class="muted">${i.name}</div>` : ''}${i.error ? html`<div><strong>error:</strong> ${i.error}</div>` : ''}</td><td class="n">${i.status}</td><td>${i.encoding ?? 'none'}</td><td class="n">${bytes(i.transferBytes)}</td><td class="n">${bytes(i.bodyBytes)}</td><td>${headers.length ? headers.map(([k, v]) => html`<div class="mono">${k}: ${String(v)}</div>`) : html`<span class="muted">–</span>`}</td></tr>`;
    },
  )}</tbody></table></div></section>`;
}
