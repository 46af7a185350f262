// The load generator's self-check per phase: if it was the bottleneck, nothing else can be trusted.
import type { PhaseRecord } from '../../../record/assessment-record.ts';
import { bytes, ms, pct } from '../fmt.ts';
import { html, type SafeHtml } from '../safe.ts';

export function generatorSection(phases: readonly PhaseRecord[] | null | undefined): SafeHtml {
  const list = (Array.isArray(phases) ? phases : []).filter((p) => p.run?.generator);
  if (!list.length) return html``;
  return html`<section id="generator"><h2>Load generator health</h2><div class="card"><table class="generator"><thead><tr><th>Phase</th><th>Limited the run?</th><th class="n">Workers</th><th class="n">CPU max</th><th class="n">CPU p95</th><th class="n">Loop delay p99</th><th class="n">Schedule delay p99</th><th class="n">Heap max</th><th class="n">RSS max</th><th>Reasons</th></tr></thead><tbody>${list.map(
    (p) => {
      const g = p.run.generator;
      const reasons: unknown[] = Array.isArray(g.reasons) ? g.reasons : [];
      return html`<tr data-phase="${p.name}"><td>${p.name}</td><td>${g.limited ? html`<span class="badge ver-failed">yes</span>` : html`<span class="badge ver-passed">no</span>`}</td><td class="n">${g.workers}</td><td class="n">${pct(g.cpuMax, 0)}</td><td class="n">${pct(g.cpuP95, 0)}</td><td class="n">${ms(g.loopDelayP99MaxMs)}</td><td class="n">${ms(g.scheduleDelayP99Ms)}</td><td class="n">${bytes(g.heapUsedMaxBytes)}</td><td class="n">${bytes(g.rssMaxBytes)}</td><td>${reasons.length ? reasons.map((r: unknown) => html`<div>${String(r)}</div>`) : html`<span class="muted">–</span>`}</td></tr>`;
    },
  )}</tbody></table></div></section>`;
}
