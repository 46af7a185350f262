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
