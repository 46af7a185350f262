// PERFORMANCE/ANALYSIS/<target>-<timestamp>.md: the evidence report of ASSESSMENT-RULES.md §5, sections in its
// order — Baseline Metrics, Bottlenecks Found, Optimizations Recommended, Results — then Capacity and
// the run's particulars. Rendered from the AssessmentRecord only; every string from the record goes
// through md()/mdLine() (the target controls URLs, request names and error text).
import type { Comparison } from '../record/comparison.ts';
import type { Finding } from '../record/findings.ts';
import type { AssessmentRecord } from '../record/assessment-record.ts';
import type { TargetResources } from '../record/target-resources.ts';
import { targetProbesOf, type CpuHotspot, type CpuProfileAnalysis, type ObserverEffect } from '../record/target-probes.ts';
import { observerText } from '../analysis/observer-effect.ts';
import { dbView } from '../analysis/database-figures.ts';
import { md, mdLine, mdTable } from './escape.ts';
import { databaseMarkdown } from './markdown-database.ts';
import { recordHeaderTable } from './markdown-header.ts';
import { fmtBytes, fmtDuration, fmtPercent } from './format.ts';
import { asRanked, priorityLabel } from '../record/findings.ts';
import {
  comparisonOf,
  durationPercentile,
  expectedLoadText,
  fmtValue,
  lowerBoundReason,
  phaseFigures,
  referencePhase,
  type PhaseFigures,
} from './phase-figures.ts';
import { signedPercent } from '../analysis/format.ts';

export interface AnalysisMarkdownOptions {
  /** Relative links to the sibling reports (e.g. "../LOAD_TESTS/TEST-20261125-100000.md"). */
  links?: Array<{ label: string; href: string }>;
}

const ms = (v: number | null | undefined) => (v === null || v === undefined ? 'n/a' : fmtDuration(v));
const rps = (v: number | null | undefined) => (v === null || v === undefined ? 'n/a' : `${v.toFixed(v >= 100 ? 0 : 1)} req/s`);
const pct = (v: number) => fmtPercent(v);

/** The target's CPU and memory rows: the record's figures (profiled runs), else "not measured". */
function resourceRows(r: TargetResources | null): string[][] {
  const cpu =
    r?.cpuAvgPercent != null
      ? `${r.cpuAvgPercent.toFixed(1)} % of one core (mean), peak ${r.cpuPeakPercent!.toFixed(1)} %` +
        (r.mainThreadMedianPercent != null ? `; main thread ${r.mainThreadMedianPercent.toFixed(1)} % (median)` : '')
      : 'not measured';
  const mem = r?.rssPeakBytes != null ? `${fmtBytes(r.rssPeakBytes)} RSS (peak)` : 'not measured';
  return [
    ['CPU (target)', cpu, '< 70 % under normal load'],
    ['Memory (target)', mem, '< 512 MB per service'],
  ];
}

