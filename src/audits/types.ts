// Audits read a record and return findings (Lighthouse's model): one audit per kind of finding,
// each in its own file, registered in audits/index.ts. They are pure: same record, same findings.
import type { AssessmentRecord } from '../record/assessment-record.ts';
import type { Finding, SeverityThresholds } from '../record/findings.ts';

export interface AuditContext {
  record: AssessmentRecord;
  thresholds: SeverityThresholds;
}

export type AuditFinding = Omit<Finding, 'id'>;

export interface Audit {
  /** Same as the file name: "latency-slo". */
  id: string;
  title: string;
  run(ctx: AuditContext): AuditFinding[];
}

/** What a summary audit reads: the record and the findings of every audit that ran before it. */
export interface SummaryContext extends AuditContext {
  findings: readonly AuditFinding[];
  /** Audits that threw instead of judging: nothing may be vouched for on their behalf. */
  failedAudits: readonly string[];
}

/**
 * An audit that judges the other audits' findings ("no bottleneck", "not saturated"): runAudits calls
 * it in a second pass with what the first pass found, instead of it running the others itself.
 */
export interface SummaryAudit {
  id: string;
  title: string;
  summarise(ctx: SummaryContext): AuditFinding[];
}
