// OPTIMIZATIONS/OPT-<id>.md — ASSESSMENT-RULES.md §1's MEASURE_IMPROVEMENT: before/after figures, the improvement
// with its confidence interval and p-value, and the verdict. Renders a Comparison; decides nothing.
// Every string that came from a record (ids, targets, phase names, notes) goes through md().
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Comparison, ComparedRecord, MetricComparison } from '../record/comparison.ts';
import { fmtP } from '../analysis/compare.ts';
import { md, mdLine } from './escape.ts';
import { fmtBytes, fmtDuration } from './format.ts';
import { percent, signedPercent } from '../analysis/format.ts';
import { limitText } from '../analysis/compare.ts';

/** A metric value in its unit, for tables (Markdown and terminal). */
export function fmtMetricValue(m: Pick<MetricComparison, 'unit'>, v: number | null): string {
  if (v === null || !Number.isFinite(v)) return '–';
  switch (m.unit) {
    case 'ms':
      return fmtDuration(v);
    case 'req/s':
      return `${v.toFixed(v < 100 ? 1 : 0)} req/s`;
    case 'ratio':
      return percent(v, v < 0.001 && v > 0 ? 4 : 2);
    case 'cores':
      return v.toFixed(2);
    case 'bytes':
      return fmtBytes(v);
  }
}

/** Signed share as a percentage: "+12.3 %". */
export function fmtShare(x: number | null, digits = 1): string {
  return x === null ? '–' : signedPercent(x, digits);
}

/** The change of a metric from the baseline, "new" when the baseline was 0. */
export function fmtChange(m: MetricComparison): string {
  if (m.change === null) return m.baseline === 0 && (m.current ?? 0) > 0 ? 'new' : '–';
  return fmtShare(m.change);
}

export function fmtThreshold(m: MetricComparison): string {
  return limitText(m);
}

export function fmtInterval(ci: MetricComparison['ci'], sign = 1): string {
  if (!ci) return '–';
  const a = ci.low === null ? -Infinity * sign : ci.low * sign;
  const b = ci.high === null ? Infinity * sign : ci.high * sign;
  const [lo, hi] = a <= b ? [a, b] : [b, a];
  return `${fmtShare(lo)} … ${fmtShare(hi)}`;
}

export function fmtPValue(m: MetricComparison): string {
  return m.pValue === null ? '–' : fmtP(m.pValue);
}

export function fmtVerdict(m: MetricComparison): string {
  return m.verdict === 'regression' ? `regression (${m.severity})` : m.verdict === 'inconclusive' ? 'within noise' : m.verdict;
}

/** The improvement is the change in the good direction: a latency going down 20 % is a +20 % improvement. */
function improvementOf(m: MetricComparison): { value: number | null; ci: string } {
  const sign = m.worseWhen === 'up' ? -1 : 1;
  return { value: m.change === null ? null : m.change * sign, ci: fmtInterval(m.ci, sign) };
}

function describe(r: ComparedRecord): string {
  const what = r.kind === 'assess' ? `assessment ${md(r.id)} (phase ${md(r.phase ?? '–')})` : `run ${md(r.id)}`;
  return `${what} · ${md(r.target)} · started ${md(r.startedAt)} · ${md(r.status)} · ${(r.durationMs / 1000).toFixed(1)} s`;
}

export function optimizationId(c: Comparison): string {
  const short = (id: string) => id.replace(/[^A-Za-z0-9]/g, '').slice(0, 8) || 'record';
  return `${short(c.baseline.id)}-${short(c.current.id)}`;
}

