// The assessment's verdict: its status and 0–10 score, decided once, when the record is built, from the
// findings' severities and the phases' verdicts (docs/ASSESSMENT-RULES.md §3). Stored in the record;
// every renderer (terminal, Markdown, JSON envelope, HTML, step summary) shows this one decision.
import type { AssessmentRecord, AssessmentVerdict, PerformanceStatus } from '../record/assessment-record.ts';
import { isMeasurementNote, severityRank, type Severity } from '../record/findings.ts';
import { closedLoopWithoutExpectedLoad } from '../audits/support/objective.ts';
import { closedLoopVus } from '../analysis/closed-loop.ts';
import { DEFAULT_THRESHOLDS } from '../analysis/severity.ts';
import { selectMetric } from '../record/select.ts';

const BAND: Record<PerformanceStatus, [number, number]> = {
  optimal: [9, 10],
  acceptable: [6, 8.9],
  degraded: [3, 5.9],
  critical: [0, 2.9],
};
/** Points a finding of each severity takes off the score. */
const COST: Record<Severity, number> = { critical: 3, high: 2, medium: 1, low: 0.25, info: 0 };
const FAILED_PHASE_COST = 1.5;
const DEGRADED_PHASE_COST = 0.5;

/**
 * - critical:   a P0 finding, or the baseline phase failed (the expected load is not held);
 * - degraded:   a P1 finding, or any other phase failed;
 * - acceptable: a P2/P3 finding, or a phase degraded;
 * - optimal:    nothing above info and every phase that ran passed.
 * Notes about the measurement (the load generator's limits) and the capacity phase take no part.
 * A closed-loop phase with no expected rate (profile without --rate) that failed on latency alone
 * missed the SLO at the concurrency chosen, not at an expected load: it counts as a degraded phase
 * (ASSESSMENT-RULES.md §3); failing requests (≥ the P0 error band) still fail it.
 * The score starts at 10, loses COST per finding and per failed/degraded phase, and is clamped into its
 * status's band so that score and status never disagree.
 */
export function decideVerdict(
  record: Pick<AssessmentRecord, 'findings' | 'phases'> & Partial<Pick<AssessmentRecord, 'capacity' | 'config' | 'command'>>,
): AssessmentVerdict {
  // Notes about speedguard's own measurement never judge the service (ASSESSMENT-RULES.md §2).
  const aboutService = record.findings.filter((f) => !isMeasurementNote(f));
  const count = (s: Severity) => aboutService.filter((f) => severityRank(f.severity) === severityRank(s)).length;
  // The capacity phase (assess --profile) runs at the edge of what the stress phase sustained, to
  // profile the limit; the stress phase already judged that capacity (ASSESSMENT-RULES.md §3, §6).
  const ran = record.phases.filter((p) => p.verdict !== 'skipped' && p.name !== 'capacity');
  const closedLoop =
    record.config !== undefined && record.command !== undefined && closedLoopWithoutExpectedLoad(record as AssessmentRecord);
  const concurrencyMiss = ran.filter((p) => closedLoop && p.verdict === 'failed' && errorShare(p) < DEFAULT_THRESHOLDS.errorRate.p0!);
  const failed = ran.filter((p) => p.verdict === 'failed' && !concurrencyMiss.includes(p));
  const degraded = ran.filter((p) => p.verdict === 'degraded' || concurrencyMiss.includes(p));
  const baselineFailed = failed.some((p) => p.name === 'baseline');
  const unreliable = record.findings.some((f) => f.invalidatesOthers === true);
  const n = (k: number, what: string) => (k ? `${k} ${what}${k === 1 ? '' : 's'}` : '');
  const list = (...parts: string[]) => parts.filter(Boolean).join(', ');

  let status: PerformanceStatus;
  let headline: string;
  if (count('critical') > 0 || baselineFailed) {
    status = 'critical';
    headline =
      list(n(count('critical'), 'critical (P0) finding'), baselineFailed ? 'the baseline phase failed' : '') + ': block the deployment';
  } else if (count('high') > 0 || failed.length > 0) {
    status = 'degraded';
    headline = list(n(count('high'), 'high (P1) finding'), n(failed.length, 'failed phase'));
  } else if (count('medium') > 0 || count('low') > 0 || degraded.length > 0) {
    status = 'acceptable';
    headline = list(
      n(count('medium'), 'medium finding'),
      n(count('low'), 'low finding'),
      n(degraded.length - concurrencyMiss.length, 'degraded phase'),
      ...concurrencyMiss.map(
        (p) =>
          `the ${p.name} phase missed the SLO at ${closedLoopVus(p.run)} concurrent users ` +
          '(a closed loop with no expected rate: latency set by the users chosen, not an outage; give --rate to judge an expected load)',
      ),
    );
  } else {
    status = 'optimal';
    headline = 'Holds the load: no problem found at the loads tested';
  }
  const cap = record.capacity;
  if (cap?.lowerBound && cap.sustainableRps !== null && status !== 'critical') {
    // The service outlasted the load generator: say what it held, not that it is degraded.
    const held =
      cap.limitedBy === 'max_rate'
        ? 'held every rate tested (raise --max-rate to look further)'
        : 'held everything the load generator on this host could send';
    headline = `not saturated: ${held}, ≥ ${Math.round(cap.sustainableRps)} req/s` + (status === 'optimal' ? '' : `; ${headline}`);
  }
  let raw = 10 - FAILED_PHASE_COST * failed.length - DEGRADED_PHASE_COST * degraded.length;
  for (const f of aboutService) raw -= COST[f.severity] ?? 0;
  const [lo, hi] = BAND[status];
  const score = Math.round(Math.min(hi, Math.max(lo, raw)) * 10) / 10;
  return { status, score, headline, unreliable };
}

/** Failed requests' share of a phase's requests. */
function errorShare(p: AssessmentRecord['phases'][number]): number {
  const requests = selectMetric(p.run, 'http_reqs')?.sum ?? 0;
  return requests > 0 ? (selectMetric(p.run, 'http_req_failed')?.sum ?? 0) / requests : 0;
}

/** A record stored before the verdict was part of the record gets it decided now, by the same rules (`speedguard report`). */
export function withVerdict(record: AssessmentRecord): AssessmentRecord {
  return record.verdict ? record : { ...record, verdict: decideVerdict(record) };
}
