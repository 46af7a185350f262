// Findings, most severe first: severity, evidence table, location, root cause, recommendation.
import { asRanked, type Finding } from '../../../record/findings.ts';
import { pct, withUnit } from '../fmt.ts';
import { html, type HtmlValue, type SafeHtml } from '../safe.ts';
import { numeric, td, tdN, thead } from '../table.ts';
import { SEVERITY_LABEL, severityOf } from '../verdict.ts';

function text(v: unknown): string {
  return v === null || v === undefined ? '' : String(v);
}

function location(f: Finding): SafeHtml | '' {
  const l = f.location;
  if (!l || typeof l !== 'object') return '';
  const parts: HtmlValue[] = [];
  if (l.endpoint) parts.push(html`<div><span class="muted">endpoint</span> <code>${l.endpoint}</code></div>`);
  if (l.file) {
    const where = `${l.file}${l.line != null ? `:${l.line}` : ''}`;
    const inFunction = l.function ? html` in <code>${l.function}</code>` : '';
    parts.push(html`<div><span class="muted">code</span> <code>${where}</code>${inFunction}</div>`);
  } else if (l.function) parts.push(html`<div><span class="muted">function</span> <code>${l.function}</code></div>`);
  return parts.length ? html`<h4>Location</h4>${parts}` : '';
}

function evidence(f: Finding): SafeHtml | '' {
  const rows = Array.isArray(f.evidence) ? f.evidence : [];
  if (!rows.length) return '';
  const body = rows.map((e) => {
    const value = typeof e.value === 'number' ? tdN(withUnit(e.value, e.unit)) : td(withUnit(e.value, e.unit));
    return html`<tr>${[td(text(e.label)), value, td(text(e.phase) || '–')]}</tr>`;
  });
  return html`<h4>Evidence</h4><table class="evidence">${thead(['Measure', numeric('Value'), 'Phase'])}<tbody>${body}</tbody></table>`;
}

function impact(f: Finding): SafeHtml | '' {
  const i = f.impact && typeof f.impact === 'object' ? f.impact : {};
  const rows: Array<[string, unknown]> = [
    ['Response time', i.responseTimeIncrease],
    ['Throughput', i.throughputReduction],
    ['Users', i.userExperience],
    ['Waste', i.resourceWaste],
  ];
  const shown = rows.filter(([, v]) => v);
  return shown.length ? html`<h4>Impact</h4><dl class="facts">${shown.map(([k, v]) => html`<dt>${k}</dt><dd>${text(v)}</dd>`)}</dl>` : '';
}

function recommendation(f: Finding): SafeHtml | '' {
  const r = f.recommendation;
  if (!r || typeof r !== 'object') return '';
  return html`<h4>Recommendation</h4><p>${text(r.approach)}</p><dl class="facts">
${r.expectedImprovement ? html`<dt>Expected</dt><dd>${text(r.expectedImprovement)}</dd>` : ''}
${r.effort ? html`<dt>Effort</dt><dd>${text(r.effort)}</dd>` : ''}
${r.testingRequired ? html`<dt>Testing</dt><dd>${text(r.testingRequired)}</dd>` : ''}
${r.rollbackPlan ? html`<dt>Rollback</dt><dd>${text(r.rollbackPlan)}</dd>` : ''}
</dl>`;
}

export function findingCard(f: Finding): SafeHtml {
  const sev = severityOf(f);
  const meta = [
    html`<span class="badge sev-${sev}">${SEVERITY_LABEL[sev]}</span>`,
    html`<code>${text(f.id)}</code>`,
    html`<span>${text(f.type)}</span>`,
    html`<span>confidence ${pct(f.confidence, 0)}</span>`,
    html`<span>${text(f.component)}</span>`,
    f.invalidatesOthers ? html`<span class="badge sev-high">invalidates the other findings</span>` : '',
  ];
  const rootCause = f.rootCause ? html`<h4>Root cause</h4><p>${text(f.rootCause)}</p>` : '';
  return html`<article class="card finding sev-b-${sev}" data-finding="${text(f.id)}" data-severity="${sev}">
<div class="meta">${meta}</div>
<h3>${text(f.title)}</h3>
<p>${text(f.description)}</p>
<div class="cols"><div>${evidence(f)}${location(f)}</div><div>${rootCause}${impact(f)}${recommendation(f)}</div></div>
</article>`;
}

export function findingsSection(findings: readonly Finding[] | null | undefined): SafeHtml {
  const list = asRanked(Array.isArray(findings) ? findings : []);
  const cards = list.length ? list.map(findingCard) : html`<p class="muted">No findings were recorded.</p>`;
  return html`<section id="findings"><h2>Findings</h2>${cards}</section>`;
}