export function renderAnalysisMarkdown(record: AssessmentRecord, opts: AnalysisMarkdownOptions = {}): string {
  const out: string[] = [];
  const { status, score } = record.verdict;
  const slo = record.config.slo;
  const findings = asRanked(record.findings);
  const bottlenecks = findings.filter((f) => f.severity !== 'info');
  const observations = findings.filter((f) => f.severity === 'info');
  const ran = record.phases.filter((p) => p.verdict !== 'skipped');
  const figures = ran.map(phaseFigures);

  out.push(`# Performance analysis: ${md(record.target)}`, '');
  out.push(
    `**Status: ${status.toUpperCase()}** · score ${score}/10 · ${bottlenecks.length} bottleneck(s) · ` +
      `${figures.map((p) => `${p.name} ${p.verdict}`).join(', ') || 'no phase ran'}`,
    '',
  );
  if (record.status !== 'completed') {
    out.push(
      `> **Assessment ${md(record.status)}:** ${md(record.statusReason ?? 'no reason recorded')}. The figures below are partial.`,
      '',
    );
  }
  for (const f of findings.filter((x) => x.invalidatesOthers)) {
    out.push(
      `> **Warning:** ${md(f.id)} ${md(f.title)}: the other figures and findings describe the load generator as much as the target.`,
      '',
    );
  }
  const sloSource = slo.source.length ? ` (${md(slo.source.join(', '))})` : '';
  const sloText = `p${slo.latencyPercentile} < ${slo.latencyMs} ms, errors < ${pct(slo.errorRate)}${sloSource}`;
  out.push(recordHeaderTable(record, sloText, [['Expected load', expectedLoadText(record)]]), '');
  if (opts.links?.length) out.push(`Related: ${opts.links.map((l) => `[${md(l.label)}](${encodeURI(l.href)})`).join(' · ')}`, '');

  // ── Baseline Metrics
  out.push('## Baseline Metrics', '');
  const ref = referencePhase(record);
  if (!ref) {
    out.push(
      record.phases.length === 0 && dbView(record)
        ? 'No load was run (a database analysis): the figures are in the Database section.'
        : 'No phase completed any request: there are no baseline figures.',
      '',
    );
  } else {
    const b = phaseFigures(ref);
    const atSlo = durationPercentile(ref.run, slo.latencyPercentile);
    out.push(`Figures from the ${md(b.name)} phase: ${md(b.description)}.`, '');
    const rows: string[][] = [
      ['Response time p50', ms(b.p50Ms), ''],
      ['Response time p95', ms(b.p95Ms), slo.latencyPercentile === 95 ? `< ${slo.latencyMs} ms (SLO)` : ''],
      ['Response time p99', ms(b.p99Ms), slo.latencyPercentile === 99 ? `< ${slo.latencyMs} ms (SLO)` : ''],
    ];
    if (![95, 99].includes(slo.latencyPercentile))
      rows.push([`Response time p${slo.latencyPercentile}`, ms(atSlo), `< ${slo.latencyMs} ms (SLO)`]);
    rows.push(
      ['Throughput', rps(b.rps), record.config.expectedRate === null ? '' : `${rps(record.config.expectedRate)} expected`],
      ['Error rate', `${pct(b.errorRate)} (${b.failed} of ${b.requests})`, `< ${pct(slo.errorRate)} (SLO)`],
      ...resourceRows(record.resources ?? null),
    );
    out.push(mdTable(['Metric', 'Value', 'Target'], rows), '');
  }

  // ── Bottlenecks Found
  out.push('## Bottlenecks Found', '');
  if (!bottlenecks.length) out.push('No bottleneck found at the tested load.', '');
  bottlenecks.forEach((f, i) => out.push(...bottleneckSection(f, i + 1)));
  if (observations.length) {
    out.push('### Observations (no action needed)', '');
    for (const f of observations) out.push(`- ${md(f.id)} ${md(f.title)}: ${md(f.description)}`);
    out.push('');
  }

  const target = record.probes && typeof record.probes === 'object' ? targetProbesOf(record) : null;
  const profile = target?.cpuProfile ?? null;
  if (profile) out.push(...profileSection(profile, target?.observer ?? null));
  out.push(...databaseMarkdown(record));

  // ── Optimizations Recommended
  out.push('## Optimizations Recommended', '');
  if (!bottlenecks.length) out.push('None: nothing to optimise at the tested load.', '');
  bottlenecks.forEach((f, i) => {
    out.push(`### OPT-${String(i + 1).padStart(3, '0')}: ${md(f.title)} (${md(f.id)}, ${priorityLabel(f.severity)})`, '');
    out.push(`- **Change:** ${md(f.recommendation.approach)}`);
    out.push(`- **Expected improvement:** ${md(f.recommendation.expectedImprovement)}`);
    out.push(`- **Effort:** ${md(f.recommendation.effort)}`);
    out.push(`- **Testing:** ${md(f.recommendation.testingRequired)}`);
    out.push(`- **Rollback:** ${md(f.recommendation.rollbackPlan)}`, '');
  });

  // ── Results
  out.push('## Results', '');
  if (!figures.length) out.push('No phase ran.', '');
  else out.push(resultsTable(figures), '');
  out.push('### Phase verdicts', '');
  for (const p of record.phases) out.push(`- **${md(p.name)}**: ${md(p.verdict)}: ${md(p.verdictReason)}`);
  out.push('');
  const cmp = comparisonOf(record.comparison);
  if (cmp) out.push(...comparisonSection(cmp));

  // ── Capacity
  out.push('## Capacity', '');
  out.push(...capacitySection(record), '');

  // ── Particulars
  out.push('## About this assessment', '');
  const e = record.environment;
  out.push(
    `speedguard ${md(e.speedguard)} on Node ${md(e.node)}, ${md(e.platform)}/${md(e.arch)}, ${e.cpus} CPU(s), ${e.workers} worker(s). ` +
      'Response time is http_req_duration (sending + waiting + receiving).',
    '',
  );
  return out.join('\n').replace(/\n{3,}/g, '\n\n');
}

