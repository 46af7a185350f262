// Every audit, and runAudits: record → the findings stored in it, most severe first, PERF-001…
import { severityRank } from '../record/findings.ts';
import { DEFAULT_THRESHOLDS } from '../analysis/severity.ts';
import type { AssessmentRecord } from '../record/assessment-record.ts';
import type { Finding, SeverityThresholds } from '../record/findings.ts';
import type { Audit, AuditContext, AuditFinding, SummaryAudit, SummaryContext } from './types.ts';
import { compression } from './compression.ts';
import { connectionChurn } from './connection-churn.ts';
import { droppedIterations } from './dropped-iterations.ts';
import { endpointBottleneck } from './endpoint-bottleneck.ts';
import { errorsUnderLoad } from './errors-under-load.ts';
import { generatorBound } from './generator-bound.ts';
import { httpCaching } from './http-caching.ts';
import { latencySlo } from './latency-slo.ts';
import { noBottleneck } from './no-bottleneck.ts';
import { payloadSize } from './payload-size.ts';
import { recoveryTime } from './recovery-time.ts';
import { saturationKnee } from './saturation-knee.ts';
import { spikeTolerance } from './spike-tolerance.ts';
import { tailLatency } from './tail-latency.ts';
import { throughputPlateau } from './throughput-plateau.ts';
import { cpuBound } from './cpu-bound.ts';
import { downstreamWait } from './downstream-wait.ts';
import { offCpuWait } from './off-cpu-wait.ts';
import { asyncWait } from './async-wait.ts';
import { eventLoopBlocked } from './event-loop-blocked.ts';
import { gcPressure } from './gc-pressure.ts';
import { hostLimits } from './host-limits.ts';
import { memoryLeak } from './memory-leak.ts';
import { notSaturated } from './not-saturated.ts';
import { threadpoolSaturation } from './threadpool-saturation.ts';
import { dbSlowQueries } from './db-slow-queries.ts';
import { dbMissingIndex } from './db-missing-index.ts';
import { dbNPlusOne } from './db-n-plus-one.ts';
import { dbPlanIssues } from './db-plan-issues.ts';
import { dbConnections } from './db-connections.ts';
import { dbCacheHitRatio } from './db-cache-hit-ratio.ts';
import { dbInvalidIndex } from './db-invalid-index.ts';
import { dbDuplicateIndex } from './db-duplicate-index.ts';
import { dbUnusedIndex } from './db-unused-index.ts';
import { dbStatStatementsMissing } from './db-stat-statements-missing.ts';
import { dbStatementWait } from './db-statement-wait.ts';
import { limitingResource } from './support/limiting.ts';
import { effectRank } from './support/effect.ts';
import { closedLoopWithoutExpectedLoad, objectiveMissedAtExpectedLoad, toSeverityMatrix } from './support/objective.ts';

export const FINDING_AUDITS: readonly Audit[] = [
  generatorBound,
  latencySlo,
  errorsUnderLoad,
  saturationKnee,
  throughputPlateau,
  endpointBottleneck,
  tailLatency,
  connectionChurn,
  httpCaching,
  compression,
  payloadSize,
  spikeTolerance,
  recoveryTime,
  droppedIterations,
  // Database analysis (speedguard db, assess --db, profile --db); silent without probes.database.
  dbSlowQueries,
  dbMissingIndex,
  dbNPlusOne,
  dbPlanIssues,
  dbConnections,
  dbCacheHitRatio,
  dbInvalidIndex,
  dbDuplicateIndex,
  dbUnusedIndex,
  dbStatStatementsMissing,
  // Diagnosis from the target probes (speedguard profile / assess --profile); silent without them.
  cpuBound,
  eventLoopBlocked,
  gcPressure,
  memoryLeak,
  downstreamWait,
  dbStatementWait,
  offCpuWait,
  asyncWait,
  threadpoolSaturation,
  hostLimits,
];

/**
 * Second pass: audits that judge the findings of all audits before them (this list included, in order):
 * "not saturated" reads the diagnoses; "no bottleneck" reads everything.
 */
export const SUMMARY_AUDITS: readonly SummaryAudit[] = [notSaturated, noBottleneck];

/** Every audit, in the order their findings tie-break. */
export const AUDITS: ReadonlyArray<Audit | SummaryAudit> = [...FINDING_AUDITS, ...SUMMARY_AUDITS];

/**
 * A generator-bound run makes the other figures suspect: their confidence is scaled by this. Half:
 * the figures are not worthless (the target may also be slow), but no longer evidence on their own.
 */
export const GENERATOR_CONFIDENCE_FACTOR = 0.5;
/**
 * Runs every audit; resource findings are held to the severity matrix (ASSESSMENT-RULES.md §2: no P0/P1
 * while the objective holds at the expected load), and every finding that depends on the load is at a
 * closed-loop load with no expected rate (support/objective.ts); then most severe first, then by effect (what sets
 * the capacity, then what costs the objective, then hygiene: support/effect.ts), then most confident,
 * then audit order; ids PERF-001….
 */
