// When a threshold's metric got no data. k6 passes such thresholds (an empty trend reads 0, an empty
// rate has no value): a typo in a tag value, or a service that never answered, then passes the gate.
// speedguard fails them instead, with the reason, unless the threshold says `allowEmpty: true` (a
// metric that may legitimately stay empty) or the run follows k6's semantics (an unchanged k6
// script), where the threshold passes and a warning names it.
//
// What "no data" means, by metric type:
// - trend, rate, gauge: no sample at all in the selected series;
// - counter: an empty counter is a real measurement (0 events: `dropped_iterations: count<1` is the
//   healthy case), so it is "no data" only when the selector's tag filter matches no series of any
//   metric in the run (a tag value that matches nothing).
import type { MetricType } from '../types.ts';

export interface EmptyPolicy {
  /** The threshold's own opt-out (plan `allowEmpty: true`, CLI `,allowEmpty`). */
  allowEmpty: boolean;
  /** k6 semantics: empty thresholds pass, with a warning. */
  k6Semantics: boolean;
}

export interface NoDataVerdict {
  ok: boolean;
  /** One line for the summary: why the threshold failed, or why it passed without data. */
  note: string;
}

export function hasNoData(type: MetricType, sampleCount: number, tagsMatchAnySeries: boolean): boolean {
  if (!tagsMatchAnySeries) return true;
  return type !== 'counter' && sampleCount === 0;
}

export function judgeNoData(selector: string, tagsMatchAnySeries: boolean, policy: EmptyPolicy): NoDataVerdict {
  const why = tagsMatchAnySeries ? `${selector} got no samples` : `no sample in the run has the tags of ${selector}`;
  if (policy.allowEmpty) return { ok: true, note: `no data: ${why} (allowed: allowEmpty)` };
  if (policy.k6Semantics) return { ok: true, note: `no data: ${why}; passes as in k6` };
  return { ok: false, note: `no data: ${why}` };
}
