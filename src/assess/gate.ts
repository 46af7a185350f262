// The quality gates (docs/ASSESSMENT-RULES.md §5): the exit code a record earns. One function for
// assess, profile, db and demo, so that a CI pipeline gets the same answer from each; one for a plain
// run (its thresholds) and one for a comparison (`speedguard compare`).
import { regressionsAtOrAbove } from '../analysis/compare.ts';
import { EXIT, type ExitCode } from '../errors.ts';
import type { AssessmentRecord } from '../record/assessment-record.ts';
import type { Comparison, RegressionSeverity } from '../record/comparison.ts';
import { severityRank, type GateSeverity } from '../record/findings.ts';
import type { RunRecord } from '../record/run-record.ts';

export interface GateOptions {
  /** Findings (and regressions) at or above this severity fail the gate; null: findings never do. */
  failOn?: GateSeverity | null | undefined;
}

/**
 * 130 when the run was interrupted (the partial record is kept); 99 when a regression against the
 * baseline is at or above --fail-on (medium by default), or a finding is and --fail-on was given;
 * else 0. Findings alone never fail a gate nobody asked for: they are the point of an assessment.
 */
export function gateExitCode(record: Pick<AssessmentRecord, 'status' | 'comparison' | 'findings'>, o: GateOptions = {}): ExitCode {
  if (record.status === 'interrupted') return EXIT.INTERRUPTED;
  const failOn = o.failOn ?? null;
  const worst = record.comparison?.worstSeverity ?? null;
  if (worst !== null && severityRank(worst) <= severityRank(failOn ?? 'medium')) return EXIT.GATE_FAILED;
  if (failOn !== null && record.findings.some((f) => severityRank(f.severity) <= severityRank(failOn))) return EXIT.GATE_FAILED;
  return EXIT.OK;
}

/** A run: 130 interrupted, 1 failed, 99 aborted by a threshold or a threshold failed, else 0. */
export function runExitCode(record: Pick<RunRecord, 'status' | 'thresholds'>): ExitCode {
  if (record.status === 'interrupted') return EXIT.INTERRUPTED;
  if (record.status === 'failed') return EXIT.RUNTIME;
  if (record.status === 'aborted_by_threshold' || record.thresholds.some((t) => !t.ok)) return EXIT.GATE_FAILED;
  return EXIT.OK;
}

/** A comparison: 99 when a regression is at or above --fail-on, else 0. */
export function comparisonExitCode(c: Comparison, failOn: RegressionSeverity): ExitCode {
  return regressionsAtOrAbove(c, failOn).length ? EXIT.GATE_FAILED : EXIT.OK;
}
