// The main thread's view of a run: whole-run totals per series (exact HDR merges of every worker's
// intervals) and the per-interval time series. Memory stays bounded however long the run: totals are
// one histogram per series, and the time series is coarsened (pairs merged) past MAX_POINTS.
import { BUILTIN_METRICS } from '../metrics/catalog.ts';
import { Accumulator } from '../metrics/accumulator.ts';
import { encodeHistogram } from '../metrics/histogram.ts';
import type { IntervalSnapshot, SeriesSnapshot } from '../metrics/registry.ts';
import { tagsKey, tagsMatch, type Tags } from '../metrics/tags.ts';
import type { IntervalRecord, SeriesPoint, SeriesTotal } from '../record/run-record.ts';
import type { GeneratorHealth } from './worker-engine.ts';

const MAX_POINTS = 3600;

export interface TotalSeries {
  metric: string;
  tags: Tags;
  acc: Accumulator;
}

export class RunAggregate {
  readonly totals = new Map<string, TotalSeries>();
  readonly intervals: IntervalRecord[] = [];
  private readonly customContains = new Map<string, 'time' | 'data' | 'default'>();
  /**
   * The interval's merged series, kept from one interval to the next and reset when reused: a new
   * accumulator per series per second meant a new HDR histogram each time (a zeroed 56 KB counts
   * array), which at 2,000 req/s was a tenth of the generator's CPU and much of its garbage
   * (BENCHMARKS.md, open model). Whoever receives an interval reads it during the call.
   */
  private readonly intervalSeries = new Map<string, { series: TotalSeries; usedIn: number }>();
  private intervalSeq = 0;

  /**
   * Merge one interval from every worker. Returns the merged per-series accumulators of that
   * interval (for windowed thresholds and live progress).
   */
  addInterval(index: number, parts: Array<{ snapshot: IntervalSnapshot; health: GeneratorHealth }>): Map<string, TotalSeries> {
    const merged = new Map<string, TotalSeries>();
    const seq = ++this.intervalSeq;
    for (const { snapshot } of parts) {
      for (const s of snapshot.series) this.mergeInto(merged, s, seq);
    }
    for (const [key, s] of merged) {
      let t = this.totals.get(key);
      if (!t) this.totals.set(key, (t = { metric: s.metric, tags: s.tags, acc: new Accumulator(s.acc.type) }));
      t.acc.merge(s.acc);
    }
    const series: SeriesPoint[] = [];
    for (const s of merged.values()) series.push(toPoint(s));
    const generator = { cpuMax: 0, loopDelayP99MaxMs: 0, eluMax: 0 };
    for (const { health } of parts) {
      generator.cpuMax = Math.max(generator.cpuMax, health.cpu);
      generator.loopDelayP99MaxMs = Math.max(generator.loopDelayP99MaxMs, health.loopDelayP99Ms);
      generator.eluMax = Math.max(generator.eluMax, health.elu);
    }
    this.intervals.push({ index, seconds: 1, series, generator });
    if (this.intervals.length > MAX_POINTS) this.coarsen();
    return merged;
  }

  /** Workers' parts of one interval share its span of time: gauges add up (sameInstant). */
  private mergeInto(into: Map<string, TotalSeries>, s: SeriesSnapshot, seq: number): void {
    const key = s.metric + '|' + tagsKey(s.tags);
    let t = into.get(key);
    if (!t) {
      let kept = this.intervalSeries.get(key);
      if (kept === undefined || kept.series.acc.type !== s.data.type) {
        kept = { series: { metric: s.metric, tags: s.tags, acc: new Accumulator(s.data.type) }, usedIn: seq };
        this.intervalSeries.set(key, kept);
      } else if (kept.usedIn !== seq) {
        kept.usedIn = seq;
        kept.series.acc.reset();
      }
      t = kept.series;
      into.set(key, t);
    }
    t.acc.merge(s.data, true);
  }

  /** Remember how a custom metric's values are to be read (for reports). */
  setContains(metric: string, contains: 'time' | 'data' | 'default'): void {
    this.customContains.set(metric, contains);
  }

  /** Halve the time series' resolution: adjacent intervals merged (counts exact, percentiles count-weighted). */
  private coarsen(): void {
    const out: IntervalRecord[] = [];
    for (let i = 0; i < this.intervals.length; i += 2) {
      const a = this.intervals[i]!;
      const b = this.intervals[i + 1];
      out.push(b ? mergeIntervals(a, b) : a);
    }
    this.intervals.length = 0;
    this.intervals.push(...out);
  }

  /** Merged whole-run view of every series of `metric` whose tags include `tags`. */
  select(metric: string, tags: Tags): Accumulator | null {
    let acc: Accumulator | null = null;
    for (const t of this.totals.values()) {
      if (t.metric !== metric || !tagsMatch(t.tags, tags)) continue;
      if (!acc) acc = new Accumulator(t.acc.type);
      acc.merge(t.acc, t.acc.type === 'gauge');
    }
    return acc;
  }

  toTotals(): SeriesTotal[] {
    return [...this.totals.values()].map((t) => {
      const a = t.acc;
      const contains = BUILTIN_METRICS.get(t.metric)?.contains ?? this.customContains.get(t.metric) ?? 'default';
      const out: SeriesTotal = {
        metric: t.metric,
        type: a.type,
        contains,
        tags: { ...t.tags },
        count: a.count,
        sum: a.sum,
        min: a.count ? a.min : 0,
        max: a.count ? a.max : 0,
      };
      if (a.hist) out.histogram = encodeHistogram(a.hist);
      return out;
    });
  }
}

function toPoint(s: TotalSeries): SeriesPoint {
  const a = s.acc;
  const p: SeriesPoint = {
    metric: s.metric,
    tags: s.tags as Record<string, string>,
    count: a.count,
    sum: a.sum,
    min: a.count ? a.min : 0,
    max: a.count ? a.max : 0,
  };
  if (a.hist) {
    p.p50 = a.percentile(50);
    p.p90 = a.percentile(90);
    p.p95 = a.percentile(95);
    p.p99 = a.percentile(99);
  }
  return p;
}

function mergeIntervals(a: IntervalRecord, b: IntervalRecord): IntervalRecord {
  const byKey = new Map<string, SeriesPoint>();
  for (const p of [...a.series, ...b.series]) {
    const key = p.metric + '|' + tagsKey(p.tags);
    const q = byKey.get(key);
    if (!q) {
      byKey.set(key, { ...p });
      continue;
    }
    const n = q.count + p.count;
    for (const f of ['p50', 'p90', 'p95', 'p99'] as const) {
      if (q[f] !== undefined && p[f] !== undefined) q[f] = n ? (q[f]! * q.count + p[f]! * p.count) / n : 0;
    }
    q.min = Math.min(q.min, p.min);
    q.max = Math.max(q.max, p.max);
    q.count = n;
    q.sum += p.sum;
  }
  return {
    index: a.index,
    seconds: a.seconds + b.seconds,
    series: [...byKey.values()],
    generator: {
      cpuMax: Math.max(a.generator.cpuMax, b.generator.cpuMax),
      loopDelayP99MaxMs: Math.max(a.generator.loopDelayP99MaxMs, b.generator.loopDelayP99MaxMs),
      eluMax: Math.max(a.generator.eluMax, b.generator.eluMax),
    },
  };
}
