// Whether the service missed its objective at the load it is expected to carry (ASSESSMENT-RULES.md §2:
// "P0 and P1 need the service to miss its objective or its expected load"). A saturated resource
// seen at some other load — the closed-loop load `profile` drives by default (20 VUs, a concurrency
// nobody asked for), or the capacity phase at the edge of what the service holds — is a capacity
// fact: it says where the limit is, not that users are failing today.
import type { AssessmentRecord } from '../../record/assessment-record.ts';
import { severityRank, type Severity } from '../../record/findings.ts';
import type { AuditFinding } from '../types.ts';
import { EXPECTED_LOAD_PHASES, expectedRateOf, phasesRun, sustainableRateOf } from './record.ts';

/** The most a resource finding may be while the objective holds at the expected load. */
export const CAPACITY_FACT_MAX: Severity = 'medium';

/**
 * True when there is an expected load and the service missed its objective there: a phase at the
 * expected load (baseline, sustained, peak) did not pass, or the stress phase sustained less than a
 * rate the user gave. A closed-loop `profile` (no --rate) has no expected load: false.
 */
export function objectiveMissedAtExpectedLoad(record: AssessmentRecord): boolean {
  const expected = expectedRateOf(record);
  // profile and run without a rate: a closed-loop load, whose latency is set by the number of VUs.
  const openModel = record.config.expectedRate !== null || record.command === 'assess' || record.command === 'demo';
  if (!expected || !openModel) return false;
  if (phasesRun(record, EXPECTED_LOAD_PHASES).some((p) => p.verdict === 'failed' || p.verdict === 'degraded')) return true;
  const sustainable = sustainableRateOf(record);
  return !expected.discovered && sustainable !== null && sustainable < expected.rate;
}

/**
 * A finding of an audit that judges a resource (Audit.judgesResource) above CAPACITY_FACT_MAX becomes
 * CAPACITY_FACT_MAX when the objective held at the expected load (or there is none), saying why; every
 * other finding is returned unchanged.
 */
export function toSeverityMatrix(f: AuditFinding, judgesResource: boolean, record: AssessmentRecord, missed: boolean): AuditFinding {
  if (missed || !judgesResource || severityRank(f.severity) >= severityRank(CAPACITY_FACT_MAX)) return f;
  const why =
    expectedRateOf(record) === null || (record.config.expectedRate === null && record.command !== 'assess' && record.command !== 'demo')
      ? 'the load was a closed-loop one with no expected rate (--rate), so a saturated resource there is a capacity fact, not an outage'
      : 'the service met its objective at the expected load, so a saturated resource at this load is a capacity fact, not an outage';
  return {
    ...f,
    severity: CAPACITY_FACT_MAX,
    description: `${f.description} Severity P2, not ${f.severity === 'critical' ? 'P0' : 'P1'} (ASSESSMENT-RULES.md §2): ${why}.`,
  };
}
