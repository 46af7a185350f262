// One metric series' running aggregate. The same class serves the per-interval bucket in a worker,
// the merged totals in the main thread and sliding-window sums: it is mergeable in every form.
import { addHistogram, addSparse, newHistogram, percentileMs, recordBatchMs, toSparse, type Histogram } from './histogram.ts';
import type { AggregateView, MetricType } from './types.ts';

/** The serialisable form of an accumulator (worker → main messages, NDJSON, the record). */
export interface AccumulatorData {
  type: MetricType;
  count: number;
  sum: number;
  min: number;
  max: number;
  /** Trend only: sparse HDR histogram in µs ([value, count, …]). */
  hist?: number[];
}

/**
 * Trend samples wait in a small typed array and go into the HDR histogram in batches: the request
 * path then writes one float per sample, and a batch records runs of equal values (the phases
 * that are 0 µs on a reused connection: connecting, TLS, often blocked and receiving) with one
 * histogram update each. Every read of the histogram flushes first, so nobody sees the difference.
 */
const BATCH = 256;

export class Accumulator implements AggregateView {
  readonly type: MetricType;
  count = 0;
  sum = 0;
  min = Infinity;
  max = -Infinity;
  spanSeconds = 1;
  private h: Histogram | null;
  private readonly pending: Float64Array | null;
  private npending = 0;

  constructor(type: MetricType) {
    this.type = type;
    this.h = type === 'trend' ? newHistogram() : null;
    this.pending = type === 'trend' ? new Float64Array(BATCH) : null;
  }

  /** The HDR histogram (trend only), with every sample recorded so far. */
  get hist(): Histogram | null {
    if (this.npending > 0) this.flush();
    return this.h;
  }

  /** Replaces the histogram (decoded records); samples not yet flushed go with the old one. */
  set hist(h: Histogram | null) {
    this.npending = 0;
    this.h = h;
  }

  private flush(): void {
    const n = this.npending;
    this.npending = 0;
    recordBatchMs(this.h!, this.pending!, n);
  }

  /** Trend: a duration in ms. Counter: an amount. Rate: 1/0 (or true/false). Gauge: a value. */
  add(value: number): void {
    switch (this.type) {
      case 'trend':
        this.count++;
        this.sum += value;
        this.pending![this.npending++] = value;
        if (this.npending === BATCH) this.flush();
        break;
      case 'counter':
        this.count += value;
        this.sum += value;
        break;
      case 'rate':
        this.count++;
        if (value) this.sum++;
        break;
      case 'gauge':
        this.count++;
        this.sum = value;
        break;
    }
    if (value < this.min) this.min = value;
    if (value > this.max) this.max = value;
  }

  percentile(p: number): number {
    const hist = this.hist;
    if (!hist) return NaN;
    if (this.count === 0) return 0;
    // HDR answers with the bucket's highest equivalent value; the exact min and max bound it.
    const v = percentileMs(hist, p);
    return v < this.min ? this.min : Math.min(v, this.max);
  }

  /**
   * Merge another aggregate of the same metric. `sameInstant` is for gauges: parts that share the
   * same span of time (workers' shares of one interval, or the tagged series of one gauge over the
   * whole run) add up — value, min and max alike, since each part owns a share of the whole (the
   * summed min and max are exact for one sample per part and bounds otherwise). Across time the
   * later value wins and min/max are the extremes of both. A first merge copies the part: it used to
   * set min = max = value, which made every run's `vus` read min=0 max=0 (its last value).
   */
  merge(o: AccumulatorData | Accumulator, sameInstant = false): void {
    if (o.count === 0) return;
    if (this.type === 'gauge') {
      if (sameInstant && this.count > 0) {
        this.sum += o.sum;
        this.min += o.min;
        this.max += o.max;
        this.count += o.count;
        return;
      }
      this.sum = o.sum;
      this.count += o.count;
    } else {
      this.count += o.count;
      this.sum += o.sum;
    }
    if (o.min < this.min) this.min = o.min;
    if (o.max > this.max) this.max = o.max;
    const hist = this.hist;
    if (hist) {
      if (o instanceof Accumulator) {
        const oh = o.hist;
        if (oh) addHistogram(hist, oh);
      } else if (o.hist) addSparse(hist, o.hist);
    }
  }

  reset(): void {
    this.count = 0;
    this.sum = 0;
    this.min = Infinity;
    this.max = -Infinity;
    this.npending = 0;
    this.h?.reset();
  }

  toData(): AccumulatorData {
    const empty = this.count === 0; // JSON has no Infinity
    const d: AccumulatorData = { type: this.type, count: this.count, sum: this.sum, min: empty ? 0 : this.min, max: empty ? 0 : this.max };
    const hist = this.hist;
    if (hist) d.hist = toSparse(hist);
    return d;
  }

  static from(d: AccumulatorData): Accumulator {
    const a = new Accumulator(d.type);
    a.merge(d);
    return a;
  }
}
