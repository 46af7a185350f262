// Capacity: the stress staircase, the latency–throughput curve with its knee, and the USL fit.
import type { AssessmentRecord, CapacityModel, PhaseRecord, Slo, StressStep } from '../../../record/assessment-record.ts';
import { DASH, ms, pct, plain, rps } from '../fmt.ts';
import { html, num, type SafeHtml } from '../safe.ts';
import { numeric, td, tdN, thead } from '../table.ts';
import { fmtTick } from '../scale.ts';
import { renderChart, type ChartLine, type ChartSeries } from '../svg-chart.ts';
import { uslCurve } from '../usl-curve.ts';
import { lowerBoundReason, STOP_REASON_TEXT } from '../../phase-figures.ts';
import { capacityAtSlo } from '../../../analysis/capacity-figure.ts';
import { phaseThroughputChart } from './phases.ts';

function steps(p: PhaseRecord | undefined): StressStep[] {
  return p?.stress && Array.isArray(p.stress.steps) ? p.stress.steps : [];
}

/** Mean latency of a step by Little's law (ms): N / X. */
function meanMs(s: StressStep): number | null {
  const n = num(s.concurrency);
  const x = num(s.achievedRate);
  return n !== null && x !== null && x > 0 ? (n / x) * 1000 : null;
}

export function latencyThroughputChart(
  st: readonly StressStep[],
  cap: CapacityModel | null,
  slo: Slo | undefined,
  stress: PhaseRecord['stress'],
): SafeHtml {
  const at = (f: (s: StressStep) => number | null) =>
    st.map((s) => ({
      x: s.achievedRate,
      y: f(s),
      title:
        `offered ${rps(s.offeredRate)}: achieved ${rps(s.achievedRate)}, p50 ${ms(s.p50Ms)}, p95 ${ms(s.p95Ms)}, p99 ` +
        `${ms(s.p99Ms)}, errors ${pct(s.errorRate)}`,
    }));
  const series: ChartSeries[] = [
    { key: 'p50', label: 'p50', colour: 'c-green', kind: 'linepoints', points: at((s) => s.p50Ms) },
    { key: 'p95', label: 'p95', colour: 'c-amber', kind: 'linepoints', points: at((s) => s.p95Ms) },
    { key: 'p99', label: 'p99', colour: 'c-purple', kind: 'linepoints', points: at((s) => s.p99Ms) },
  ];
  const maxN = Math.max(0, ...st.map((s) => num(s.concurrency) ?? 0));
  if (cap) {
    series.push({ key: 'mean', label: "mean (Little's law)", colour: 'c-teal', kind: 'points', points: at(meanMs) });
    const curve = uslCurve(cap, maxN * 1.1);
    if (curve.length)
      series.push({
        key: 'usl',
        label: 'USL fit (mean latency)',
        colour: 'c-grey',
        dashed: true,
        points: curve.map((c) => ({ x: c.throughput, y: c.latencyMs })),
      });
  }
  const vLines: ChartLine[] = [];
  if (cap && num(cap.kneeRps) !== null) vLines.push({ value: cap.kneeRps!, label: `knee ${rps(cap.kneeRps)}`, colour: 'c-amber' });
  const hLines: ChartLine[] =
    slo && num(slo.latencyMs) !== null
      ? [{ value: slo.latencyMs, label: `SLO p${slo.latencyPercentile} < ${ms(slo.latencyMs)}`, colour: 'c-red' }]
      : [];
  const maxP99 = Math.max(0, ...st.map((s) => num(s.p99Ms) ?? 0));
  return renderChart({
    id: 'capacity-latency-throughput',
    title:
      `Latency vs throughput (stress ` +
      `steps)${stress?.breakingRate != null ? ` — broke at ${fmtTick(stress.breakingRate)} req/s offered` : ''}`,
    xLabel: 'achieved throughput (req/s)',
    yLabel: 'ms',
    series,
    vLines,
    hLines,
    yMax: maxP99 > 0 ? maxP99 * 1.15 : undefined,
    xMin: 0,
    width: 600,
    height: 300,
  });
}

