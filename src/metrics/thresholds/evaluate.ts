// Evaluating a threshold against an aggregated metric view, with k6's semantics
// (metrics/thresholds.go `Thresholds.Run`, metrics/sink.go, metrics/engine/engine.go).
//
// Metrics with no samples, as k6 does it:
// - While the test runs (phase 'running'), k6 skips metrics whose sink is empty: the threshold passes.
// - At the end (phase 'final'), k6 evaluates the empty sink: trend min/max/avg/med/p(N) are 0,
//   counter count and rate are 0, gauge value is 0 — so `count>0` fails and `p(95)<200` passes —
//   while an empty rate metric has no value at all and the threshold passes.
// `actual` is NaN whenever the threshold passed for want of data (`noData`).
//
// Caveat: an AggregateView of a counter holds the sum, not the number of samples, so a counter whose
// samples all add 0 looks empty here; it only matters in the 'running' phase.

import type { AggregateView } from '../types.ts';
import { checkAggregationAllowed } from './allowed.ts';
import type { Aggregation, ParsedThreshold, ThresholdOp } from './types.ts';

export type EvaluationPhase = 'running' | 'final';

export interface ThresholdResult {
  ok: boolean;
  /** The aggregated value compared with the threshold's value; NaN when there was none (noData). */
  actual: number;
  /** True when the threshold passed only because the metric had no samples. */
  noData: boolean;
}

export function evaluateThreshold(parsed: ParsedThreshold, view: AggregateView, phase: EvaluationPhase = 'final'): ThresholdResult {
  checkAggregationAllowed(parsed, view.type);
  const empty = view.count === 0;
  if (empty && (phase === 'running' || view.type === 'rate')) {
    return { ok: true, actual: Number.NaN, noData: true };
  }
  const actual = empty ? emptyValue(parsed.aggregation, view) : aggregate(parsed.aggregation, view);
  return { ok: compare(actual, parsed.op, parsed.value), actual, noData: false };
}

/** The aggregated value of a non-empty view. The aggregation must suit the view's type. */
export function aggregate(agg: Aggregation, view: AggregateView): number {
  switch (agg.kind) {
    case 'avg':
      return view.sum / view.count;
    case 'min':
      return view.min;
    case 'max':
      return view.max;
    case 'med':
      return view.percentile(50);
    case 'p':
      return view.percentile(agg.p);
    case 'count':
      return view.count;
    case 'rate':
      // Counter: per second over the span (k6 divides by the test's elapsed time). Rate: non-zero share.
      return view.type === 'counter' ? view.count / view.spanSeconds : view.sum / view.count;
    case 'value':
      return view.sum;
  }
}

// k6's sinks start at zero, so an empty one reports 0; a counter's rate stays count/span (0, or NaN for a
// zero-length span, which then fails like in k6).
function emptyValue(agg: Aggregation, view: AggregateView): number {
  return agg.kind === 'rate' && view.type === 'counter' ? 0 / view.spanSeconds : 0;
}

/** NaN compares false with everything (so it fails), except `!=`, exactly as Go floats do in k6. */
export function compare(actual: number, op: ThresholdOp, value: number): boolean {
  switch (op) {
    case '<':
      return actual < value;
    case '<=':
      return actual <= value;
    case '>':
      return actual > value;
    case '>=':
      return actual >= value;
    case '==':
    case '===':
      return actual === value;
    case '!=':
      return actual !== value;
  }
}
