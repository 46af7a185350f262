// The figures every text report shows, read out of an AssessmentRecord's phase runs. Reading, not
// judging: percentiles, rates and counts exactly as measured, so that the Markdown, JSON, JUnit and
// terminal renderers all quote the same numbers. Response time is http_req_duration (k6's service
// time); http_req_latency (from the intended start, wrk2's method) is given beside it.
import type { AssessmentRecord, CapacityModel, PhaseRecord } from '../record/assessment-record.ts';
import type { GeneratorVerdict, RunRecord, ThresholdOutcome } from '../record/run-record.ts';
import { phaseSeries } from '../analysis/per-second-series.ts';
import { selectMetric } from '../record/select.ts';
import type { Comparison } from '../record/comparison.ts';
import type { Finding } from '../record/findings.ts';

export interface PhaseFigures {
  name: PhaseRecord['name'];
  description: string;
  verdict: PhaseRecord['verdict'];
  verdictReason: string;
  offeredRate: number;
  runStatus: RunRecord['status'];
  durationS: number;
  requests: number;
  failed: number;
  /** Share of failed requests (0..1); 0 when there were none. */
  errorRate: number;
  /** Completed requests per second over the phase. */
  rps: number;
  /** Busiest second's completed requests per second. */
  peakRps: number;
  /** http_req_duration (ms); null when the phase completed no request. */
  avgMs: number | null;
  p50Ms: number | null;
  p90Ms: number | null;
  p95Ms: number | null;
  p99Ms: number | null;
  maxMs: number | null;
  /** http_req_latency (ms, from the intended start); null when not recorded. */
  latencyP95Ms: number | null;
  latencyP99Ms: number | null;
  droppedIterations: number;
  vusMax: number | null;
  connectionsOpened: number;
  /** Failed requests by kind: the transport error kind, or "HTTP <status>". Most frequent first. */
  errorsByKind: Array<{ kind: string; count: number }>;
  thresholds: ThresholdOutcome[];
  generator: GeneratorVerdict;
}

export interface EndpointFigures {
  method: string;
  name: string;
  requests: number;
  rps: number;
  errorRate: number;
  p50Ms: number | null;
  p95Ms: number | null;
  p99Ms: number | null;
}

function trend(run: RunRecord, metric: string, tags: Record<string, string> = {}) {
  const a = selectMetric(run, metric, tags);
  if (!a || a.count === 0) return null;
  return { avg: a.sum / a.count, p50: a.percentile(50), p90: a.percentile(90), p95: a.percentile(95), p99: a.percentile(99), max: a.max };
}

function seconds(run: RunRecord): number {
  return Math.max(run.durationMs, 1) / 1000;
}

function errorsByKind(run: RunRecord): Array<{ kind: string; count: number }> {
  const by = new Map<string, number>();
  for (const t of run.totals) {
    if (t.metric !== 'http_req_errors') continue;
    const kind = t.tags.error ? t.tags.error : `HTTP ${t.tags.status ?? '?'}`;
    by.set(kind, (by.get(kind) ?? 0) + t.sum);
  }
  return [...by].map(([kind, count]) => ({ kind, count })).sort((a, b) => b.count - a.count || a.kind.localeCompare(b.kind));
}

/** One second (or coarsened interval) of a run: requests/s, failures and the p95 of its latency. */
export interface SecondFigures {
  second: number;
  rps: number;
  failed: number;
  /** p95 (ms) of the run's latency metric in that second, as the HTML chart draws it. */
  p95Ms: number | null;
}

/** The run's seconds, from the one per-second series (analysis/per-second-series.ts) the charts draw. */
export function secondsOf(run: RunRecord): SecondFigures[] {
  const s = phaseSeries(run);
  return s.second.map((second, i) => ({ second, rps: s.rps[i]!, failed: s.failed[i]!, p95Ms: s.p95[i]! }));
}

export function phaseFigures(phase: PhaseRecord): PhaseFigures {
  const run = phase.run;
  const reqs = selectMetric(run, 'http_reqs')?.sum ?? 0;
  const failedAcc = selectMetric(run, 'http_req_failed');
  const failed = failedAcc?.sum ?? 0;
  const d = trend(run, 'http_req_duration');
  const l = trend(run, 'http_req_latency');
  const vus = selectMetric(run, 'vus_max');
  const peakRps = Math.max(0, ...phaseSeries(run).rps);
  return {
    name: phase.name,
    description: phase.description,
    verdict: phase.verdict,
    verdictReason: phase.verdictReason,
    offeredRate: phase.offeredRate,
    runStatus: run.status,
    durationS: run.durationMs / 1000,
    requests: reqs,
    failed,
    errorRate: failedAcc && failedAcc.count ? failed / failedAcc.count : 0,
    rps: reqs / seconds(run),
    peakRps,
    avgMs: d?.avg ?? null,
    p50Ms: d?.p50 ?? null,
    p90Ms: d?.p90 ?? null,
    p95Ms: d?.p95 ?? null,
    p99Ms: d?.p99 ?? null,
    maxMs: d?.max ?? null,
    latencyP95Ms: l?.p95 ?? null,
    latencyP99Ms: l?.p99 ?? null,
    droppedIterations: selectMetric(run, 'dropped_iterations')?.sum ?? 0,
    vusMax: vus && vus.count ? vus.max : null,
    connectionsOpened: run.connectionsOpened,
    errorsByKind: errorsByKind(run),
    thresholds: run.thresholds,
    generator: run.generator,
  };
}