export function uslChart(cap: CapacityModel): SafeHtml {
  const pts = Array.isArray(cap.points) ? cap.points.filter((p) => num(p.concurrency) !== null && num(p.throughput) !== null) : [];
  const maxN = Math.max(0, ...pts.map((p) => p.concurrency));
  const peakN = num(cap.peakConcurrency);
  const nMax = Math.max(maxN * 1.25, peakN !== null && peakN < maxN * 3 ? peakN * 1.15 : 0);
  const curve = uslCurve(cap, nMax);
  const lambda = num(cap.lambda) ?? 0;
  const yTop = Math.max(0, ...pts.map((p) => p.throughput), ...curve.map((c) => c.throughput));
  const vLines: ChartLine[] =
    peakN !== null && peakN <= nMax ? [{ value: peakN, label: `peak ${rps(cap.peakThroughputRps)}`, colour: 'c-purple' }] : [];
  const hLines: ChartLine[] =
    num(cap.sustainableRps) !== null
      ? [{ value: cap.sustainableRps!, label: `sustainable at SLO ${rps(cap.sustainableRps)}`, colour: 'c-green' }]
      : [];
  return renderChart({
    id: 'capacity-usl',
    title: `Throughput vs concurrency — USL fit (R² ${plain(cap.r2, 3)}, ${cap.fitQuality})`,
    xLabel: "concurrency N (requests in the system, Little's law)",
    yLabel: 'req/s',
    xMin: 0,
    yMin: 0,
    yMax: yTop > 0 ? yTop * 1.12 : undefined,
    series: [
      {
        key: 'measured',
        label: 'measured',
        colour: 'c-blue',
        kind: 'points',
        points: pts.map((p) => ({ x: p.concurrency, y: p.throughput, title: `N ${plain(p.concurrency)}: ${rps(p.throughput)}` })),
      },
      {
        key: 'usl',
        label: 'USL X(N) = λN / (1 + σ(N−1) + κN(N−1))',
        colour: 'c-grey',
        points: curve.map((c) => ({ x: c.concurrency, y: c.throughput })),
      },
      {
        key: 'linear',
        label: 'linear scaling λN',
        colour: 'c-teal',
        dashed: true,
        points:
          lambda > 0 && nMax > 0
            ? [
                { x: 0, y: 0 },
                { x: nMax, y: lambda * nMax },
              ]
            : [],
      },
    ],
    vLines,
    hLines,
    width: 600,
    height: 300,
  });
}

const STEP_COLUMNS = [
  numeric('Step'),
  numeric('Offered'),
  numeric('Achieved'),
  numeric('p50'),
  numeric('p95'),
  numeric('p99'),
  numeric('Errors'),
  numeric('Concurrency'),
  numeric('Dropped'),
  'SLO',
];

function stepTable(st: readonly StressStep[], breakingRate: number | null | undefined): SafeHtml {
  const row = (s: StressStep, i: number) => {
    const breaking = breakingRate != null && s.offeredRate === breakingRate ? ' (breaking point)' : '';
    const cells = [
      tdN(i + 1),
      tdN(rps(s.offeredRate)),
      tdN(rps(s.achievedRate)),
      tdN(ms(s.p50Ms)),
      tdN(ms(s.p95Ms)),
      tdN(ms(s.p99Ms)),
      tdN(pct(s.errorRate)),
      tdN(plain(s.concurrency, 1)),
      tdN(plain(s.droppedIterations, 0)),
      td(html`${s.sloOk ? 'met' : html`<strong>broken</strong>`}${breaking}`),
    ];
    return html`<tr data-step="${i + 1}">${cells}</tr>`;
  };
  return html`<table class="steps">${thead(STEP_COLUMNS)}<tbody>${st.map(row)}</tbody></table>`;
}

function tile(k: string, v: string, sub = ''): SafeHtml {
  return html`<div class="tile"><div class="k">${k}</div><div class="v">${v}</div>${sub ? html`<div class="k">${sub}</div>` : ''}</div>`;
}

function stressOf(r: AssessmentRecord): PhaseRecord | undefined {
  return (Array.isArray(r.phases) ? r.phases : []).find((p) => p.stress);
}

