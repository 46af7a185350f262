// The tail: a p99 far above the median (per endpoint), and stalls — seconds whose p99 spikes far
// above the phase's usual — with their period when they recur regularly (GC, a timer, a cache
// expiring on a fixed TTL). Judged at the expected load (baseline, peak, sustained): the other
// phases change the load on purpose, which moves latency for reasons of their own.
//
// Severity: medium when the tail (or the stall) exceeds the SLO's latency limit — users in it get
// answers outside the SLO even when p95 holds; low otherwise. Never above medium: the share of
// requests affected is small by definition, and latency-slo rates the SLO itself.
import type { PhaseRecord } from '../record/assessment-record.ts';
import type { Evidence } from '../record/findings.ts';
import type { Audit, AuditContext, AuditFinding } from './types.ts';
import { ms, round } from '../analysis/format.ts';
import {
  EXPECTED_LOAD_PHASES,
  WARMUP_SECONDS,
  endpointLabel,
  endpointsOf,
  latencyMetric,
  median,
  methodOf,
  phasesRun,
  steadyStats,
} from './support/record.ts';
import { perSecond, type SecondPoint } from './support/window.ts';

/** p99 ten times the median: a request in a hundred waits for something most requests never do. */
export const TAIL_RATIO = 10;
/** A p99 needs samples behind it: 500 leaves five in the top 1 %. */
export const TAIL_MIN_SAMPLES = 500;
/** Below this p99 (ms) a high ratio is harmless (0.5 ms → 6 ms); also at least a quarter of the SLO. */
export const TAIL_MIN_P99_MS = 50;
/** A second whose p99 is 3× the phase's median second (and STALL_MIN_EXTRA_MS above it) is a stall. */
export const STALL_FACTOR = 3;
/** A GC pause or a blocked event loop worth naming is tens of ms; less is scheduling noise. */
export const STALL_MIN_EXTRA_MS = 25;
/** Three stalls make a pattern; fewer could be chance. */
export const STALL_MIN_EVENTS = 3;
/**
 * …and in a long phase, at least 1 % of its seconds: an hour-long soak collects a dozen seconds
 * whose p99 is one unlucky request; recurring stalls (GC, timers) give hundreds.
 */
export const STALL_MIN_SHARE = 0.01;
/** Regular when at least 80 % of the gaps match the median gap (one missed or extra stall is allowed in a long run). */
export const PERIOD_REGULAR_SHARE = 0.8;
/** Seconds with fewer requests than this have a "p99" that is just their slowest request. */
export const STALL_MIN_REQUESTS = 5;
/** Gaps within ±max(1 s, 20 %) of their median are "regular": per-second resolution blurs by ±1 s. */
export const PERIOD_TOLERANCE = 0.2;

export interface Stalls {
  phase: PhaseRecord;
  /** Start second of each stall (adjacent stalled seconds merged). */
  starts: number[];
  normalP99: number;
  stallP99: number;
  /** Median gap between stalls (s) when they recur regularly, else null. */
  periodSeconds: number | null;
  secondsJudged: number;
}

export function findStalls(phase: PhaseRecord): Stalls | null {
  const run = phase.run;
  const last = run.intervals.length ? run.intervals[run.intervals.length - 1]!.index : 0;
  // Skip the warm-up second and the last (graceful-stop stragglers only).
  const seconds = perSecond(run, latencyMetric(run), { from: WARMUP_SECONDS, to: last - 1 }).filter(
    (s) => s.requests >= STALL_MIN_REQUESTS,
  );
  if (seconds.length < 2 * STALL_MIN_EVENTS) return null;
  const normal = median(seconds.map((s) => s.p99));
  const stalled = seconds.filter((s) => s.p99 > STALL_FACTOR * normal && s.p99 - normal > STALL_MIN_EXTRA_MS);
  // More than half the seconds "stalled" is not a stall, it is the normal state.
  if (stalled.length === 0 || stalled.length > seconds.length / 2) return null;
  const starts: number[] = [];
  let prev: SecondPoint | null = null;
  for (const s of stalled) {
    if (!prev || s.second > prev.second + 1) starts.push(s.second);
    prev = s;
  }
  if (starts.length < Math.max(STALL_MIN_EVENTS, STALL_MIN_SHARE * seconds.length)) return null;
  const gaps = starts.slice(1).map((s, i) => s - starts[i]!);
  const gap = median(gaps);
  const matching = gaps.filter((g) => Math.abs(g - gap) <= Math.max(1, PERIOD_TOLERANCE * gap)).length;
  const regular = gap >= 2 && matching >= PERIOD_REGULAR_SHARE * gaps.length;
  return {
    phase,
    starts,
    normalP99: normal,
    stallP99: median(stalled.map((s) => s.p99)),
    periodSeconds: regular ? gap : null,
    secondsJudged: seconds.length,
  };
}

