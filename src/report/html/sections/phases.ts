// Phase verdict table and, per phase, throughput / latency / errors over time.
import type { AssessmentRecord, PhaseRecord, Slo } from '../../../record/assessment-record.ts';
import { phaseFigures } from '../../phase-figures.ts';
import { ms, pct, plain, rps } from '../fmt.ts';
import { html, num, raw, type SafeHtml } from '../safe.ts';
import { numeric, td, tdN, thead } from '../table.ts';
import { fmtSeconds, fmtTick } from '../scale.ts';
import { phaseSeries, type PhaseSeries } from '../../../analysis/per-second-series.ts';
import { renderChart, type ChartBand, type ChartLine, type ChartSeries, type Point } from '../svg-chart.ts';
import { phaseVerdictOf } from '../verdict.ts';

/** The figures of one phase as every report quotes them (report/phase-figures.ts); nulls when a stored record is damaged. */
function figuresOf(p: PhaseRecord): {
  rps: number | null;
  p50: number | null;
  p95: number | null;
  p99: number | null;
  errorRate: number | null;
  requests: number | null;
} {
  try {
    const f = phaseFigures(p);
    return { rps: f.rps, p50: f.p50Ms, p95: f.p95Ms, p99: f.p99Ms, errorRate: f.requests ? f.errorRate : null, requests: f.requests };
  } catch {
    // A damaged histogram in a stored record must not stop the rest of the report.
    return { rps: null, p50: null, p95: null, p99: null, errorRate: null, requests: null };
  }
}

const PHASE_COLUMNS = [
  'Phase',
  'What ran',
  numeric('Offered'),
  numeric('Achieved'),
  numeric('Requests'),
  numeric('p50'),
  numeric('p95'),
  numeric('p99'),
  numeric('Errors'),
  'Verdict',
  'Why',
];

const RESPONSE_TIME_NOTE = raw(
  '<p class="muted">Response time is http_req_duration, as in the Markdown and JSON reports; ' +
    'the latency charts below also show it from the intended start (queueing included).</p>',
);

function phaseRow(p: PhaseRecord): SafeHtml {
  const f = figuresOf(p);
  const v = phaseVerdictOf(p);
  const cells = [
    td(html`<a href="#phase-${anchor(p.name)}">${p.name}</a>`),
    td(p.description),
    tdN(rps(p.offeredRate)),
    tdN(rps(f.rps)),
    html`<td class="n" data-field="requests">${plain(f.requests, 0)}</td>`,
    tdN(ms(f.p50)),
    html`<td class="n" data-field="p95">${ms(f.p95)}</td>`,
    tdN(ms(f.p99)),
    tdN(pct(f.errorRate)),
    td(html`<span class="badge ver-${v}">${v}</span>`),
    td(p.verdictReason),
  ];
  return html`<tr data-phase="${p.name}">${cells}</tr>`;
}

export function phaseTable(phases: readonly PhaseRecord[]): SafeHtml {
  return html`<table class="phases">${thead(PHASE_COLUMNS)}<tbody>${phases.map(phaseRow)}</tbody></table>
${RESPONSE_TIME_NOTE}`;
}

/** In-page anchors only; the phase name is not trusted to be one of ours. */
function anchor(name: unknown): string {
  return String(name)
    .toLowerCase()
    .replace(/[^a-z0-9-]/g, '-');
}

function points(t: number[], ys: ReadonlyArray<number | null>): Point[] {
  return t.map((x, i) => ({ x, y: ys[i] ?? null }));
}

/** The offered arrival rate over the phase, where the record says what it was. */
function offeredSeries(p: PhaseRecord, s: PhaseSeries): Point[] {
  const end = s.spanSeconds;
  if (p.stress && Array.isArray(p.stress.steps) && p.stress.steps.length) {
    return p.stress.steps.flatMap((st) => [
      { x: st.fromSecond, y: st.offeredRate },
      { x: st.toSecond, y: st.offeredRate },
    ]);
  }
  if (p.spike) {
    const { baseRate, spikeRate, spikeFromSecond: a } = p.spike;
    // The spike's last second is spikeToSecond: it ends one second later.
    const b = p.spike.spikeToSecond + 1;
    return [
      { x: 0, y: baseRate },
      { x: a, y: baseRate },
      { x: a, y: spikeRate },
      { x: b, y: spikeRate },
      { x: b, y: baseRate },
      { x: end, y: baseRate },
    ];
  }
  if (p.recovery || !(num(p.offeredRate) !== null) || end <= 0) return [];
  return [
    { x: 0, y: p.offeredRate },
    { x: end, y: p.offeredRate },
  ];
}

function markers(p: PhaseRecord): { vLines: ChartLine[]; bands: ChartBand[] } {
  const vLines: ChartLine[] = [];
  const bands: ChartBand[] = [];
  if (p.spike)
    bands.push({ from: p.spike.spikeFromSecond, to: p.spike.spikeToSecond + 1, label: `spike ${fmtTick(p.spike.spikeRate)} req/s` });
  if (p.recovery) {
    vLines.push({ value: p.recovery.fromSecond, label: 'load dropped', colour: 'c-grey' });
    const after = num(p.recovery.recoveredAfterSeconds);
    if (after !== null)
      vLines.push({ value: p.recovery.fromSecond + after, label: `recovered (+${fmtSeconds(after)})`, colour: 'c-green' });
  }
  return { vLines, bands };
}

