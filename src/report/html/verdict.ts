// Display helpers for severities and phase verdicts. The overall verdict is the record's own
// (assess/verdict.ts decides it when the record is built); the HTML report only shows it.
import { SEVERITY_ORDER, type Finding, type Severity } from '../../record/findings.ts';
import type { AssessmentRecord, PhaseRecord } from '../../record/assessment-record.ts';

export const SEVERITY_LABEL: Record<Severity, string> = {
  critical: 'P0 critical',
  high: 'P1 high',
  medium: 'P2 medium',
  low: 'P3 low',
  info: 'info',
};

/** A known severity or 'info' (class names and ordering never come from record text). */
export function severityOf(f: Pick<Finding, 'severity'>): Severity {
  return SEVERITY_ORDER.includes(f.severity) ? f.severity : 'info';
}

const PHASE_VERDICTS = ['passed', 'degraded', 'failed', 'skipped'] as const;

export function phaseVerdictOf(p: Pick<PhaseRecord, 'verdict'>): PhaseRecord['verdict'] | 'unknown' {
  return (PHASE_VERDICTS as readonly string[]).includes(p.verdict) ? p.verdict : 'unknown';
}

const STATUSES = ['optimal', 'acceptable', 'degraded', 'critical'] as const;

/** The record's verdict with a known status (class names never come from record text). */
export function verdictOf(r: Pick<AssessmentRecord, 'verdict'>): AssessmentRecord['verdict'] {
  const v = r.verdict;
  const status = v && (STATUSES as readonly string[]).includes(v.status) ? v.status : 'critical';
  return {
    status,
    score: typeof v?.score === 'number' ? v.score : 0,
    headline: String(v?.headline ?? 'no verdict in the record'),
    unreliable: v?.unreliable === true,
  };
}
