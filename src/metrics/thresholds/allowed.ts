// Which aggregations each metric type offers — the k6 rules (metrics/metric_type.go,
// supportedAggregationMethods). k6 gives a gauge only `value`, although it tracks min and max;
// we follow k6 so a plan that passes here also passes there.

import type { MetricType } from '../types.ts';
import { ThresholdAggregationError } from './errors.ts';
import type { ParsedThreshold } from './types.ts';

type AggregationName = ParsedThreshold['aggregation']['kind'];

const ALLOWED: Record<MetricType, readonly AggregationName[]> = {
  trend: ['avg', 'min', 'max', 'med', 'p'],
  counter: ['count', 'rate'],
  rate: ['rate'],
  gauge: ['value'],
};

export function allowedAggregations(type: MetricType): readonly string[] {
  return ALLOWED[type].map((k) => (k === 'p' ? 'p(N)' : k));
}

/**
 * Throws ThresholdAggregationError when the threshold's aggregation does not exist for the metric type,
 * e.g. `threshold "rate<0.1" on http_req_duration (trend): aggregation "rate" is not available for
 * trend metrics; use avg, min, max, med or p(N)`. `metric` is the selector, for the message.
 */
export function checkAggregationAllowed(parsed: ParsedThreshold, metricType: MetricType, metric = 'the metric'): void {
  const kind = parsed.aggregation.kind;
  if (ALLOWED[metricType].includes(kind)) return;
  const name = kind === 'p' ? 'p(N)' : kind;
  throw new ThresholdAggregationError(
    `threshold ${JSON.stringify(parsed.source)} on ${metric} (${metricType}): aggregation "${name}" is not available ` +
      `for ${metricType} metrics; use ${orList(allowedAggregations(metricType))}`,
  );
}

function orList(items: readonly string[]): string {
  return items.length === 1 ? items[0]! : `${items.slice(0, -1).join(', ')} or ${items.at(-1)}`;
}
