// Test helper (not a test file): an AggregateView over a plain array of samples, computed the naive
// way, following the AggregateView comments in src/metrics/types.ts. Percentiles use k6's TrendSink
// rule (linear interpolation between the closest ranks). Empty views report NaN for min/max so a
// test fails if the evaluator reads them instead of applying the empty-metric rules.

import type { AggregateView, MetricType } from '../../../src/metrics/types.ts';

export function arrayView(type: MetricType, samples: readonly number[], spanSeconds = 1): AggregateView {
  const sorted = [...samples].sort((a, b) => a - b);
  const n = sorted.length;
  let total = 0;
  for (const v of samples) total += v;
  const nonZero = samples.filter((v) => v !== 0).length;
  const count = type === 'counter' ? total : n;
  const sum = type === 'rate' ? nonZero : type === 'gauge' ? (samples.at(-1) ?? Number.NaN) : total;
  return {
    type,
    spanSeconds,
    count,
    sum,
    min: n === 0 ? Number.NaN : sorted[0]!,
    max: n === 0 ? Number.NaN : sorted[n - 1]!,
    percentile(p: number): number {
      if (type !== 'trend' || n === 0) return Number.NaN;
      const rank = (p / 100) * (n - 1);
      const lo = sorted[Math.floor(rank)]!;
      const hi = sorted[Math.ceil(rank)]!;
      return lo + (hi - lo) * (rank - Math.floor(rank));
    },
  };
}