export function renderOptimizationMarkdown(c: Comparison): string {
  const id = optimizationId(c);
  const conf = `${Math.round(c.settings.confidence * 100)} %`;
  const headline =
    c.verdict === 'regressed'
      ? `regressed — ${c.regressions} regression${c.regressions === 1 ? '' : 's'}, worst ${c.worstSeverity}`
      : c.verdict === 'improved'
        ? `improved — ${c.improvements} significant improvement${c.improvements === 1 ? '' : 's'}`
        : 'no significant change past the thresholds';
  const out: string[] = [];
  out.push(`# OPT-${md(id)}: ${headline}`, '');
  out.push(`- **Before (baseline):** ${describe(c.baseline)}`);
  out.push(`- **After (current):** ${describe(c.current)}`);
  out.push(`- **Verdict:** ${headline}`, '');

  out.push('## Before and after', '');
  out.push(`| metric | before | after | change | improvement | ${conf} CI of the improvement | p-value | threshold | verdict |`);
  out.push('|---|---:|---:|---:|---:|---:|---:|---:|---|');
  for (const m of c.metrics) {
    const imp = improvementOf(m);
    out.push(
      `| ${md(m.label)} | ${fmtMetricValue(m, m.baseline)} | ${fmtMetricValue(m, m.current)} | ${fmtChange(m)} | ` +
        `${imp.value === null ? '–' : fmtShare(imp.value)} | ${imp.ci} | ${fmtPValue(m)} | ${fmtThreshold(m)} | ${fmtVerdict(m)} |`,
    );
  }
  out.push('');

  const sections: Array<[string, MetricComparison['verdict']]> = [
    ['Regressions', 'regression'],
    ['Improvements', 'improvement'],
    ['Past the threshold but within noise', 'inconclusive'],
  ];
  for (const [title, verdict] of sections) {
    const rows = c.metrics.filter((m) => m.verdict === verdict);
    if (!rows.length) continue;
    out.push(`## ${title}`, '');
    rows.forEach((m, i) => out.push(`${i + 1}. **${md(m.label)}** ${m.severity ? `(${m.severity}) ` : ''}— ${md(m.reason)}`));
    out.push('');
  }

  out.push('## Method', '');
  const t = c.settings.thresholds;
  const warmup = c.settings.warmupSeconds ? ` The first ${c.settings.warmupSeconds} s of each run were left out as warm-up.` : '';
  out.push(
    mdLine(
      `Each complete second of a run is one observation. A change counts when it is past its threshold in the worse direction ` +
        `(ASSESSMENT-RULES.md §4: response time +${pc(t.responseTime)}, throughput −${pc(t.throughput)}, ` +
        `error rate +${pc(t.errorRate)} and at least ${(t.errorRateMinIncrease * 100).toFixed(2)} percentage points, ` +
        `CPU +${pc(t.cpu)}, memory +${pc(t.memory)}) and the per-second values differ significantly ` +
        `(two-sided Mann–Whitney U test, α = ${c.settings.alpha}). ` +
        `Severity: more than 3× the threshold critical, 2× high, 1.5× medium, else low. ` +
        `The ${conf} confidence intervals come from a bootstrap over seconds ` +
        `(${c.settings.iterations} resamples, seed ${c.settings.seed}). Response time is ${c.settings.latencyMetric}.${warmup}`,
    ),
  );
  out.push('');
  if (c.notes.length) {
    out.push('## Notes', '');
    for (const n of c.notes) out.push(`- ${md(n)}`);
    out.push('');
  }
  out.push('## The change', '');
  out.push('The records hold measurements, not code: add the diff or commit range measured here.', '');
  return out.join('\n');
}

const pc = (x: number) => percent(x, 0);

/** OPTIMIZATIONS/OPT-<id>.md and its JSON twin; returns the paths written. */
export function writeOptimizationReport(c: Comparison, outDir: string): string[] {
  const dir = join(outDir, 'OPTIMIZATIONS');
  mkdirSync(dir, { recursive: true });
  const base = join(dir, `OPT-${optimizationId(c)}`);
  writeFileSync(`${base}.md`, renderOptimizationMarkdown(c));
  writeFileSync(`${base}.json`, JSON.stringify(c, null, 2) + '\n');
  return [`${base}.md`, `${base}.json`];
}