function tailFindings(phases: PhaseRecord[], sloMs: number): AuditFinding[] {
  const worst = new Map<string, { phase: PhaseRecord; p50: number; p99: number; samples: number }>();
  for (const phase of phases) {
    for (const endpoint of endpointsOf(phase.run)) {
      const s = steadyStats(phase, endpoint);
      if (s.samples < TAIL_MIN_SAMPLES) continue;
      const p50 = s.quantile(50);
      const p99 = s.quantile(99);
      if (!(p50 > 0) || p99 / p50 <= TAIL_RATIO || p99 < Math.max(TAIL_MIN_P99_MS, sloMs / 4)) continue;
      const prev = worst.get(endpoint);
      if (!prev || p99 / p50 > prev.p99 / prev.p50) worst.set(endpoint, { phase, p50, p99, samples: s.samples });
    }
  }
  return [...worst].map(([endpoint, w]) => {
    const label = endpointLabel(endpoint, methodOf(w.phase.run, endpoint));
    const ratio = w.p99 / w.p50;
    return {
      audit: 'tail-latency',
      title: `${label}: p99 is ${round(ratio, 1)}× the median (${ms(w.p99)} vs ${ms(w.p50)})`,
      type: 'application',
      severity: w.p99 > sloMs ? 'medium' : 'low',
      confidence: w.samples >= 5 * TAIL_MIN_SAMPLES ? 0.8 : 0.65,
      component: label,
      description:
        `In the ${w.phase.name} phase, 1 % of the requests to ${label} took longer than ${ms(w.p99)} while half finished ` +
        `within ${ms(w.p50)} (${w.samples} requests).`,
      evidence: [
        { label: 'p50 latency', value: round(w.p50), unit: 'ms', phase: w.phase.name },
        { label: 'p99 latency', value: round(w.p99), unit: 'ms', phase: w.phase.name },
        { label: 'p99 / p50', value: round(ratio, 1), phase: w.phase.name },
        { label: 'samples', value: w.samples, unit: 'count', phase: w.phase.name },
      ],
      location: { endpoint },
      rootCause:
        'A long tail with a fast median means some requests wait for something most do not: a cache miss on a slow path, a lock or ' +
        'pool wait, a GC pause, a retry, or one slow downstream call.',
      impact: {
        responseTimeIncrease: `The slowest 1 % take ${round(ratio, 1)}× the typical time.`,
        userExperience: 'A page that makes many calls hits the tail on most loads: the tail, not the median, sets its speed.',
      },
      recommendation: {
        approach:
          `Trace the slowest requests to ${label} (log those above ${ms(w.p99)} with timings) and find what they wait for; ` +
          `cache or precompute the slow path, or bound it with a timeout and a fallback.`,
        expectedImprovement:
          `A p99 within ${Math.min(TAIL_RATIO / 2, ratio).toFixed(0)}× the median (about ` +
          `${ms(Math.min(TAIL_RATIO / 2, ratio) * w.p50)}).`,
        effort: 'medium',
        testingRequired: `Re-run the ${w.phase.name} phase; compare p99 of ${label}.`,
        rollbackPlan: 'Revert the change if p50 or the error rate regresses.',
      },
    } satisfies AuditFinding;
  });
}

