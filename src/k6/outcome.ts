// How a k6 script's run ends, as k6 ends it: exit codes (k6 src errext/exitcodes), the hidden
// abort threshold taken out of the record, and what must be said about a run that looks passed.
import type { RunRecord } from '../record/run-record.ts';
import { selectMetric } from '../record/select.ts';
import { parseMetricSelector } from '../metrics/thresholds/index.ts';
import { ABORT_METRIC, FAIL_METRIC } from './modules/execution.ts';
import { LIFECYCLE_TIMEOUT } from '../engine/setup-teardown.ts';

export const K6_EXIT = {
  THRESHOLDS_FAILED: 99,
  SETUP_TIMEOUT: 100,
  TEARDOWN_TIMEOUT: 101,
  /** Stopped from outside: Ctrl-C, SIGTERM, SIGHUP. */
  EXTERNAL_ABORT: 105,
  SCRIPT_EXCEPTION: 107,
  SCRIPT_ABORTED: 108,
  TEST_FAILED: 110,
} as const;

export interface K6Outcome {
  /** The record without speedguard's hidden k6 bookkeeping thresholds. */
  record: RunRecord;
  aborted: boolean;
  failed: boolean;
  /** setup() or teardown() threw: k6's "script exception" (107). */
  lifecycleThrew: boolean;
  /** setup() or teardown() ran past setupTimeout / teardownTimeout (k6's 100 / 101). */
  lifecycleTimedOut: 'setup' | 'teardown' | null;
  /** Stopped by a signal (k6's 105); the record is partial and marked interrupted. */
  interrupted: boolean;
  /** Lines to print on stderr after the summary. */
  warnings: string[];
}

function count(record: RunRecord, metric: string): number {
  return selectMetric(record, metric)?.sum ?? 0;
}

export function k6Outcome(raw: RunRecord): K6Outcome {
  const aborted = count(raw, ABORT_METRIC) > 0;
  const failed = count(raw, FAIL_METRIC) > 0;
  const thresholds = raw.thresholds.filter((t) => parseMetricSelector(t.selector).metric !== ABORT_METRIC);
  // k6's own bookkeeping counters are not metrics the user made: out of the summary.
  const hidden = (metric: string) => metric === ABORT_METRIC || metric === FAIL_METRIC;
  const record: RunRecord = {
    ...raw,
    thresholds,
    totals: raw.totals.filter((t) => !hidden(t.metric)),
    intervals: raw.intervals.map((i) => ({ ...i, series: i.series.filter((s) => !hidden(s.metric)) })),
  };
  if (aborted && raw.status === 'aborted_by_threshold') {
    record.status = 'completed';
    record.statusReason = 'aborted by the script (exec.test.abort())';
  }
  const warnings: string[] = [];
  for (const t of thresholds) {
    const sel = parseMetricSelector(t.selector);
    const a = selectMetric(raw, sel.metric, sel.tags);
    if (!a || a.count === 0) {
      warnings.push(
        `threshold ${t.selector}: ${t.expression} ${t.ok ? 'passed' : 'failed'} on no data: nothing recorded ${t.selector} (k6 gives ` +
          `the same verdict) — check the metric name and tags`,
      );
    }
  }
  const lifecycle = (raw.scriptErrors ?? []).filter((e) => e.phase === 'setup' || e.phase === 'teardown');
  const timeout = lifecycle.find((e) => e.name === LIFECYCLE_TIMEOUT);
  const lifecycleTimedOut = timeout ? (timeout.phase as 'setup' | 'teardown') : null;
  // A teardown() that throws leaves the load's status as it was, but k6 still ends with 107.
  const lifecycleThrew = lifecycle.some((e) => e.name !== LIFECYCLE_TIMEOUT);
  return { record, aborted, failed, lifecycleThrew, lifecycleTimedOut, interrupted: raw.status === 'interrupted', warnings };
}

/** k6's precedence: a stop from outside, an abort, a lifecycle timeout or exception, then failed
 *  thresholds, then test.fail(); 0 otherwise. */
export function k6ExitCode(o: K6Outcome, base: number): number {
  if (o.interrupted) return K6_EXIT.EXTERNAL_ABORT;
  if (o.aborted) return K6_EXIT.SCRIPT_ABORTED;
  if (o.lifecycleTimedOut === 'setup') return K6_EXIT.SETUP_TIMEOUT;
  if (o.lifecycleTimedOut === 'teardown') return K6_EXIT.TEARDOWN_TIMEOUT;
  if (o.lifecycleThrew) return K6_EXIT.SCRIPT_EXCEPTION;
  if (base !== 0) return base;
  if (o.failed) return K6_EXIT.TEST_FAILED;
  return 0;
}