function tiles(r: AssessmentRecord): SafeHtml {
  const stress = stressOf(r);
  const cap = r.capacity;
  return html`<div class="tiles">${[
    tile(
      'Sustainable at the SLO',
      `${cap?.lowerBound ? '≥ ' : ''}${rps(capacityAtSlo(r))}`,
      cap?.lowerBound
        ? `a lower bound: ${lowerBoundReason(cap.limitedBy)}`
        : num(cap?.sustainableConcurrency) !== null
          ? `≈ ${plain(cap!.sustainableConcurrency, 1)} requests in flight`
          : '',
    ),
    tile('Knee', rps(cap?.kneeRps), cap ? 'throughput stops growing linearly' : 'needs a capacity model (3 usable stress steps)'),
    tile(
      'Breaking point',
      rps(stress?.stress?.breakingRate),
      stress?.stress
        ? `stopped: ${(STOP_REASON_TEXT as Record<string, string>)[stress.stress.stopReason] ?? String(stress.stress.stopReason)}`
        : '',
    ),
    cap
      ? num(cap.peakThroughputRps) !== null
        ? tile('USL peak', rps(cap.peakThroughputRps), `at N ≈ ${plain(cap.peakConcurrency, 1)}`)
        : tile('USL peak', 'none in range', 'the fit has no maximum near the measured load')
      : '',
  ]}</div>`;
}

/**
 * The top of the report, above the findings: the capacity figures and the key charts (latency vs
 * throughput, the USL fit). Null when no stress phase ran and there is no model: the phases'
 * charts then come first instead (html.ts).
 */
export function capacitySummary(r: AssessmentRecord): SafeHtml | null {
  const stress = stressOf(r);
  const st = steps(stress);
  const cap = r.capacity;
  if (!stress && !cap) return null;
  const latencyChart = st.length ? latencyThroughputChart(st, cap, r.config?.slo, stress?.stress) : '';
  const throughputChart = cap
    ? uslChart(cap)
    : stress
      ? phaseThroughputChart(stress, 'capacity-stress-throughput', 'Stress staircase: offered vs completed req/s')
      : '';
  return html`<section id="capacity"><h2>Capacity</h2>
${tiles(r)}
<div class="charts key">${latencyChart}${throughputChart}</div>
<p class="muted"><a href="#capacity-details">The model, growth and every stress step</a> are below the findings.</p>
</section>`;
}

const NO_STRESS = html`<p class="muted">No stress phase ran, so no capacity was measured.</p>`;

/** The USL parameters, growth and the stress-step table: details, after the findings and phases. */
export function capacityDetails(r: AssessmentRecord): SafeHtml {
  const stress = stressOf(r);
  const st = steps(stress);
  const cap = r.capacity;
  if (!stress && !cap) return html`<section id="capacity-details"><h2>Capacity</h2>${NO_STRESS}</section>`;
  const g = cap?.growth;
  const model = cap
    ? html`<h4>Universal Scalability Law fit</h4><dl class="facts">
<dt>λ (throughput per unit of concurrency)</dt><dd>${plain(cap.lambda, 3)} req/s</dd>
<dt>σ (contention)</dt><dd>${plain(cap.sigma, 4)}</dd>
<dt>κ (coherency)</dt><dd>${plain(cap.kappa, 5)}</dd>
<dt>Fit quality</dt><dd>R² ${plain(cap.r2, 3)} (${cap.fitQuality}) over ${Array.isArray(cap.points) ? cap.points.length : 0} points</dd>
</dl>`
    : html`<p class="muted">Too few usable stress steps for a USL fit.</p>`;
  const instances = g?.instancesNeeded != null ? `${plain(g.instancesNeeded, 0)} instance(s)` : DASH;
  const target = g?.targetRps != null ? html`<dt>Target load</dt><dd>${rps(g.targetRps)} → ${instances}</dd>` : '';
  const growth = g
    ? html`<h4>Growth</h4><dl class="facts">
<dt>Growth</dt><dd>${plain(g.percentPerQuarter, 1)} % per quarter from ${rps(g.currentRps)}</dd>
<dt>Load exceeds capacity</dt><dd>${g.exceedsAt ?? 'not within 10 years'}</dd>
${target}
</dl>`
    : '';
  const stepsTable = st.length ? html`<h4>Stress steps</h4>${stepTable(st, stress?.stress?.breakingRate)}` : '';
  return html`<section id="capacity-details"><h2>Capacity model and stress steps</h2>
<div class="card">${model}${growth}${stepsTable}</div>
</section>`;
}