function bottleneckSection(f: Finding, n: number): string[] {
  const out: string[] = [];
  out.push(`### ${n}. ${md(f.id)}: ${md(f.title)}`, '');
  out.push(
    `- **Severity:** ${priorityLabel(f.severity)} ${md(f.severity)} · **Confidence:** ${Math.round(f.confidence * 100)} % · ` +
      `**Type:** ${md(f.type)} · **Component:** ${md(f.component)}`,
  );
  out.push(`- **Location:** ${locationText(f)}`);
  out.push(`- **Root cause:** ${md(f.rootCause)}`);
  const impact = [
    f.impact.responseTimeIncrease && `response time: ${md(f.impact.responseTimeIncrease)}`,
    f.impact.throughputReduction && `throughput: ${md(f.impact.throughputReduction)}`,
    f.impact.userExperience && `users: ${md(f.impact.userExperience)}`,
    f.impact.resourceWaste && `resources: ${md(f.impact.resourceWaste)}`,
  ].filter(Boolean);
  if (impact.length) out.push(`- **Impact:** ${impact.join('; ')}`);
  out.push('', mdLine(f.description), '');
  if (f.evidence.length) {
    out.push(
      mdTable(
        ['Evidence', 'Value', 'Phase'],
        f.evidence.map((e) => [md(e.label), md(fmtValue(e.value, e.unit)), md(e.phase ?? '')]),
      ),
      '',
    );
  }
  return out;
}

const PROFILE_ROWS = 10;

function hotspotWhere(file: string, line: number): string {
  return file ? `${md(file)}${line > 0 ? `:${line}` : ''}` : '(native)';
}

function hotspotRows(rows: readonly CpuHotspot[]): string[][] {
  return rows
    .slice(0, PROFILE_ROWS)
    .map((h) => [
      md(h.function),
      hotspotWhere(h.file, h.line) + (h.hotLine && h.hotLine !== h.line ? ` (hot line ${h.hotLine})` : ''),
      ms(h.selfMs),
      pct(h.selfShare),
      ms(h.totalMs),
      pct(h.totalShare),
      md(h.category),
      h.caller ? `${md(h.caller.function)} ${hotspotWhere(h.caller.file, h.caller.line)}` : '',
    ]);
}

/** "### Profile": the CPU profile of the measured window (speedguard profile / assess --profile). */
function profileSection(p: CpuProfileAnalysis, observer: ObserverEffect | null): string[] {
  const head = ['Function', 'Location', 'Self', 'Self %', 'Total', 'Total %', 'Kind', 'Called from'];
  const align: Array<'l' | 'r'> = ['l', 'l', 'r', 'r', 'r', 'r', 'l', 'l'];
  const out = [
    '### Profile',
    '',
    `CPU profile of the measured window: ${fmtDuration(p.durationMs)}, ${p.samples} samples; idle ${pct(p.idleShare)}, ` +
      `garbage collector ${pct(p.gcShare)}, V8/native (program) ${pct(p.programShare)}. ` +
      `Saved as ${md(p.path)} (opens in Chrome DevTools). ` +
      `Shares below are of the non-idle time; total time counts a recursive function once.`,
    '',
  ];
  // The observer effect, beside the figures it qualifies (issue 12).
  if (observer && typeof observer === 'object') out.push(`**Observer effect.** ${md(observerText(observer))}`, '');
  if (!p.topSelf.length) return [...out, 'No busy samples in the profile.', ''];
  out.push('**Top functions by self time**', '', mdTable(head, hotspotRows(p.topSelf), align), '');
  out.push('**Top functions by total time**', '', mdTable(head, hotspotRows(p.topTotal), align), '');
  return out;
}

function locationText(f: Finding): string {
  const l = f.location;
  if (!l) return 'not located';
  const parts: string[] = [];
  if (l.endpoint) parts.push(`endpoint ${md(l.endpoint)}`);
  if (l.file) parts.push(`${md(l.file)}${l.line != null ? `:${l.line}` : ''}`);
  if (l.function) parts.push(`function ${md(l.function)}`);
  return parts.join(', ') || 'not located';
}

export function resultsTable(figures: PhaseFigures[]): string {
  return mdTable(
    ['Phase', 'Offered', 'Duration', 'Requests', 'Throughput', 'p50', 'p95', 'p99', 'Errors', 'Verdict'],
    figures.map((p) => [
      md(p.name),
      rps(p.offeredRate),
      `${p.durationS.toFixed(0)} s`,
      String(p.requests),
      rps(p.rps),
      ms(p.p50Ms),
      ms(p.p95Ms),
      ms(p.p99Ms),
      pct(p.errorRate),
      md(p.verdict),
    ]),
    ['l', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'l'],
  );
}

