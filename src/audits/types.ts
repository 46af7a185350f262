// Audits read a record and return findings (Lighthouse's model): one audit per kind of finding,
// each in its own file, registered in audits/index.ts. They are pure: same record, same findings.
import type { AssessmentRecord } from '../record/assessment-record.ts';
import type { Finding, SeverityThresholds } from '../record/findings.ts';

export interface AuditContext {
  record: AssessmentRecord;
  thresholds: SeverityThresholds;
}

export type AuditFinding = Omit<Finding, 'id'>;

/**
 * What an audit's findings do to the service, for ranking within a severity (ASSESSMENT-RULES.md §2):
 * capacity = where the capacity ends; objective = response time or errors under load; hygiene = bytes
 * or upkeep wasted without limiting either.
 */
export type Effect = 'capacity' | 'objective' | 'hygiene';

export interface Audit {
  /** Same as the file name: "latency-slo". */
  id: string;
  effect: Effect;
  /**
   * The audit judges how busy a resource is (CPU, the event loop, GC, a pool, a downstream, the host)
   * from the target probes: alone that is no outage, so its findings stay at P2 while the objective
   * holds at the expected load (support/objective.ts). The memory leak does not: its severity is the
   * time left until the memory runs out, at any load.
   */
  judgesResource?: true;
  /**
   * Its evidence does not come from the load (the headers and sizes of one inspection GET, the
   * database's catalogue): a saturated generator does not halve its confidence.
   */
  loadIndependent?: true;
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
  effect: Effect;
  title: string;
  summarise(ctx: SummaryContext): AuditFinding[];
}
