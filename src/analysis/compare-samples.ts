// What a comparison tests: a run cut into its seconds. Each complete second is one observation
// (requests are correlated within a second — a GC pause slows a burst of them — so seconds, not
// requests, are the independent-enough unit). Per-second values feed the Mann–Whitney test; resampled
// sets of seconds feed the block bootstrap of the whole-run statistic.
import type { IntervalRecord, RunRecord, SeriesPoint } from '../record/run-record.ts';

/** One complete interval's figures (all series of the run merged). */
export interface SecondFigures {
  seconds: number;
  requests: number;
  /** http_req_failed: failed requests and requests judged. */
  failed: number;
  judged: number;
  /** Latency summaries of this interval (one per series with requests). */
  latency: SeriesPoint[];
}

/** Share of an interval the run must cover for the interval to count as an observation. */
const COMPLETE = 0.95;

/**
 * The run's complete intervals: the last one usually covers only the stop (a few ms of in-flight
 * requests finishing), and as a per-second rate it would look like a collapse in throughput.
 */
export function completeSeconds(run: RunRecord, latencyMetric: string, warmupSeconds = 0): SecondFigures[] {
  const out: SecondFigures[] = [];
  for (const iv of run.intervals) {
    if (iv.index < warmupSeconds) continue;
    if (run.durationMs - iv.index * 1000 < iv.seconds * 1000 * COMPLETE) continue;
    out.push(figuresOf(iv, latencyMetric));
  }
  return out;
}

function figuresOf(iv: IntervalRecord, latencyMetric: string): SecondFigures {
  const f: SecondFigures = { seconds: iv.seconds, requests: 0, failed: 0, judged: 0, latency: [] };
  for (const s of iv.series) {
    if (s.metric === 'http_reqs') f.requests += s.sum;
    else if (s.metric === 'http_req_failed') {
      f.failed += s.sum;
      f.judged += s.count;
    } else if (s.metric === latencyMetric && s.count > 0 && s.p50 !== undefined) f.latency.push(s);
  }
  return f;
}

// ── Percentiles of merged interval summaries ─────────────────────────────────────────────────────
// An interval keeps min, p50, p90, p95, p99 and max per series, not its histogram. The distribution
// of a set of intervals is approximated by the count-weighted mixture of piecewise-linear CDFs through
// those points; exact at the knots for a single series, and far better than averaging percentiles
// when series differ (a fast endpoint and a slow one in the same second).

interface Step {
  x: number;
  group: number;
  /** Change of dG/dx at x, per unit weight of the group. */
  slope: number;
  /** Probability mass (× count) sitting exactly at x (zero-width segments). */
  jump: number;
}

const KNOTS: Array<['min' | 'p50' | 'p90' | 'p95' | 'p99' | 'max', number]> = [
  ['min', 0],
  ['p50', 0.5],
  ['p90', 0.9],
  ['p95', 0.95],
  ['p99', 0.99],
  ['max', 1],
];

export class IntervalMixture {
  private readonly steps: Step[] = [];
  /** Requests per group (interval). */
  readonly totals: Float64Array;

  /** groups[g] = the latency summaries of interval g. */
  constructor(groups: readonly (readonly SeriesPoint[])[]) {
    this.totals = new Float64Array(groups.length);
    groups.forEach((points, g) => {
      for (const p of points) {
        if (p.count <= 0) continue;
        this.totals[g] = this.totals[g]! + p.count;
        let prevX = -Infinity;
        let prevF = 0;
        for (const [field, F] of KNOTS) {
          // Clamp into order: HDR percentiles are monotone, but rounding must not break the sweep.
          const x = Math.max(p[field] ?? p.max, prevX);
          if (prevX !== -Infinity && F > prevF) {
            const mass = (F - prevF) * p.count;
            if (x > prevX) {
              const d = mass / (x - prevX);
              this.steps.push({ x: prevX, group: g, slope: d, jump: 0 }, { x, group: g, slope: -d, jump: 0 });
            } else {
              this.steps.push({ x, group: g, slope: 0, jump: mass });
            }
          }
          prevX = x;
          prevF = F;
        }
      }
    });
    this.steps.sort((a, b) => a.x - b.x);
  }

  /** The q-quantile (0..1) of the mixture with weight w[g] on group g (a resample's multiplicities). */
  quantile(q: number, weights: ArrayLike<number>): number {
    let total = 0;
    for (let g = 0; g < this.totals.length; g++) total += weights[g]! * this.totals[g]!;
    if (!(total > 0) || this.steps.length === 0) return NaN;
    const target = q * total;
    const steps = this.steps;
    let G = 0;
    let slope = 0;
    let prevX = steps[0]!.x;
    for (let i = 0; i < steps.length; ) {
      const x = steps[i]!.x;
      if (slope > 0) {
        const next = G + slope * (x - prevX);
        if (next >= target) return prevX + (target - G) / slope;
        G = next;
      }
      prevX = x;
      let jump = 0;
      for (; i < steps.length && steps[i]!.x === x; i++) {
        const s = steps[i]!;
        const w = weights[s.group]!;
        if (w === 0) continue;
        jump += w * s.jump;
        slope += w * s.slope;
      }
      if (jump > 0 && G + jump >= target) return x;
      G += jump;
    }
    return prevX;
  }
}

/** Multiplicities of indexes 0..n−1 in a resample (bootstrap samples are lists of indexes). */
export function weightsOf(indexes: readonly number[], n: number): Float64Array {
  const w = new Float64Array(n);
  for (const i of indexes) w[i] = w[i]! + 1;
  return w;
}

export function indexes(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i);
}

/** Most observations per side the bootstrap resamples: longer runs are cut into blocks of seconds. */
export const MAX_BLOCKS = 200;

/**
 * Consecutive seconds merged into at most `maxBlocks` blocks. Resampling blocks rather than single
 * seconds keeps a long run's bootstrap fast and respects correlation between neighbouring seconds.
 * A block's latency is summarised as one series point (its mixture's percentiles).
 */
export function blocksOf(seconds: readonly SecondFigures[], maxBlocks = MAX_BLOCKS): SecondFigures[] {
  if (seconds.length <= maxBlocks) return [...seconds];
  const size = Math.ceil(seconds.length / maxBlocks);
  const out: SecondFigures[] = [];
  for (let i = 0; i < seconds.length; i += size) out.push(mergeSeconds(seconds.slice(i, i + size)));
  return out;
}

function mergeSeconds(group: readonly SecondFigures[]): SecondFigures {
  const f: SecondFigures = { seconds: 0, requests: 0, failed: 0, judged: 0, latency: [] };
  const points: SeriesPoint[] = [];
  for (const s of group) {
    f.seconds += s.seconds;
    f.requests += s.requests;
    f.failed += s.failed;
    f.judged += s.judged;
    points.push(...s.latency);
  }
  if (points.length) {
    const m = new IntervalMixture([points]);
    const one = [1];
    f.latency.push({
      metric: points[0]!.metric,
      tags: {},
      count: points.reduce((n, p) => n + p.count, 0),
      sum: points.reduce((n, p) => n + p.sum, 0),
      min: Math.min(...points.map((p) => p.min)),
      max: Math.max(...points.map((p) => p.max)),
      p50: m.quantile(0.5, one),
      p90: m.quantile(0.9, one),
      p95: m.quantile(0.95, one),
      p99: m.quantile(0.99, one),
    });
  }
  return f;
}
