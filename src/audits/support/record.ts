// What several audits need to read from an assessment: which phases ran at the expected load,
// the expected rate, the endpoints, and which latency metric to judge.
import { selectMetric } from '../../record/select.ts';
import type { PhaseName } from '../../record/phase-name.ts';
import type { AssessmentRecord, PhaseRecord } from '../../record/assessment-record.ts';
import type { RunRecord } from '../../record/run-record.ts';
import { measuresGenerator, trustedStress } from './generator.ts';
import { windowStats, type WindowStats } from './window.ts';

/** Phases run at the expected load: SLO breaches and errors there are what users will see. */
export const EXPECTED_LOAD_PHASES: readonly PhaseName[] = ['baseline', 'peak', 'sustained'];

/**
 * The first second of a phase warms connections and the JIT up; the phase verdicts skip it
 * (src/assess/phases/steady.ts), and audits judge the same seconds so their figures agree.
 */
export const WARMUP_SECONDS = 1;

/** Phases that ran and completed requests, in record order; not those that measured the generator (measuresGenerator). */
export function phasesRun(record: AssessmentRecord, names?: readonly PhaseName[]): PhaseRecord[] {
  return record.phases.filter(
    (p) =>
      p.verdict !== 'skipped' && (!names || names.includes(p.name)) && requestsOf(p.run) > 0 && !measuresGenerator(p, record.config.slo),
  );
}

export function requestsOf(run: RunRecord, tags: Record<string, string> = {}): number {
  return selectMetric(run, 'http_reqs', tags)?.sum ?? 0;
}

/**
 * Latency as a user of an open system sees it: intended start → last byte (wrk2's correction of
 * coordinated omission), which the assess phases' SLO thresholds also use; service time only
 * when a record has no such metric.
 */
export function latencyMetric(run: RunRecord): 'http_req_latency' | 'http_req_duration' {
  // Totals' counts suffice: selectMetric would decode every histogram just to count.
  return run.totals.some((t) => t.metric === 'http_req_latency' && t.count > 0) ? 'http_req_latency' : 'http_req_duration';
}

/** Request names (the `name` tag) in the run, most requested first. */
export function endpointsOf(run: RunRecord): string[] {
  const counts = new Map<string, number>();
  for (const t of run.totals) {
    if (t.metric !== 'http_reqs' || t.tags.name === undefined) continue;
    counts.set(t.tags.name, (counts.get(t.tags.name) ?? 0) + t.sum);
  }
  return [...counts].sort((a, b) => b[1] - a[1]).map(([n]) => n);
}

/** The steady part of a phase (after warm-up), optionally for one endpoint. */
export function steadyStats(phase: PhaseRecord, endpoint?: string): WindowStats {
  const run = phase.run;
  const from = run.intervals.length > WARMUP_SECONDS + 1 ? WARMUP_SECONDS : 0;
  return windowStats(run, latencyMetric(run), { from, ...(endpoint !== undefined ? { tags: { name: endpoint } } : {}) });
}

export interface ExpectedRate {
  rate: number;
  /**
   * True when the user gave no expected load and assess derived it from the stress phase: then
   * "capacity vs expected" is circular and must not drive a severity.
   */
  discovered: boolean;
}

export function expectedRateOf(record: AssessmentRecord): ExpectedRate | null {
  if (record.config.expectedRate && record.config.expectedRate > 0) return { rate: record.config.expectedRate, discovered: false };
  const eff = (record.probes as { effectiveExpectedRate?: unknown }).effectiveExpectedRate;
  if (typeof eff === 'number' && eff > 0) return { rate: eff, discovered: true };
  const base = record.phases.find((p) => p.name === 'baseline' && p.verdict !== 'skipped');
  return base && base.offeredRate > 0 ? { rate: base.offeredRate, discovered: true } : null;
}

/**
 * Highest rate that met the SLO: from the stress steps the generator could drive (steps it
 * limited say nothing about the target), else the capacity model.
 */
export function sustainableRateOf(record: AssessmentRecord): number | null {
  const stress = trustedStress(record);
  return stress ? stress.maxSustainableRate : (record.capacity?.sustainableRps ?? null);
}

/**
 * Completed requests per second over the steady part of a phase: the median second, so the
 * warm-up second and the graceful-stop tail (stragglers only) do not pull it down.
 */
export function achievedRateOf(phase: PhaseRecord): number {
  const counts = new Map<number, number>();
  for (const iv of phase.run.intervals) {
    let n = 0;
    for (const p of iv.series) if (p.metric === 'http_reqs') n += p.sum;
    counts.set(iv.index, n / Math.max(1, iv.seconds));
  }
  const all = [...counts.entries()].sort((a, b) => a[0] - b[0]).map(([, n]) => n);
  const steady = all.length > WARMUP_SECONDS + 2 ? all.slice(WARMUP_SECONDS, -1) : all;
  return median(steady);
}

export function median(xs: readonly number[]): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/**
 * How far a figure drawn from n samples can be trusted. A p95 from 20 samples rests on one value;
 * from 2000 it rests on 100. The steps are coarse on purpose: confidence is a hint, not a statistic.
 */
export function sampleConfidence(n: number): number {
  if (n >= 2000) return 0.9;
  if (n >= 500) return 0.8;
  if (n >= 100) return 0.65;
  return 0.5;
}

/** The endpoint of an inspection or series name, for titles: "GET /api/products". */
export function endpointLabel(name: string, method = 'GET'): string {
  let path = name;
  try {
    const u = new URL(name);
    path = u.pathname + u.search;
  } catch {
    /* already a name, not a URL */
  }
  return `${method} ${path}`;
}

/** The method of an endpoint's requests in a run (first seen), default GET. */
export function methodOf(run: RunRecord, endpoint: string): string {
  return run.totals.find((t) => t.metric === 'http_reqs' && t.tags.name === endpoint)?.tags.method ?? 'GET';
}

/** Requests per second an endpoint received at the expected load (first such phase), if measured. */
export function endpointRateOf(record: AssessmentRecord, endpoint: string): { rate: number; phase: PhaseName } | null {
  for (const phase of phasesRun(record, EXPECTED_LOAD_PHASES)) {
    const s = steadyStats(phase, endpoint);
    if (s.requests > 0 && s.seconds > 0) return { rate: s.requests / s.seconds, phase: phase.name };
  }
  return null;
}

/**
 * A loopback target shares the host with speedguard's own load generator: host-level signals
 * (run-queue waits) are then partly the generator's doing.
 */
export function isLoopbackTarget(record: AssessmentRecord): boolean {
  return /^https?:\/\/(127\.|localhost[:/]|\[::1\])/i.test(record.target);
}
