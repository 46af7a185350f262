// PERFORMANCE/LOAD_TESTS/TEST-<timestamp>.md: the load-test report (ASSESSMENT-RULES.md §1 LOAD_TESTING) — the
// scenarios (assessment phases), each phase's figures, the stress staircase, the spike and recovery
// figures and the load generator's health (which says whether the figures can be trusted).
// Rendered from the AssessmentRecord only; strings from the record go through md().
import type { AssessmentRecord, PhaseRecord } from '../record/assessment-record.ts';
import { md, mdTable } from './escape.ts';
import { fmtDuration, fmtPercent } from './format.ts';
import { recordHeaderTable } from './markdown-header.ts';
import { endpointFigures, phaseFigures, secondsOf, STOP_REASON_TEXT, type SecondFigures } from './phase-figures.ts';

const ms = (v: number | null | undefined) => (v === null || v === undefined ? 'n/a' : fmtDuration(v));
const rps = (v: number | null | undefined) => (v === null || v === undefined ? 'n/a' : `${v.toFixed(v >= 100 ? 0 : 1)} req/s`);

export interface LoadTestMarkdownOptions {
  /** The report's own name, e.g. "TEST-20261125-100000" (title). */
  title?: string;
  links?: Array<{ label: string; href: string }>;
}

export function renderLoadTestMarkdown(record: AssessmentRecord, opts: LoadTestMarkdownOptions = {}): string {
  const out: string[] = [];
  const slo = record.config.slo;
  const ran = record.phases.filter((p) => p.verdict !== 'skipped');
  const figures = ran.map(phaseFigures);

  out.push(`# Load test ${md(opts.title ?? record.id)}`, '');
  if (record.status !== 'completed')
    out.push(`> **Run ${md(record.status)}:** ${md(record.statusReason ?? 'no reason recorded')}. Figures are partial.`, '');
  out.push(recordHeaderTable(record, `p${slo.latencyPercentile} < ${slo.latencyMs} ms, errors < ${fmtPercent(slo.errorRate)}`), '');
  if (opts.links?.length) out.push(`Related: ${opts.links.map((l) => `[${md(l.label)}](${encodeURI(l.href)})`).join(' · ')}`, '');

  out.push('## Scenarios', '');
  out.push(
    mdTable(
      ['#', 'Phase', 'What it did', 'Offered', 'Duration', 'VUs (max)', 'Verdict', 'Why'],
      record.phases.map((p, i) => {
        const f = p.verdict === 'skipped' ? null : phaseFigures(p);
        return [
          String(i + 1),
          md(p.name),
          md(p.description),
          rps(p.offeredRate),
          f ? `${f.durationS.toFixed(0)} s` : '-',
          f?.vusMax == null ? '-' : String(f.vusMax),
          md(p.verdict),
          md(p.verdictReason),
        ];
      }),
    ),
    '',
  );

  out.push('## Results per phase', '');
  if (!figures.length) out.push('No phase ran.', '');
  else {
    out.push(
      mdTable(
        [
          'Phase',
          'Requests',
          'Throughput',
          'Peak second',
          'p50',
          'p95',
          'p99',
          'max',
          'p95 from intended start',
          'Errors',
          'Dropped iterations',
        ],
        figures.map((p) => [
          md(p.name),
          String(p.requests),
          rps(p.rps),
          rps(p.peakRps),
          ms(p.p50Ms),
          ms(p.p95Ms),
          ms(p.p99Ms),
          ms(p.maxMs),
          ms(p.latencyP95Ms),
          `${fmtPercent(p.errorRate)} (${p.failed})`,
          String(p.droppedIterations),
        ]),
        ['l', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r'],
      ),
      '',
    );
    out.push(
      'Response time is http_req_duration (sending + waiting + receiving); "from intended start" is http_req_latency, which also ' +
        'counts the time a request waited for its scheduled start (coordinated omission corrected).',
      '',
    );
    const dropped = figures.filter((p) => p.droppedIterations > 0);
    for (const p of dropped)
      out.push(
        `> **${md(p.name)}:** ${p.droppedIterations} iteration(s) were dropped (no free VU): ` +
          'the target was offered less load than planned.',
        '',
      );

    const errorRows = figures.flatMap((p) => p.errorsByKind.map((e) => [md(p.name), md(e.kind), String(e.count)]));
    if (errorRows.length) out.push('### Failed requests by kind', '', mdTable(['Phase', 'Kind', 'Count'], errorRows, ['l', 'l', 'r']), '');

    const endpointRows = ran.flatMap((p) =>
      endpointFigures(p.run).map((e) => [
        md(p.name),
        md(e.method),
        md(e.name),
        String(e.requests),
        rps(e.rps),
        ms(e.p50Ms),
        ms(e.p95Ms),
        ms(e.p99Ms),
        fmtPercent(e.errorRate),
      ]),
    );
    if (endpointRows.length)
      out.push(
        '### Requests',
        '',
        mdTable(['Phase', 'Method', 'Request', 'Count', 'Throughput', 'p50', 'p95', 'p99', 'Errors'], endpointRows),
        '',
      );

    const thresholdRows = figures.flatMap((p) =>
      p.thresholds.map((t) => [
        md(p.name),
        md(t.selector),
        md(t.expression),
        t.actual === null ? 'no data' : md(Number(t.actual.toPrecision(6))),
        t.ok ? 'passed' : '**failed**',
      ]),
    );
    if (thresholdRows.length)
      out.push('### Thresholds', '', mdTable(['Phase', 'Metric', 'Threshold', 'Actual', 'Result'], thresholdRows), '');
  }

  const stress = record.phases.find((p) => p.name === 'stress' && p.stress && p.verdict !== 'skipped');
  if (stress?.stress) out.push(...stressSection(stress.stress));
  const spike = record.phases.find((p) => p.name === 'spike' && p.spike && p.verdict !== 'skipped');
  if (spike) out.push(...spikeSection(spike));
  const recovery = record.phases.find((p) => p.name === 'recovery' && p.recovery && p.verdict !== 'skipped');
  if (recovery?.recovery) {
    const r = recovery.recovery;
    out.push('## Recovery', '');
    out.push(
      mdTable(
        ['Figure', 'Value'],
        [
          ['Load dropped at', `${r.fromSecond} s`],
          ['Baseline p95', ms(r.baselineP95Ms)],
          ['Back-to-normal limit (p95)', ms(r.limitMs)],
          ['Recovered after', r.recoveredAfterSeconds === null ? '**not recovered within the phase**' : `${r.recoveredAfterSeconds} s`],
        ],
      ),
      '',
    );
  }

  out.push('## Load generator health', '');
  if (figures.length) {
    out.push(
      mdTable(
        ['Phase', 'Workers', 'CPU max', 'CPU p95', 'Event-loop delay p99', 'Schedule delay p99', 'Connections opened', 'Limited the run'],
        figures.map((p) => {
          const g = p.generator;
          return [
            md(p.name),
            String(g.workers),
            fmtPercent(g.cpuMax),
            fmtPercent(g.cpuP95),
            ms(g.loopDelayP99MaxMs),
            ms(g.scheduleDelayP99Ms),
            String(p.connectionsOpened),
            g.limited ? '**yes**' : 'no',
          ];
        }),
      ),
      '',
    );
    for (const p of figures.filter((f) => f.generator.limited)) {
      out.push(`**${md(p.name)}**: the generator, not the target, limited this phase:`, '');
      for (const r of p.generator.reasons) out.push(`- ${md(r)}`);
      out.push('');
    }
  } else out.push('No phase ran.', '');
  const e = record.environment;
  out.push(`speedguard ${md(e.speedguard)}, Node ${md(e.node)}, ${md(e.platform)}/${md(e.arch)}, ${e.cpus} CPU(s).`, '');
  return out.join('\n').replace(/\n{3,}/g, '\n\n');
}

function stressSection(s: NonNullable<PhaseRecord['stress']>): string[] {
  const stop = STOP_REASON_TEXT;
  return [
    '## Stress staircase',
    '',
    mdTable(
      ['Step', 'Offered', 'Achieved', 'p50', 'p95', 'p99', 'Errors', 'Concurrency', 'Dropped', 'SLO'],
      s.steps.map((st, i) => [
        String(i + 1),
        rps(st.offeredRate),
        rps(st.achievedRate),
        ms(st.p50Ms),
        ms(st.p95Ms),
        ms(st.p99Ms),
        fmtPercent(st.errorRate),
        st.concurrency.toFixed(1),
        String(st.droppedIterations),
        st.sloOk ? 'met' : '**breached**',
      ]),
      ['r', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'l'],
    ),
    '',
    `- **Stopped because:** ${stop[s.stopReason] ?? md(s.stopReason)}`,
    `- **Breaking point:** ${s.breakingRate === null ? 'not reached' : rps(s.breakingRate)}`,
    `- **Highest rate that met the SLO:** ${s.maxSustainableRate === null ? 'none' : rps(s.maxSustainableRate)}`,
    '',
  ];
}

function median(values: number[]): number | null {
  if (!values.length) return null;
  const v = [...values].sort((a, b) => a - b);
  const m = v.length >> 1;
  return v.length % 2 ? v[m]! : (v[m - 1]! + v[m]!) / 2;
}

function spikeSection(phase: PhaseRecord): string[] {
  const s = phase.spike!;
  const secs = secondsOf(phase.run);
  // spikeToSecond is the spike's last second, not its end: it belongs to "during", as in the spike-tolerance audit.
  const before = secs.filter((x) => x.second < s.spikeFromSecond);
  const during = secs.filter((x) => x.second >= s.spikeFromSecond && x.second <= s.spikeToSecond);
  const after = secs.filter((x) => x.second > s.spikeToSecond);
  const p95s = (xs: SecondFigures[]) => xs.map((x) => x.p95Ms).filter((v): v is number => v !== null);
  const peak = p95s(during).length ? Math.max(...p95s(during)) : null;
  return [
    '## Spike',
    '',
    mdTable(
      ['Figure', 'Value'],
      [
        ['Base rate', rps(s.baseRate)],
        ['Spike rate', `${rps(s.spikeRate)} (${s.baseRate > 0 ? `${(s.spikeRate / s.baseRate).toFixed(1)}×` : 'from zero'})`],
        ['Spike window', `${s.spikeFromSecond} s – ${s.spikeToSecond + 1} s`],
        ['p95 before (median of seconds)', ms(median(p95s(before)))],
        ['p95 during (worst second)', ms(peak)],
        ['p95 after (median of seconds)', ms(median(p95s(after)))],
        ['Throughput during (best second)', rps(during.length ? Math.max(...during.map((x) => x.rps)) : null)],
        ['Failed requests during', String(during.reduce((t, x) => t + x.failed, 0))],
      ],
    ),
    '',
    "Per-second p95 is each second's p95 of the latency, as the HTML report's charts draw it.",
    '',
  ];
}
