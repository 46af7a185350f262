// Interval points (SeriesPoint) for tests of the percentile of a mixture of them: by hand, and as a
// fast-check arbitrary (ordered min ≤ p50 ≤ p90 ≤ p95 ≤ p99 ≤ max, a count ≥ 1).
import fc from 'fast-check';
import type { SeriesPoint } from '../../src/record/run-record.ts';

export function point(count: number, min: number, p50: number, p90: number, p95: number, p99: number, max: number): SeriesPoint {
  return { metric: 'http_req_latency', tags: {}, count, sum: count * p50, min, max, p50, p90, p95, p99 };
}

export const arbPoint: fc.Arbitrary<SeriesPoint> = fc
  .tuple(fc.integer({ min: 1, max: 1000 }), fc.array(fc.double({ min: 0, max: 1e4, noNaN: true }), { minLength: 6, maxLength: 6 }))
  .map(([count, v]) => {
    const s = [...v].sort((a, b) => a - b);
    return point(count, s[0]!, s[1]!, s[2]!, s[3]!, s[4]!, s[5]!);
  });
