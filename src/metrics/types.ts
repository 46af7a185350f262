// Metric kinds as in k6: a Trend is a distribution (kept as an HDR histogram in µs), a Counter a sum,
// a Rate the share of non-zero samples, a Gauge the last value.

export type MetricType = 'trend' | 'counter' | 'rate' | 'gauge';

/**
 * A read-only view of one metric (or tagged sub-metric) aggregated over some span of time:
 * the whole run, one interval, or a sliding window. Thresholds are evaluated against it.
 * Trend values are in milliseconds (fractional), as k6 reports them.
 */
export interface AggregateView {
  type: MetricType;
  /** Span covered, in seconds (for counter rates). */
  spanSeconds: number;
  /** Trend: number of samples. Counter: sum of values. Rate: number of samples. Gauge: samples seen. */
  count: number;
  /** Trend: sum of values (ms). Counter: sum. Rate: number of non-zero samples. Gauge: last value. */
  sum: number;
  min: number;
  max: number;
  /** Trend: value at percentile p (0..100), in ms. Other types: NaN. */
  percentile(p: number): number;
}