function stallFinding(st: Stalls, sloMs: number): AuditFinding {
  const periodic = st.periodSeconds !== null;
  const evidence: Evidence[] = [
    { label: 'stalls', value: st.starts.length, unit: 'count', phase: st.phase.name },
    { label: 'seconds judged', value: st.secondsJudged, unit: 's', phase: st.phase.name },
    { label: 'usual per-second p99', value: round(st.normalP99), unit: 'ms', phase: st.phase.name },
    { label: 'p99 during stalls', value: round(st.stallP99), unit: 'ms', phase: st.phase.name },
    { label: 'stalls at (s since phase start)', value: st.starts.slice(0, 12).join(', '), phase: st.phase.name },
  ];
  if (periodic) evidence.push({ label: 'period', value: st.periodSeconds!, unit: 's', phase: st.phase.name });
  return {
    audit: 'tail-latency',
    title: periodic
      ? `Periodic stalls every ~${st.periodSeconds} s: p99 jumps to ${ms(st.stallP99)} (usually ${ms(st.normalP99)})`
      : `Intermittent stalls: p99 jumps to ${ms(st.stallP99)} in ${st.starts.length} seconds (usually ${ms(st.normalP99)})`,
    type: 'application',
    severity: st.stallP99 > sloMs ? 'medium' : 'low',
    confidence: periodic && st.starts.length >= 4 ? 0.8 : 0.6,
    component: 'service',
    description:
      `In the ${st.phase.name} phase, at a steady load, the per-second p99 rose ${round(st.stallP99 / st.normalP99, 1)}× above its ` +
      `usual level ${st.starts.length} times` +
      (periodic ? `, regularly every ~${st.periodSeconds} s.` : ', at irregular times.'),
    evidence,
    location: null,
    rootCause: periodic
      ? `Something runs every ~${st.periodSeconds} s and blocks request handling: garbage collection (old-generation collections recur ` +
        `as the heap fills at a steady rate), a timer or scheduled job, a cache expiring on a fixed TTL (a stampede of misses), or ` +
        `periodic flushes (logs, metrics).`
      : 'Requests are blocked from time to time: GC pauses, lock contention, disk flushes, or a noisy neighbour on the host.',
    impact: {
      userExperience: `Requests arriving during a stall wait up to ${ms(st.stallP99)}; at a steady load that is a few % of all requests.`,
    },
    recommendation: {
      approach: periodic
        ? `Correlate the ${st.periodSeconds}-second rhythm with the service: GC logs (--trace-gc in Node, GC logs in the JVM), ` +
          `scheduled jobs and cache TTLs; move the work off the request path or spread it (jittered TTLs, incremental work, a larger ` +
          `young generation).`
        : 'Record GC and event-loop (or thread) blocking during a run and match their times with the stalls.',
      expectedImprovement: `Per-second p99 back to ~${ms(st.normalP99)} throughout.`,
      effort: 'medium',
      testingRequired: `Re-run the ${st.phase.name} phase and check the per-second p99 over time (HTML report) has no spikes.`,
      rollbackPlan: 'Revert GC or scheduling settings to their previous values.',
    },
  };
}

export const tailLatency: Audit = {
  id: 'tail-latency',
  effect: 'objective',
  title: 'Tail latency and stalls',
  run({ record }: AuditContext): AuditFinding[] {
    const sloMs = record.config.slo.latencyMs;
    const phases = phasesRun(record, EXPECTED_LOAD_PHASES);
    const findings = tailFindings(phases, sloMs);
    // One stall finding: the phase with the clearest pattern (periodic first, then most stalls).
    const stalls = phases
      .map(findStalls)
      .filter((s): s is Stalls => s !== null)
      .sort((a, b) => Number(b.periodSeconds !== null) - Number(a.periodSeconds !== null) || b.starts.length - a.starts.length);
    if (stalls[0]) findings.push(stallFinding(stalls[0], sloMs));
    return findings;
  },
};
