// Display helpers for severities and verdicts. The overall status is read off what the audits and
// phases already decided (worst finding, failed phases) — the same reading as SPEC §5's
// performance_status — so the report restates decisions rather than making new ones.
import { compareFindings, SEVERITY_ORDER, type Finding, type Severity } from '../../record/findings.ts';
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

/** Most severe first, then the more confident; stable for equal keys. */
export function sortFindings(findings: readonly Finding[]): Finding[] {
  return [...findings].sort(compareFindings);
}

export type OverallStatus = 'optimal' | 'acceptable' | 'degraded' | 'critical';

export interface OverallVerdict {
  status: OverallStatus;
  headline: string;
  /** The generator limited a phase: the other figures are unreliable. */
  unreliable: boolean;
}

const PHASE_VERDICTS = ['passed', 'degraded', 'failed', 'skipped'] as const;

export function phaseVerdictOf(p: Pick<PhaseRecord, 'verdict'>): PhaseRecord['verdict'] | 'unknown' {
  return (PHASE_VERDICTS as readonly string[]).includes(p.verdict) ? p.verdict : 'unknown';
}

export function overallVerdict(record: AssessmentRecord): OverallVerdict {
  const findings = Array.isArray(record.findings) ? record.findings : [];
  const phases = Array.isArray(record.phases) ? record.phases : [];
  const count = (s: Severity) => findings.filter((f) => severityOf(f) === s).length;
  const failedPhases = phases.filter((p) => phaseVerdictOf(p) === 'failed').length;
  const degradedPhases = phases.filter((p) => phaseVerdictOf(p) === 'degraded').length;
  const unreliable = findings.some((f) => f.invalidatesOthers === true);
  const n = (k: number, what: string) => `${k} ${what}${k === 1 ? '' : 's'}`;
  if (count('critical') > 0) return { status: 'critical', headline: `${n(count('critical'), 'critical (P0) finding')}: block the deployment`, unreliable };
  if (count('high') > 0 || failedPhases > 0) {
    const parts = [count('high') ? n(count('high'), 'high (P1) finding') : '', failedPhases ? n(failedPhases, 'failed phase') : ''].filter(Boolean);
    return { status: 'degraded', headline: parts.join(', '), unreliable };
  }
  if (count('medium') > 0 || count('low') > 0 || degradedPhases > 0) {
    const parts = [count('medium') ? n(count('medium'), 'medium finding') : '', count('low') ? n(count('low'), 'low finding') : '', degradedPhases ? n(degradedPhases, 'degraded phase') : ''].filter(Boolean);
    return { status: 'acceptable', headline: parts.join(', '), unreliable };
  }
  return { status: 'optimal', headline: 'Holds the load: no problem found at the loads tested', unreliable };
}
