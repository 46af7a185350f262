// --summary-export FILE: k6's summary-export shape (metrics.<name>.{count, rate, avg, min, med, max,
// p(90), p(95), p(99), p(99.9)}, thresholds per metric), plus a `speedguard` section with what k6
// lacks: run status, dropped iterations, the threshold verdicts and the generator self-check.
import { parseMetricSelector } from '../metrics/thresholds/index.ts';
import type { RunRecord } from '../record/run-record.ts';
import { metricNames, selectMetric } from '../record/select.ts';

type Values = Record<string, number | Record<string, boolean>>;

function metricValues(record: RunRecord, metric: string, tags: Record<string, string>): Values | null {
  const a = selectMetric(record, metric, tags);
  if (!a) return null;
  const seconds = Math.max(record.durationMs, 1) / 1000;
  switch (a.type) {
    case 'trend':
      return {
        count: a.count,
        avg: a.count ? a.sum / a.count : 0,
        min: a.count ? a.min : 0,
        med: a.percentile(50),
        max: a.count ? a.max : 0,
        'p(90)': a.percentile(90),
        'p(95)': a.percentile(95),
        'p(99)': a.percentile(99),
        'p(99.9)': a.percentile(99.9),
      };
    case 'counter':
      return { count: a.sum, rate: a.sum / seconds };
    case 'rate':
      return { passes: a.sum, fails: a.count - a.sum, value: a.count ? a.sum / a.count : 0, rate: a.count ? a.sum / a.count : 0 };
    case 'gauge':
      return { value: a.sum, min: a.count ? a.min : 0, max: a.count ? a.max : 0 };
  }
}

export function buildSummaryExport(record: RunRecord): Record<string, unknown> {
  const metrics: Record<string, Values> = {};
  for (const name of metricNames(record)) {
    const v = metricValues(record, name, {});
    if (v) metrics[name] = v;
  }
  // Sub-metrics named in thresholds get their own entry, as in k6.
  for (const t of record.thresholds) {
    const sel = parseMetricSelector(t.selector);
    if (!metrics[t.selector]) {
      const v = metricValues(record, sel.metric, sel.tags);
      if (v) metrics[t.selector] = v;
    }
    const m = metrics[t.selector];
    if (m) {
      // k6's convention: the boolean says whether the threshold FAILED.
      const th = (m.thresholds ?? {}) as Record<string, boolean>;
      th[t.expression] = !t.ok;
      m.thresholds = th;
    }
  }
  if (!metrics.dropped_iterations) metrics.dropped_iterations = { count: 0, rate: 0 };
  return {
    metrics,
    speedguard: {
      run_id: record.id,
      status: record.status,
      status_reason: record.statusReason,
      started_at: record.startedAt,
      duration_ms: record.durationMs,
      dropped_iterations: (metrics.dropped_iterations as { count: number }).count,
      thresholds: record.thresholds,
      generator: record.generator,
      connections_opened: record.connectionsOpened,
    },
  };
}
