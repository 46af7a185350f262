// A run second by second, read from RunRecord.intervals: requests and failures per second and the
// latency percentiles of each second. One interval holds one point per tag set (endpoint × status …);
// the target as a whole is their merge. Computed here once for every reader of a second's figures:
// the HTML charts, the Markdown spike table, the peak throughput of the envelope and the Markdown,
// and the audits' windows (audits/support/window.ts), so a chart and a finding show the same values.
import type { IntervalRecord, RunRecord, SeriesPoint } from '../record/run-record.ts';

/** A finite number, else null (records written by older versions, or by hand, may lack a figure). */
function num(v: unknown): number | null {
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}

export interface PhaseSeries {
  /** Each interval's start (whole seconds since the run's start): RunRecord.intervals[].index. */
  second: number[];
  /** Seconds since the phase run's start, at the middle of each interval (a rate is the interval's mean). */
  t: number[];
  /** Completed requests per second. */
  rps: number[];
  /** Failed requests per second, and their number in the interval. */
  failedRps: number[];
  failed: number[];
  /** Share of failed requests (0..1), null when no request completed. */
  errorRate: Array<number | null>;
  p50: Array<number | null>;
  p95: Array<number | null>;
  p99: Array<number | null>;
  /** p95 of the service time (http_req_duration) when the main latency is http_req_latency. */
  serviceP95: Array<number | null>;
  /** Which metric p50/p95/p99 come from. */
  latencyMetric: 'http_req_latency' | 'http_req_duration' | null;
  /** End of the last interval (s). */
  spanSeconds: number;
}

type Knots = Array<[number, number]>;

/** A final partial interval shorter than this (s) is not drawn: its rate would be noise. */
const MIN_RATED_SECONDS = 0.25;

/** A series' distribution as a piecewise-linear CDF through its known quantiles. */
function knotsOf(p: SeriesPoint): Knots | null {
  const min = num(p.min);
  const max = num(p.max);
  if (min === null || max === null || !(p.count > 0)) return null;
  const raw: Knots = [[min, 0]];
  for (const [q, v] of [
    [0.5, p.p50],
    [0.9, p.p90],
    [0.95, p.p95],
    [0.99, p.p99],
  ] as const) {
    const x = num(v);
    if (x !== null) raw.push([x, q]);
  }
  raw.push([max, 1]);
  // Keep the knots non-decreasing in x (HDR bucket rounding can put a percentile a hair off).
  for (let i = 1; i < raw.length; i++) if (raw[i]![0] < raw[i - 1]![0]) raw[i]![0] = raw[i - 1]![0];
  return raw;
}

/** F(x) of one piecewise-linear CDF; `left` gives the limit from below (F(x⁻)). */
function cdf(k: Knots, x: number, left: boolean): number {
  for (let j = 0; j < k.length; j++) {
    const [kx, kp] = k[j]!;
    if (left ? kx < x : kx <= x) continue;
    if (j === 0) return 0;
    const [px, pp] = k[j - 1]!;
    return kx > px ? pp + ((kp - pp) * (x - px)) / (kx - px) : pp;
  }
  return 1;
}

const STORED: Record<number, 'p50' | 'p90' | 'p95' | 'p99' | 'min' | 'max'> = {
  0: 'min',
  0.5: 'p50',
  0.9: 'p90',
  0.95: 'p95',
  0.99: 'p99',
  1: 'max',
};

/**
 * Percentile q (0..1) of the union of several series of one interval, from each one's
 * count, min, max and p50/p90/p95/p99: the count-weighted mixture of their piecewise-linear
 * CDFs, inverted exactly. Exact at the known quantiles for a single series; for several, a far
 * better estimate of the tail than averaging percentiles (a rare slow endpoint keeps its p99).
 */
