// Table markup shared by the HTML sections: a section lists its columns and cells one per line
// instead of writing one long template per table.
import { html, type HtmlValue, type SafeHtml } from './safe.ts';

/** A column heading; a `numeric` one is right-aligned like the figures under it (class "n"). */
export type Column = string | { numeric: string };
export const numeric = (label: string): Column => ({ numeric: label });

export function thead(columns: readonly Column[]): SafeHtml {
  const cells = columns.map((c) => (typeof c === 'string' ? html`<th>${c}</th>` : html`<th class="n">${c.numeric}</th>`));
  return html`<thead><tr>${cells}</tr></thead>`;
}

export const td = (value: HtmlValue): SafeHtml => html`<td>${value}</td>`;
/** A right-aligned figure (class "n"). */
export const tdN = (value: HtmlValue): SafeHtml => html`<td class="n">${value}</td>`;
