// Names of the custom metrics a script created (new Trend('x') …) in this process. Scripts create
// their metrics in init code, which runs when the plan loader imports the module, so by the time the
// thresholds are checked every metric a threshold may name is here.
import type { MetricType } from './types.ts';

const declared = new Map<string, MetricType>();

export function declareCustomMetric(name: string, type: MetricType): void {
  if (!declared.has(name)) declared.set(name, type);
}

export function declaredCustomMetrics(): ReadonlyMap<string, MetricType> {
  return declared;
}
