// The top of the report: what was assessed, when, whether the run completed, the overall verdict.
import type { AssessmentRecord } from '../../../record/assessment-record.ts';
import { dateTime, ms, pct, rps } from '../fmt.ts';
import { html, raw, type SafeHtml } from '../safe.ts';
import { SEVERITY_ORDER } from '../../../record/findings.ts';
import { expectedLoadText } from '../../phase-figures.ts';
import { SEVERITY_LABEL, severityOf, verdictOf } from '../verdict.ts';

const GENERATOR_LIMITED = raw(
  '<div class="warning"><strong>The load generator limited this run.</strong> ' +
    'The other findings and figures are unreliable until it is re-run with more generator capacity.</div>',
);

export function headerSection(r: AssessmentRecord): SafeHtml {
  const v = verdictOf(r);
  const findings = Array.isArray(r.findings) ? r.findings : [];
  const counts = SEVERITY_ORDER.map((s) => ({ s, n: findings.filter((f) => severityOf(f) === s).length })).filter((c) => c.n > 0);
  const slo = r.config?.slo;
  const status = ['completed', 'interrupted', 'failed'].includes(r.status) ? r.status : 'unknown';
  const cap = r.capacity;
  const badge = status === 'completed' ? 'ver-passed' : status === 'interrupted' ? 'ver-degraded' : 'ver-failed';
  const reason = r.statusReason ? html` <span class="muted">${r.statusReason}</span>` : '';
  const findingCounts = counts.length
    ? counts.map((c, i) => html`${i ? ', ' : ''}<span class="badge sev-${c.s}">${c.n} × ${SEVERITY_LABEL[c.s]}</span>`)
    : 'none';
  const capacity =
    cap && cap.sustainableRps != null
      ? html` · sustainable capacity <strong>${cap.lowerBound ? '≥ ' : ''}${rps(cap.sustainableRps)}</strong> at the SLO`
      : '';
  const unreliable = v.unreliable ? GENERATOR_LIMITED : '';
  const incomplete =
    status !== 'completed'
      ? html`<div class="warning">This assessment did not complete (${status}): the figures cover the phases that ran.</div>`
      : '';
  return html`<header class="header">
<div>
<h1>Performance assessment</h1>
<div class="target"><span class="muted">Target</span> <code data-field="target">${r.target}</code></div>
<div class="muted">${dateTime(r.startedAt)} · ${ms(r.durationMs)} · record <code>${r.id}</code></div>
</div>
<dl class="facts">
<dt>Status</dt><dd><span class="badge ${badge}">${status}</span>${reason}</dd>
<dt>SLO</dt><dd>${slo ? html`p${slo.latencyPercentile} &lt; ${ms(slo.latencyMs)}, errors &lt; ${pct(slo.errorRate)}` : '–'}</dd>
<dt>Expected load</dt><dd>${expectedLoadText(r)}</dd>
<dt>Findings</dt><dd>${findingCounts}</dd>
</dl>
</header>
<div class="verdict v-${v.status}" data-verdict="${v.status}"><strong>${v.status.toUpperCase()}</strong> — ${v.headline}${capacity}</div>
${unreliable}
${incomplete}`;
}
