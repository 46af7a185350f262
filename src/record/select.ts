// Reading metrics back out of a RunRecord: merge the whole-run series that match a metric and tags.
import { Accumulator } from '../metrics/accumulator.ts';
import { decodeHistogram } from '../metrics/histogram.ts';
import { tagsMatch } from '../metrics/tags.ts';
import type { RunRecord, SeriesTotal } from './run-record.ts';

export function accumulatorOf(t: SeriesTotal): Accumulator {
  const a = new Accumulator(t.type);
  a.count = t.count;
  a.sum = t.sum;
  a.min = t.count ? t.min : Infinity;
  a.max = t.count ? t.max : -Infinity;
  if (t.histogram) a.hist = decodeHistogram(t.histogram);
  return a;
}

/** The whole-run aggregate of `metric` over every series whose tags include `tags`; null if none. */
export function selectMetric(record: RunRecord, metric: string, tags: Record<string, string> = {}): Accumulator | null {
  let acc: Accumulator | null = null;
  for (const t of record.totals) {
    if (t.metric !== metric || !tagsMatch(t.tags, tags)) continue;
    const a = accumulatorOf(t);
    if (!acc) acc = new Accumulator(t.type);
    acc.merge(a, t.type === 'gauge');
  }
  if (acc) acc.spanSeconds = Math.max(record.durationMs, 1) / 1000;
  return acc;
}

/** Metric names present in the record, in first-seen order. */
export function metricNames(record: RunRecord): string[] {
  return [...new Set(record.totals.map((t) => t.metric))];
}

/** Sum of a counter over series grouped by one tag (e.g. http_req_errors by error kind). */
export function countBy(record: RunRecord, metric: string, tag: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const t of record.totals) {
    if (t.metric !== metric) continue;
    const k = t.tags[tag] ?? '';
    out.set(k, (out.get(k) ?? 0) + t.sum);
  }
  return out;
}
