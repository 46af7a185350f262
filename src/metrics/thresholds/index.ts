// k6-compatible thresholds: parse expressions and selectors, check them against metric types,
// evaluate them on aggregated views, whole-run or over sliding windows.

export type { Aggregation, AggregationKind, ParsedThreshold, ThresholdOp } from './types.ts';
export { MetricSelectorError, ThresholdAggregationError, ThresholdSyntaxError, UnknownMetricError } from './errors.ts';
export { formatThreshold, parseThreshold } from './parse.ts';
export { formatMetricSelector, parseMetricSelector, type MetricSelector } from './selector.ts';
export { allowedAggregations, checkAggregationAllowed } from './allowed.ts';
export { aggregate, compare, evaluateThreshold, type EvaluationPhase, type ThresholdResult } from './evaluate.ts';
export { shouldAbort, WindowedThreshold, type WindowedThresholdState, type WindowStep } from './window.ts';