export function mixturePercentile(points: readonly SeriesPoint[], q: number): number | null {
  const counted = points.filter((p) => p.count > 0);
  // One series: its own stored percentile, exactly (interpolating would add a rounding error).
  const stored = counted.length === 1 ? num(STORED[q] ? counted[0]![STORED[q]] : undefined) : null;
  if (stored !== null) return stored;
  const parts: Array<{ k: Knots; w: number }> = [];
  for (const p of points) {
    const k = knotsOf(p);
    if (k) parts.push({ k, w: p.count });
  }
  if (!parts.length) return null;
  const total = parts.reduce((a, p) => a + p.w, 0);
  const F = (x: number, left: boolean) => parts.reduce((a, p) => a + p.w * cdf(p.k, x, left), 0) / total;
  const xs = [...new Set(parts.flatMap((p) => p.k.map(([x]) => x)))].sort((a, b) => a - b);
  let prevX = xs[0]!;
  let prevF = F(prevX, false);
  if (prevF >= q) return prevX;
  for (let i = 1; i < xs.length; i++) {
    const x = xs[i]!;
    const fRight = F(x, false);
    if (fRight < q) {
      prevX = x;
      prevF = fRight;
      continue;
    }
    const fLeft = F(x, true);
    // Between adjacent knots every component CDF is linear, so the mixture is too.
    if (q <= fLeft && fLeft > prevF) return prevX + ((q - prevF) / (fLeft - prevF)) * (x - prevX);
    return x;
  }
  return xs[xs.length - 1]!;
}

function pick(iv: IntervalRecord, metric: string): SeriesPoint[] {
  return iv.series.filter((s) => s.metric === metric);
}

function sumOf(points: readonly SeriesPoint[]): number {
  return points.reduce((a, p) => a + (num(p.sum) ?? 0), 0);
}

export function phaseSeries(run: RunRecord): PhaseSeries {
  const intervals = Array.isArray(run.intervals) ? [...run.intervals].sort((a, b) => a.index - b.index) : [];
  const hasLatency = intervals.some((iv) => iv.series.some((s) => s.metric === 'http_req_latency'));
  const hasDuration = intervals.some((iv) => iv.series.some((s) => s.metric === 'http_req_duration'));
  const latencyMetric = hasLatency ? 'http_req_latency' : hasDuration ? 'http_req_duration' : null;
  const out: PhaseSeries = {
    second: [],
    t: [],
    rps: [],
    failedRps: [],
    failed: [],
    errorRate: [],
    p50: [],
    p95: [],
    p99: [],
    serviceP95: [],
    latencyMetric,
    spanSeconds: 0,
  };
  const runSeconds = num(run.durationMs) !== null && run.durationMs > 0 ? run.durationMs / 1000 : null;
  for (const iv of intervals) {
    let secs = num(iv.seconds) && iv.seconds > 0 ? iv.seconds : 1;
    // The last interval is cut by the end of the run: its requests came in a fraction of a second,
    // so a rate over the whole second would drop the line towards 0 at the end. Rate it over the
    // time it covered; a sliver too short to rate (< MIN_RATED_SECONDS) is left out.
    if (runSeconds !== null && iv === intervals[intervals.length - 1] && runSeconds - iv.index < secs) {
      const covered = runSeconds - iv.index;
      if (covered < MIN_RATED_SECONDS) continue;
      secs = covered;
    }
    const reqs = sumOf(pick(iv, 'http_reqs'));
    const failedPts = pick(iv, 'http_req_failed');
    const failed = sumOf(failedPts);
    const samples = failedPts.reduce((a, p) => a + (num(p.count) ?? 0), 0);
    out.second.push(iv.index);
    out.t.push(iv.index + secs / 2);
    out.rps.push(reqs / secs);
    out.failedRps.push(failed / secs);
    out.failed.push(failed);
    out.errorRate.push(samples > 0 ? failed / samples : null);
    const lat = latencyMetric ? pick(iv, latencyMetric) : [];
    out.p50.push(mixturePercentile(lat, 0.5));
    out.p95.push(mixturePercentile(lat, 0.95));
    out.p99.push(mixturePercentile(lat, 0.99));
    out.serviceP95.push(latencyMetric === 'http_req_latency' ? mixturePercentile(pick(iv, 'http_req_duration'), 0.95) : null);
    out.spanSeconds = Math.max(out.spanSeconds, iv.index + secs);
  }
  return out;
}