export function runAudits(
  record: AssessmentRecord,
  thresholds: SeverityThresholds = DEFAULT_THRESHOLDS,
  audits: { findings: readonly Audit[]; summaries: readonly SummaryAudit[] } = { findings: FINDING_AUDITS, summaries: SUMMARY_AUDITS },
): Finding[] {
  const ctx: AuditContext = { record, thresholds };
  const found: Array<{ f: AuditFinding; order: number; audit: Audit | SummaryAudit }> = [];
  const failedAudits: string[] = [];
  // One audit's bug must not cost the assessment its other findings (minutes of load): the failure
  // is reported as a finding so it is seen, not swallowed.
  const collect = (audit: Audit | SummaryAudit, order: number, judge: () => AuditFinding[]) => {
    let list: AuditFinding[];
    try {
      list = judge();
    } catch (error) {
      failedAudits.push(audit.id);
      list = [auditFailure(audit, error)];
    }
    for (const f of list) found.push({ f, order, audit });
  };
  audits.findings.forEach((audit, i) => collect(audit, i, () => audit.run(ctx)));
  const missed = objectiveMissedAtExpectedLoad(record);
  const closedLoop = closedLoopWithoutExpectedLoad(record);
  for (const x of found)
    x.f = toSeverityMatrix(
      x.f,
      'judgesResource' in x.audit && x.audit.judgesResource === true,
      record,
      missed,
      closedLoop,
      isLoadIndependent(x.audit),
    );
  const firstPass = found.length;
  audits.summaries.forEach((audit, i) => {
    const findings = found.filter((x) => !failedAudits.includes(x.f.audit)).map((x) => x.f);
    collect(audit, audits.findings.length + i, () => audit.summarise({ ...ctx, findings, failedAudits: [...failedAudits] }));
  });
  // A summary ("slow while idle inside") judges the same closed-loop latency: held alike.
  for (const x of found.slice(firstPass)) x.f = toSeverityMatrix(x.f, false, record, missed, closedLoop);

  const invalidating = found.filter(({ f }) => f.invalidatesOthers);
  if (invalidating.length) {
    for (const x of found) {
      if (!x.f.invalidatesOthers && !isLoadIndependent(x.audit))
        x.f = { ...x.f, confidence: Math.round(x.f.confidence * GENERATOR_CONFIDENCE_FACTOR * 100) / 100 };
    }
  }

  const limit = limitingResource(record);
  found.sort(
    (a, b) =>
      severityRank(a.f.severity) - severityRank(b.f.severity) ||
      effectRank(a.f, a.audit.effect, limit) - effectRank(b.f, b.audit.effect, limit) ||
      b.f.confidence - a.f.confidence ||
      a.order - b.order,
  );
  const findings: Finding[] = found.map(({ f }, i) => ({ id: `PERF-${String(i + 1).padStart(3, '0')}`, ...f }));

  if (invalidating.length) {
    const refs = findings
      .filter((f) => f.invalidatesOthers)
      .map((f) => f.id)
      .join(', ');
    findings.forEach((f, i) => {
      if (f.invalidatesOthers || isLoadIndependent(found[i]!.audit)) return;
      f.description +=
        ` Caution: measured while the load generator was saturated (${refs}); this may describe the generator rather ` +
        `than the target, so its confidence was halved.`;
    });
  }
  return findings;
}

function isLoadIndependent(audit: Audit | SummaryAudit): boolean {
  return 'loadIndependent' in audit && audit.loadIndependent === true;
}

function auditFailure(audit: Audit | SummaryAudit, error: unknown): AuditFinding {
  const message = error instanceof Error ? error.message : String(error);
  return {
    audit: audit.id,
    title: `Audit "${audit.id}" could not run: ${message}`,
    type: 'application',
    severity: 'info',
    confidence: 1,
    component: 'speedguard',
    description:
      `The ${audit.title} audit failed on this record (${message}); its findings are missing from this report. The ` +
      `measurements are intact: re-render with a fixed version (speedguard report).`,
    evidence: [{ label: 'error', value: message }],
    location: null,
    rootCause: 'A defect in speedguard or an unexpected record shape.',
    impact: {},
    recommendation: {
      approach: 'Report the error with the record attached.',
      expectedImprovement: 'The audit runs and its findings appear.',
      effort: 'low',
      testingRequired: 'speedguard report <run> re-runs nothing but renders the stored findings; re-assess after upgrading.',
      rollbackPlan: 'Not applicable.',
    },
  };
}

/** The context a summary audit gets inside runAudits: the findings of every first-pass audit (tests, tools). */
export function summaryContext(ctx: AuditContext): SummaryContext {
  const findings: AuditFinding[] = [];
  const failedAudits: string[] = [];
  for (const audit of FINDING_AUDITS) {
    try {
      findings.push(...audit.run(ctx));
    } catch {
      failedAudits.push(audit.id);
    }
  }
  return { ...ctx, findings, failedAudits };
}