function chartBase(p: PhaseRecord, s: PhaseSeries) {
  const { vLines, bands } = markers(p);
  const offered = offeredSeries(p, s);
  const xMax = Math.max(s.spanSeconds, ...offered.map((o) => o.x));
  const common = { xLabel: 'time since phase start', xFormat: fmtSeconds, xMin: 0, xMax: xMax > 0 ? xMax : undefined, vLines, bands };
  const throughput: ChartSeries[] = [
    { key: 'rps', label: 'completed req/s', colour: 'c-blue', points: points(s.t, s.rps) },
    { key: 'failed', label: 'failed req/s', colour: 'c-red', points: points(s.t, s.failedRps) },
  ];
  if (offered.length) throughput.push({ key: 'offered', label: 'offered req/s', colour: 'c-grey', points: offered, dashed: true });
  return { common, throughput };
}

/** Offered vs completed requests per second over one phase (the report's summary shows the stress phase's). */
export function phaseThroughputChart(p: PhaseRecord, id: string, title = 'Throughput'): SafeHtml {
  const { common, throughput } = chartBase(p, phaseSeries(p.run));
  return renderChart({ ...common, id, title, yLabel: 'req/s', series: throughput });
}

export function phaseCharts(p: PhaseRecord, index: number, slo: Slo | undefined): SafeHtml {
  const s = phaseSeries(p.run);
  const id = `p${index}-${anchor(p.name)}`;
  const { common, throughput } = chartBase(p, s);
  const latName = s.latencyMetric === 'http_req_latency' ? 'from intended start' : 'service time';
  const latency: ChartSeries[] = [
    { key: 'p50', label: 'p50', colour: 'c-green', points: points(s.t, s.p50) },
    { key: 'p95', label: 'p95', colour: 'c-amber', points: points(s.t, s.p95) },
    { key: 'p99', label: 'p99', colour: 'c-purple', points: points(s.t, s.p99) },
  ];
  if (s.serviceP95.some((v) => v !== null))
    latency.push({
      key: 'service-p95',
      label: 'p95 service time (excl. queueing)',
      colour: 'c-grey',
      points: points(s.t, s.serviceP95),
      dashed: true,
    });
  const sloLat =
    slo && num(slo.latencyMs) !== null
      ? [{ value: slo.latencyMs, label: `SLO p${slo.latencyPercentile} < ${ms(slo.latencyMs)}`, colour: 'c-red' }]
      : [];
  const sloErr =
    slo && num(slo.errorRate) !== null
      ? [{ value: slo.errorRate * 100, label: `SLO errors < ${pct(slo.errorRate)}`, colour: 'c-red' }]
      : [];
  return html`<div class="charts">
${renderChart({ ...common, id: `${id}-throughput`, title: 'Throughput', yLabel: 'req/s', series: throughput })}
${renderChart({ ...common, id: `${id}-latency`, title: `Latency (${latName})`, yLabel: 'ms', series: latency, hLines: sloLat })}
${renderChart({
  ...common,
  id: `${id}-errors`,
  title: 'Errors',
  yLabel: 'failed (%)',
  yFormat: (v) => `${fmtTick(v)}%`,
  series: [
    {
      key: 'error-rate',
      label: 'failed requests (%)',
      colour: 'c-red',
      points: points(
        s.t,
        s.errorRate.map((e) => (e === null ? null : e * 100)),
      ),
    },
  ],
  hLines: sloErr,
})}
</div>`;
}

function phaseCard(p: PhaseRecord, index: number, slo: Slo | undefined): SafeHtml {
  const v = phaseVerdictOf(p);
  const reason = p.run?.statusReason ? html`: ${p.run.statusReason}` : '';
  const incomplete = p.run?.status && p.run.status !== 'completed' ? html`<p class="warning">Run ${p.run.status}${reason}</p>` : '';
  const heading = html`<h3>${p.name}<span class="badge ver-${v}">${v}</span></h3>`;
  const why = html`<p class="muted">${p.description} — ${p.verdictReason}</p>`;
  const body = [heading, why, incomplete, phaseCharts(p, index, slo)];
  return html`<div class="card phase" id="phase-${anchor(p.name)}" data-phase="${p.name}">${body}</div>`;
}

export function phasesSection(r: AssessmentRecord): SafeHtml {
  const phases = Array.isArray(r.phases) ? r.phases : [];
  if (!phases.length) return html`<section id="phases"><h2>Phases</h2><p class="muted">No phase ran.</p></section>`;
  return html`<section id="phases"><h2>Phases</h2><div class="card">${phaseTable(phases)}</div>
${phases.map((p, i) => phaseCard(p, i, r.config?.slo))}</section>`;
}
