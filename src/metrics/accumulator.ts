// One metric series' running aggregate. The same class serves the per-interval bucket in a worker,
// the merged totals in the main thread and sliding-window sums: it is mergeable in every form.
import { addSparse, newHistogram, percentileMs, recordMs, toSparse, type Histogram } from './histogram.ts';
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

export class Accumulator implements AggregateView {
  readonly type: MetricType;
  count = 0;
  sum = 0;
  min = Infinity;
  max = -Infinity;
  spanSeconds = 1;
  hist: Histogram | null;

  constructor(type: MetricType) {
    this.type = type;
    this.hist = type === 'trend' ? newHistogram() : null;
  }

  /** Trend: a duration in ms. Counter: an amount. Rate: 1/0 (or true/false). Gauge: a value. */
  add(value: number): void {
    switch (this.type) {
      case 'trend':
        this.count++;
        this.sum += value;
        recordMs(this.hist!, value);
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
    if (!this.hist) return NaN;
    if (this.count === 0) return 0;
    // HDR answers with the bucket's highest equivalent value; the exact min and max bound it.
    const v = percentileMs(this.hist, p);
    return v < this.min ? this.min : v > this.max ? this.max : v;
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
    if (this.hist) {
      if (o instanceof Accumulator) { if (o.hist) this.hist.add(o.hist); }
      else if (o.hist) addSparse(this.hist, o.hist);
    }
  }

  reset(): void {
    this.count = 0;
    this.sum = 0;
    this.min = Infinity;
    this.max = -Infinity;
    this.hist?.reset();
  }

  toData(): AccumulatorData {
    const empty = this.count === 0; // JSON has no Infinity
    const d: AccumulatorData = { type: this.type, count: this.count, sum: this.sum, min: empty ? 0 : this.min, max: empty ? 0 : this.max };
    if (this.hist) d.hist = toSparse(this.hist);
    return d;
  }

  static from(d: AccumulatorData): Accumulator {
    const a = new Accumulator(d.type);
    a.merge(d);
    return a;
  }
}
