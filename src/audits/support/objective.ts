// Whether the service missed its objective at the load it is expected to carry (ASSESSMENT-RULES.md §2:
// "P0 and P1 need the service to miss its objective or its expected load"). A saturated resource
// seen at some other load — the closed-loop load `profile` drives by default (20 VUs, a concurrency
// nobody asked for), or the capacity phase at the edge of what the service holds — is a capacity
// fact: it says where the limit is, not that users are failing today.
import type { AssessmentRecord } from '../../record/assessment-record.ts';
import { severityRank, type Severity } from '../../record/findings.ts';
import { closedLoopVus } from '../../analysis/closed-loop.ts';
import type { AuditFinding } from '../types.ts';
import { EXPECTED_LOAD_PHASES, expectedRateOf, phasesRun, sustainableRateOf } from './record.ts';

/** The most a resource finding may be while the objective holds at the expected load. */
export const CAPACITY_FACT_MAX: Severity = 'medium';

/**
 * Audits that keep their severity at a closed-loop load (ASSESSMENT-RULES.md §2): failing requests are
 * an outage at any concurrency, and a leak's time until memory runs out does not depend on the load.
 */
const KEEP_AT_CLOSED_LOOP: ReadonlySet<string> = new Set(['errors-under-load', 'memory-leak']);

/** profile and run without a rate: no expected load (assess and demo always have one, given or derived). */
function withoutExpectedRate(record: AssessmentRecord): boolean {
  return record.config.expectedRate === null && record.command !== 'assess' && record.command !== 'demo';
}

/**
 * True when every phase that ran was a closed loop at a fixed number of VUs and no expected rate was
 * given (`profile` without --rate): its latency is set by the VUs chosen (Little's law,
 * analysis/closed-loop.ts), so neither a latency nor a saturated resource there says production misses
 * its objective.
 */
export function closedLoopWithoutExpectedLoad(record: AssessmentRecord): boolean {
  const ran = phasesRun(record);
  return withoutExpectedRate(record) && ran.length > 0 && ran.every((p) => closedLoopVus(p.run) !== null);
}

/**
 * True when there is an expected load and the service missed its objective there: a phase at the
 * expected load (baseline, sustained, peak) did not pass, or the stress phase sustained less than a
 * rate the user gave. A closed-loop `profile` (no --rate) has no expected load: false.
 */
export function objectiveMissedAtExpectedLoad(record: AssessmentRecord): boolean {
  const expected = expectedRateOf(record);
  if (!expected || withoutExpectedRate(record)) return false;
  if (phasesRun(record, EXPECTED_LOAD_PHASES).some((p) => p.verdict === 'failed' || p.verdict === 'degraded')) return true;
  const sustainable = sustainableRateOf(record);
  return !expected.discovered && sustainable !== null && sustainable < expected.rate;
}

/**
 * A finding above CAPACITY_FACT_MAX becomes CAPACITY_FACT_MAX, saying why, when:
 * - its audit judges a resource (Audit.judgesResource) and the objective held at the expected load (or there is none);
 * - or the load was a closed loop with no expected load (`closedLoop`) and the finding is not one of
 *   KEEP_AT_CLOSED_LOOP nor `loadIndependent` (judged without the load: the database's catalogue, headers).
 * Every other finding is returned unchanged.
 */
export function toSeverityMatrix(
  f: AuditFinding,
  judgesResource: boolean,
  record: AssessmentRecord,
  missed: boolean,
  closedLoop = false,
  loadIndependent = false,
): AuditFinding {
  if (severityRank(f.severity) >= severityRank(CAPACITY_FACT_MAX) || f.invalidatesOthers) return f;
  const resource = judgesResource && !missed;
  const atClosedLoop = closedLoop && !loadIndependent && !KEEP_AT_CLOSED_LOOP.has(f.audit);
  if (!resource && !atClosedLoop) return f;
  const why = atClosedLoop
    ? 'the load was a closed-loop one with no expected rate (--rate): its latency and how busy a resource was are set by the ' +
      'number of VUs chosen (Little’s law), so what it measured is a capacity fact, not an outage'
    : expectedRateOf(record) === null || withoutExpectedRate(record)
      ? 'the load was a closed-loop one with no expected rate (--rate), so a saturated resource there is a capacity fact, not an outage'
      : 'the service met its objective at the expected load, so a saturated resource at this load is a capacity fact, not an outage';
  return {
    ...f,
    severity: CAPACITY_FACT_MAX,
    description: `${f.description} Severity P2, not ${f.severity === 'critical' ? 'P0' : 'P1'} (ASSESSMENT-RULES.md §2): ${why}.`,
  };
}
