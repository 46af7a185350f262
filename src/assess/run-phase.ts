// One load test seen as one phase of an assessment: what `profile` measured, and what `report` renders
// as Markdown, HTML and JUnit for a plain `run`. Judged against the objective like any steady phase.
import { Accumulator } from '../metrics/accumulator.ts';
import type { AssessmentRecord, PhaseRecord, Slo } from '../record/assessment-record.ts';
import type { SeverityThresholds } from '../record/findings.ts';
import type { RunRecord } from '../record/run-record.ts';
import { selectMetric } from '../record/select.ts';
import { DEFAULT_SLO } from './options.ts';
import { buildAssessment } from './build-record.ts';
import { verdictOf } from './phase-runner.ts';

/** The run as a baseline phase; offeredRate defaults to the rate it achieved. */
export function phaseOfRun(run: RunRecord, slo: Slo, description: string, offeredRate?: number): PhaseRecord {
  const serviceTime = selectMetric(run, 'http_req_duration') ?? new Accumulator('trend');
  const latency = selectMetric(run, 'http_req_latency') ?? serviceTime;
  const requests = selectMetric(run, 'http_reqs')?.sum ?? 0;
  const failed = selectMetric(run, 'http_req_failed')?.sum ?? 0;
  const v = verdictOf(
    { index: 0, requests, failed, dropped: 0, latency, serviceTime, generatorLimited: 0, generatorBusy: 0, generatorLoopDelayMs: 0 },
    slo,
  );
  return {
    name: 'baseline',
    description,
    offeredRate: offeredRate ?? requests / Math.max(1, run.durationMs / 1000),
    run,
    verdict: v.verdict,
    verdictReason: v.reason,
  };
}

/** A stored run judged as a one-phase assessment (the default objective), for the report formats of assessments. */
export function assessRun(run: RunRecord, o: { slo?: Slo; thresholds?: SeverityThresholds } = {}): AssessmentRecord {
  const slo = o.slo ?? DEFAULT_SLO;
  const started = Date.parse(run.startedAt);
  return buildAssessment({
    command: 'run',
    target: run.plan.source,
    status: run.status === 'interrupted' ? 'interrupted' : run.status === 'failed' ? 'failed' : 'completed',
    statusReason: run.statusReason,
    startedAt: started,
    endedAt: started + run.durationMs,
    config: { expectedRate: null, slo, suite: ['baseline'], soakMs: 0, growthPercentPerQuarter: null, targetRate: null },
    phases: [phaseOfRun(run, slo, `load test: ${run.plan.source}`)],
    workers: run.environment.workers,
    thresholds: o.thresholds,
  });
}
