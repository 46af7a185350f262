// An assessment with what it needs beside the load: the database probe (connected before any load,
// so a wrong URL fails in a second, not after minutes, and closed when the assessment ends).
// assess, assess --profile and demo start theirs here; the CLI only adds its Ctrl-C handling. With a
// baseline, the finished record carries its comparison (ASSESSMENT-RULES.md §4).
import { databaseUrlOf, startDatabaseProbe } from '../probes/postgres/collect.ts';
import type { WindowProbes } from '../probes/window-probes.ts';
import type { Plan } from '../plan/types.ts';
import { compareRecords } from '../analysis/compare.ts';
import type { AssessmentCommand, AssessmentConfig, AssessmentRecord } from '../record/assessment-record.ts';
import type { RunRecord } from '../record/run-record.ts';
import type { SeverityThresholds } from '../record/findings.ts';
import { startAssessment, type AssessHandle } from './suite.ts';
import { QUICK_TIMING } from './timing.ts';

export interface AssessmentRequest {
  config: AssessmentConfig;
  log(line: string): void;
  command?: AssessmentCommand | undefined;
  workers?: number | undefined;
  maxRate?: number | undefined;
  /** Shorter phases (QUICK_TIMING). */
  quick?: boolean | undefined;
  /** The measured window of a profiled service (the baseline phase). */
  window?: WindowProbes | undefined;
  thresholds?: SeverityThresholds | undefined;
  /** PostgreSQL to analyse (else the plan's probes.postgres, if any). */
  db?: string | undefined;
  allowWrites?: boolean | undefined;
  /** A stored run or assessment to compare the result with (--baseline): the record's comparison, which the gate reads. */
  baseline?: RunRecord | AssessmentRecord | null | undefined;
}

export async function openAssessment(plan: Plan, r: AssessmentRequest): Promise<AssessHandle> {
  const dbUrl = databaseUrlOf(plan, r.db);
  const database = dbUrl ? await startDatabaseProbe(dbUrl, { allowWrites: Boolean(r.allowWrites), log: r.log }) : null;
  const handle = startAssessment(plan, {
    config: r.config,
    log: r.log,
    ...(r.command ? { command: r.command } : {}),
    ...(r.workers ? { workers: r.workers } : {}),
    ...(r.maxRate ? { maxRate: r.maxRate } : {}),
    ...(r.quick ? { timing: QUICK_TIMING } : {}),
    ...(r.window ? { window: r.window } : {}),
    ...(r.thresholds ? { thresholds: r.thresholds } : {}),
    ...(database ? { database } : {}),
  });
  return {
    stop: () => handle.stop(),
    result: handle.result
      .then((record) => (r.baseline ? { ...record, comparison: compareRecords(r.baseline, record) } : record))
      .finally(() => database?.close()),
  };
}
