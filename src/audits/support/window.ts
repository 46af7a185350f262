// Statistics over a span of seconds of a run, from its per-second series. Whole-run totals carry
// exact histograms but include the warm-up second and the graceful-stop tail; phase verdicts judge
// the steady part, so audits do too. Per-second points only keep min/p50/p90/p95/p99/max, so a
// percentile over several seconds (or endpoints) is the quantile of the mixture of those points'
// distributions, each approximated as piecewise linear between its known percentiles.
import { tagsMatch } from '../../metrics/tags.ts';
import type { RunRecord, SeriesPoint } from '../../record/run-record.ts';
import { mixturePercentile } from '../../analysis/per-second-series.ts';

export interface WindowSpec {
  /** First second included (interval index); default 0. */
  from?: number;
  /** Last second included; default the run's last. */
  to?: number;
  /** Only series whose tags include these (e.g. { name }). */
  tags?: Record<string, string>;
}

/** Points of `metric` in the window, each with its interval's start index. */
export function pointsIn(run: RunRecord, metric: string, spec: WindowSpec = {}): Array<SeriesPoint & { second: number }> {
  const from = spec.from ?? 0;
  const to = spec.to ?? Infinity;
  const out: Array<SeriesPoint & { second: number }> = [];
  for (const iv of run.intervals) {
    // A coarsened interval [index, index + seconds) belongs to the window when it starts inside it.
    if (iv.index < from || iv.index > to) continue;
    for (const p of iv.series) {
      if (p.metric === metric && p.count > 0 && (!spec.tags || tagsMatch(p.tags, spec.tags))) out.push({ ...p, second: iv.index });
    }
  }
  return out;
}

/** The q-th percentile (0..100) of the mixture of trend points, weighted by their counts. NaN if empty. */
export function mixtureQuantile(points: readonly SeriesPoint[], q: number): number {
  // One computation with the per-second series the reports draw (analysis/per-second-series.ts).
  return mixturePercentile(points, q / 100) ?? NaN;
}

export interface WindowStats {
  /** Seconds in the window that had any request. */
  seconds: number;
  requests: number;
  failed: number;
  dropped: number;
  /** Latency samples (the trend metric's count) and their mean (ms). */
  samples: number;
  meanMs: number;
  /** Percentile (0..100) of the trend metric over the window (ms). */
  quantile(q: number): number;
}

/** Requests, failures, drops and the latency distribution of `trend` over the window. */
export function windowStats(run: RunRecord, trend: string, spec: WindowSpec = {}): WindowStats {
  const lat = pointsIn(run, trend, spec);
  const reqs = pointsIn(run, 'http_reqs', spec);
  const failed = pointsIn(run, 'http_req_failed', spec);
  // dropped_iterations carries only the scenario tag: never filtered by endpoint.
  const dropped = pointsIn(run, 'dropped_iterations', { ...spec, tags: undefined });
  const samples = lat.reduce((s, p) => s + p.count, 0);
  return {
    seconds: new Set(reqs.map((p) => p.second)).size,
    requests: reqs.reduce((s, p) => s + p.sum, 0),
    failed: failed.reduce((s, p) => s + p.sum, 0),
    dropped: dropped.reduce((s, p) => s + p.sum, 0),
    samples,
    meanMs: samples ? lat.reduce((s, p) => s + p.sum, 0) / samples : NaN,
    quantile: (q) => mixtureQuantile(lat, q),
  };
}

export interface SecondPoint {
  second: number;
  requests: number;
  failed: number;
  p50: number;
  p95: number;
  p99: number;
}

/** One entry per second of the window that had requests, in time order. */
export function perSecond(run: RunRecord, trend: string, spec: WindowSpec = {}): SecondPoint[] {
  const from = spec.from ?? 0;
  const to = spec.to ?? Infinity;
  const out: SecondPoint[] = [];
  for (const iv of run.intervals) {
    if (iv.index < from || iv.index > to) continue;
    const mine = iv.series.filter((p) => p.count > 0 && (!spec.tags || tagsMatch(p.tags, spec.tags)));
    const lat = mine.filter((p) => p.metric === trend);
    const requests = mine.filter((p) => p.metric === 'http_reqs').reduce((s, p) => s + p.sum, 0);
    if (requests === 0 || lat.length === 0) continue;
    const failed = mine.filter((p) => p.metric === 'http_req_failed').reduce((s, p) => s + p.sum, 0);
    out.push({
      second: iv.index,
      requests,
      failed,
      p50: mixtureQuantile(lat, 50),
      p95: mixtureQuantile(lat, 95),
      p99: mixtureQuantile(lat, 99),
    });
  }
  return out;
}
