// The load generator's self-check per phase: if it was the bottleneck, nothing else can be trusted.
import type { PhaseRecord } from '../../../record/assessment-record.ts';
import { bytes, ms, pct } from '../fmt.ts';
import { html, type SafeHtml } from '../safe.ts';
import { numeric, td, tdN, thead } from '../table.ts';

const COLUMNS = [
  'Phase',
  'Limited the run?',
  numeric('Workers'),
  numeric('CPU max'),
  numeric('CPU p95'),
  numeric('Loop delay p99'),
  numeric('Schedule delay p99'),
  numeric('Heap max'),
  numeric('RSS max'),
  'Reasons',
];

function generatorRow(p: PhaseRecord): SafeHtml {
  const g = p.run.generator;
  const reasons: unknown[] = Array.isArray(g.reasons) ? g.reasons : [];
  const cells = [
    td(p.name),
    td(g.limited ? html`<span class="badge ver-failed">yes</span>` : html`<span class="badge ver-passed">no</span>`),
    tdN(g.workers),
    tdN(pct(g.cpuMax, 0)),
    tdN(pct(g.cpuP95, 0)),
    tdN(ms(g.loopDelayP99MaxMs)),
    tdN(ms(g.scheduleDelayP99Ms)),
    tdN(bytes(g.heapUsedMaxBytes)),
    tdN(bytes(g.rssMaxBytes)),
    td(reasons.length ? reasons.map((r: unknown) => html`<div>${String(r)}</div>`) : html`<span class="muted">–</span>`),
  ];
  return html`<tr data-phase="${p.name}">${cells}</tr>`;
}

export function generatorSection(phases: readonly PhaseRecord[] | null | undefined): SafeHtml {
  const list = (Array.isArray(phases) ? phases : []).filter((p) => p.run?.generator);
  if (!list.length) return html``;
  const table = html`<table class="generator">${thead(COLUMNS)}<tbody>${list.map(generatorRow)}</tbody></table>`;
  return html`<section id="generator"><h2>Load generator health</h2><div class="card">${table}</div></section>`;
}