/** Per request (method + name tag), in first-seen order. */
export function endpointFigures(run: RunRecord): EndpointFigures[] {
  const keys = new Map<string, { method: string; name: string }>();
  for (const t of run.totals) {
    if (t.metric !== 'http_reqs') continue;
    const method = t.tags.method ?? '';
    const name = t.tags.name ?? '';
    keys.set(`${method} ${name}`, { method, name });
  }
  return [...keys.values()].map(({ method, name }) => {
    const tags = { method, name };
    const reqs = selectMetric(run, 'http_reqs', tags)?.sum ?? 0;
    const f = selectMetric(run, 'http_req_failed', tags);
    const d = trend(run, 'http_req_duration', tags);
    return {
      method,
      name,
      requests: reqs,
      rps: reqs / seconds(run),
      errorRate: f && f.count ? f.sum / f.count : 0,
      p50Ms: d?.p50 ?? null,
      p95Ms: d?.p95 ?? null,
      p99Ms: d?.p99 ?? null,
    };
  });
}

/** http_req_duration at any percentile (ms); null without requests. */
export function durationPercentile(run: RunRecord, percentile: number): number | null {
  const a = selectMetric(run, 'http_req_duration');
  return a && a.count ? a.percentile(percentile) : null;
}

/**
 * The phase whose figures stand for "the service at its expected load": the baseline phase, else
 * the first phase that ran and completed requests. null when nothing ran.
 */
export function referencePhase(record: AssessmentRecord): PhaseRecord | null {
  const ran = record.phases.filter((p) => p.verdict !== 'skipped');
  return ran.find((p) => p.name === 'baseline') ?? ran.find((p) => (selectMetric(p.run, 'http_reqs')?.sum ?? 0) > 0) ?? null;
}

/** Evidence as one line: "p95 latency = 812 ms (stress); error rate = 3.2 %". */
export function evidenceLine(f: Finding, max = 3): string {
  return f.evidence
    .slice(0, max)
    .map((e) => `${e.label} = ${fmtValue(e.value, e.unit)}${e.phase ? ` (${e.phase})` : ''}`)
    .join('; ');
}

export function fmtValue(value: number | string, unit?: string): string {
  if (typeof value === 'string') return unit ? `${value} ${unit}` : value;
  if (!Number.isFinite(value)) return 'n/a';
  const n = Number.isInteger(value)
    ? String(value)
    : Math.abs(value) >= 100
      ? value.toFixed(0)
      : Math.abs(value) >= 1
        ? value.toFixed(2)
        : value.toPrecision(3);
  return unit ? `${n} ${unit}` : n;
}

/** File-name-safe UTC timestamp of a record's start: 20261125-103000. */
export function fileTimestamp(iso: string): string {
  const d = new Date(iso);
  const t = Number.isNaN(d.getTime()) ? new Date(0) : d;
  return t.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
}

/** record.comparison is typed `unknown` in the record; this recognises compare.ts's Comparison. */
export function comparisonOf(value: unknown): Comparison | null {
  const v = value as { schema?: unknown; metrics?: unknown } | null;
  return v && typeof v === 'object' && v.schema === 'speedguard.comparison/1' && Array.isArray(v.metrics) ? (v as Comparison) : null;
}

/** Why a sustainable rate is only a lower bound, in words (every report format says it the same way). */
export function lowerBoundReason(limitedBy: CapacityModel['limitedBy']): string {
  return limitedBy === 'max_rate' ? 'the highest rate tested' : 'the load generator on this host reached its limit first';
}

/** Why the stress staircase stopped, in words (Markdown and HTML reports). */
export const STOP_REASON_TEXT: Record<NonNullable<PhaseRecord['stress']>['stopReason'], string> = {
  slo_breached: 'the SLO was breached',
  errors: 'errors passed the limit',
  plateau: 'throughput stopped growing',
  max_rate: 'the highest planned rate was reached',
  interrupted: 'the run was interrupted',
  generator_limit: 'the load generator on this host reached its limit before the service broke',
};

const rate = (v: number) => `${v.toFixed(v >= 100 ? 0 : 1)} req/s`;

/** Where the expected load came from: given, derived from a stress phase that ran, or neither. */
export function expectedLoadText(record: AssessmentRecord): string {
  // Defensive reads: the HTML report renders damaged stored records too.
  const given = record.config?.expectedRate;
  if (typeof given === 'number') return rate(given);
  const phases = Array.isArray(record.phases) ? record.phases : [];
  if (phases.length === 0 && record.probes?.database) return 'none (database analysis, no load run)';
  const derived = record.probes?.effectiveExpectedRate;
  const stressRan = phases.some((p) => p.name === 'stress' && p.verdict !== 'skipped');
  if (stressRan && typeof derived === 'number') return `not given: ${rate(derived)} used (derived from the stress phase)`;
  return 'not given';
}