function capacitySection(record: AssessmentRecord): string[] {
  const c = record.capacity;
  const stress = record.phases.find((p) => p.name === 'stress' && p.stress)?.stress;
  if (!c) {
    const lines = ['No capacity model: the stress phase did not give three usable steps (or did not run).'];
    if (stress?.maxSustainableRate != null)
      lines.push('', `Highest offered rate that met the SLO in the stress phase: ${rps(stress.maxSustainableRate)}.`);
    return lines;
  }
  const lines = [
    "Universal Scalability Law fitted to the stress phase (concurrency from Little's law vs throughput): " +
      'X(N) = λN / (1 + σ(N−1) + κN(N−1)).',
    '',
    mdTable(
      ['Figure', 'Value'],
      [
        [
          'Sustainable throughput at the SLO',
          c.lowerBound ? `≥ ${rps(c.sustainableRps)} (${lowerBoundReason(c.limitedBy)})` : rps(c.sustainableRps),
        ],
        ['Knee (throughput stops growing linearly)', rps(c.kneeRps)],
        ['Concurrency at the sustainable rate', c.sustainableConcurrency == null ? 'n/a' : c.sustainableConcurrency.toFixed(1)],
        [
          'Peak of the fitted curve',
          c.peakThroughputRps === null || c.peakConcurrency === null
            ? 'no maximum within twice the measured range'
            : `${rps(c.peakThroughputRps)} at concurrency ${c.peakConcurrency.toFixed(1)}`,
        ],
        ['σ (contention)', c.sigma.toPrecision(3)],
        ['κ (coherency)', c.kappa.toPrecision(3)],
        ['λ (single-unit throughput)', rps(c.lambda)],
        ['Fit quality', `${md(c.fitQuality)} (r² = ${c.r2.toFixed(3)}, ${c.points.length} points)`],
      ],
    ),
  ];
  const g = c.growth;
  if (g) {
    lines.push('');
    const outlook = g.exceedsAt
      ? `load exceeds the sustainable capacity on **${md(g.exceedsAt)}**`
      : 'load stays within capacity for the next 10 years';
    lines.push(`- **Growth:** ${g.percentPerQuarter} % per quarter from ${rps(g.currentRps)}: ${outlook}.`);
    if (g.targetRps !== null)
      lines.push(
        `- **Target load:** ${rps(g.targetRps)}: ` +
          `${g.instancesNeeded === null ? 'instances needed unknown' : `${g.instancesNeeded} instance(s) of this size`}.`,
      );
  }
  return lines;
}

function fmtIn(v: number | null, unit: Comparison['metrics'][number]['unit']): string {
  if (v === null) return 'n/a';
  if (unit === 'ms') return fmtDuration(v);
  if (unit === 'ratio') return fmtPercent(v);
  if (unit === 'req/s') return rps(v);
  return `${Number(v.toPrecision(4))} ${unit}`;
}

const signedPct = (v: number | null) => (v === null ? 'n/a' : signedPercent(v));

function comparisonSection(c: Comparison): string[] {
  const rows = c.metrics.map((m) => [
    md(m.label),
    fmtIn(m.baseline, m.unit),
    fmtIn(m.current, m.unit),
    signedPct(m.change),
    m.ci
      ? `${signedPct(m.ci.low)} … ${m.ci.high === null ? 'unbounded' : signedPct(m.ci.high)} (${Math.round(m.ci.confidence * 100)} %)`
      : 'n/a',
    m.pValue === null ? 'n/a' : m.pValue < 0.001 ? '< 0.001' : m.pValue.toFixed(3),
    m.verdict === 'regression' ? `**regression${m.severity ? ` (${md(m.severity)})` : ''}**` : md(m.verdict),
  ]);
  const out = [
    '### Compared with the baseline run',
    '',
    `Baseline ${md(c.baseline.id)} (${md(c.baseline.startedAt)}${c.baseline.phase ? `, ${md(c.baseline.phase)} phase` : ''}): ` +
      `**${md(c.verdict)}**, ${c.regressions} regression(s), ${c.improvements} improvement(s). A change counts only when significant ` +
      `(Mann–Whitney U on per-second values, α = ${c.settings.alpha}).`,
    '',
    mdTable(['Metric', 'Baseline', 'Current', 'Change', 'Confidence interval', 'p', 'Verdict'], rows),
    '',
  ];
  for (const n of c.notes) out.push(`- ${md(n)}`);
  if (c.notes.length) out.push('');
  return out;
}
