// Where and how the assessment ran: tool versions, machine, configuration.
import type { AssessmentRecord } from '../../../record/assessment-record.ts';
import { dateTime, ms, plain, rps } from '../fmt.ts';
import { html, type SafeHtml } from '../safe.ts';

export function environmentSection(r: AssessmentRecord): SafeHtml {
  const e = r.environment ?? ({} as Partial<AssessmentRecord['environment']>);
  const c = r.config;
  const suite = Array.isArray(c?.suite) ? c.suite.join(', ') : '–';
  const slo = Array.isArray(c?.slo?.source) ? c.slo.source.join(', ') : '–';
  const comparison = r.comparison && typeof r.comparison === 'object' ? r.comparison : null;
  const target = c?.targetRate != null ? html`, target ${rps(c.targetRate)}` : '';
  const growth =
    c?.growthPercentPerQuarter != null ? html`<dt>Growth</dt><dd>${plain(c.growthPercentPerQuarter, 1)} % per quarter${target}</dd>` : '';
  const regressions = comparison?.regressions != null ? html` (${String(comparison.regressions)} regression(s))` : '';
  const baseline = comparison ? html`<dt>Baseline comparison</dt><dd>${String(comparison.verdict ?? 'present')}${regressions}</dd>` : '';
  return html`<section id="environment"><h2>Environment and configuration</h2><div class="card"><dl class="facts">
<dt>speedguard</dt><dd>${e.speedguard ?? '–'}</dd>
<dt>Node.js</dt><dd>${e.node ?? '–'}</dd>
<dt>Platform</dt><dd>${e.platform ?? '–'} ${e.arch ?? ''}, ${plain(e.cpus, 0)} CPUs, ${plain(e.workers, 0)} load worker(s)</dd>
<dt>Started</dt><dd>${dateTime(r.startedAt)}</dd>
<dt>Ended</dt><dd>${dateTime(r.endedAt)} (${ms(r.durationMs)})</dd>
<dt>Target name</dt><dd><code>${r.targetName}</code></dd>
<dt>Phases</dt><dd>${suite}</dd>
<dt>SLO</dt><dd>${slo}</dd>
<dt>Expected rate</dt><dd>${c?.expectedRate != null ? rps(c.expectedRate) : 'not given'}</dd>
<dt>Soak length</dt><dd>${ms(c?.soakMs)}</dd>
${growth}
${baseline}
<dt>Record</dt><dd><code>${r.id}</code> (${r.schema})</dd>
</dl></div></section>`;
}
