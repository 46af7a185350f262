// The key figures of a stored record, computed once at save time and kept in indexed columns so
// `speedguard history` can list hundreds of runs without parsing a single multi-megabyte record.
import { SEVERITY_ORDER, type Severity } from '../record/findings.ts';
import type { AssessmentRecord } from '../record/assessment-record.ts';
import type { RunRecord } from '../record/run-record.ts';
import { selectMetric } from '../record/select.ts';
import { capacityAtSlo } from '../analysis/capacity-figure.ts';

export type StoredRecord = RunRecord | AssessmentRecord;

export interface HistorySummary {
  /** HTTP requests completed (for an assessment: in its baseline phase, else its first phase). */
  requests: number | null;
  /** Completed requests per second over the run (same phase as above). */
  rps: number | null;
  p50Ms: number | null;
  p95Ms: number | null;
  p99Ms: number | null;
  /** Share of failed requests, 0..1. */
  errorRate: number | null;
  /** Assessments: highest rate that met the SLO (capacity model, else the stress phase). */
  sustainableRps: number | null;
  /** Assessments: number of findings per severity; null for runs. */
  findings: Record<Severity, number> | null;
}

function finite(n: number | undefined | null): number | null {
  return typeof n === 'number' && Number.isFinite(n) ? n : null;
}

export function runFigures(run: RunRecord): Pick<HistorySummary, 'requests' | 'rps' | 'p50Ms' | 'p95Ms' | 'p99Ms' | 'errorRate'> {
  const reqs = selectMetric(run, 'http_reqs');
  const dur = selectMetric(run, 'http_req_duration');
  const failed = selectMetric(run, 'http_req_failed');
  const seconds = Math.max(run.durationMs, 1) / 1000;
  const has = dur !== null && dur.count > 0;
  return {
    requests: reqs ? reqs.sum : null,
    rps: reqs ? finite(reqs.sum / seconds) : null,
    p50Ms: has ? finite(dur.percentile(50)) : null,
    p95Ms: has ? finite(dur.percentile(95)) : null,
    p99Ms: has ? finite(dur.percentile(99)) : null,
    errorRate: failed && failed.count > 0 ? finite(failed.sum / failed.count) : null,
  };
}

const EMPTY: HistorySummary = {
  requests: null,
  rps: null,
  p50Ms: null,
  p95Ms: null,
  p99Ms: null,
  errorRate: null,
  sustainableRps: null,
  findings: null,
};

/** Never throws: a record whose figures cannot be read is still stored, with null figures. */
export function summarise(record: StoredRecord): HistorySummary {
  try {
    if (record.kind === 'run') return { ...EMPTY, ...runFigures(record) };
    const phase = record.phases.find((p) => p.name === 'baseline') ?? record.phases[0];
    const findings = Object.fromEntries(SEVERITY_ORDER.map((s) => [s, 0])) as Record<Severity, number>;
    for (const f of record.findings ?? []) if (f.severity in findings) findings[f.severity]++;
    return {
      ...EMPTY,
      ...(phase ? runFigures(phase.run) : {}),
      sustainableRps: capacityAtSlo(record),
      findings,
    };
  } catch {
    return { ...EMPTY };
  }
}
