// The observer effect of `speedguard profile` (issue 12): the same load run twice against the same
// process, once without the profilers (a short reference step) and once with them (the measured
// window); what the profilers cost is the difference. Pure: two run records in, figures out.
import type { ObserverEffect, ObserverStep } from '../record/target-probes.ts';
import type { ProcSummary } from '../record/proc-samples.ts';
import type { RunRecord } from '../record/run-record.ts';
import { selectMetric } from '../record/select.ts';
import { ms, pct } from './format.ts';

const round = (v: number, d: number) => Math.round(v * 10 ** d) / 10 ** d;

/**
 * Steady throughput: the median of the per-second request counts without the first second (VUs
 * start, connections open) and a last, partial one — the two steps differ in length, and a 3 s
 * step's start-up would otherwise read as a cost. Whole-run mean when fewer seconds remain.
 */
function steadyRps(run: RunRecord, requests: number): number {
  // An interval that ends after the run did (the stop's grace) is partial.
  const full = run.intervals.filter((iv) => iv.seconds > 0 && (iv.index + iv.seconds) * 1000 <= run.durationMs + 50);
  // The load generator's own start (worker threads compiling on the same cores) weighs on the first
  // seconds: skipped, two of them when three or more are left.
  const skip = full.length >= 3 ? 2 : 1;
  const perSecond = full
    .filter((iv) => iv.index >= skip)
    .map((iv) => iv.series.filter((p) => p.metric === 'http_reqs').reduce((s, p) => s + p.sum, 0) / iv.seconds)
    .sort((a, b) => a - b);
  if (perSecond.length === 0) return requests / (Math.max(run.durationMs, 1) / 1000);
  const mid = perSecond.length >> 1;
  return perSecond.length % 2 ? perSecond[mid]! : (perSecond[mid - 1]! + perSecond[mid]!) / 2;
}

export function observerStep(run: RunRecord): ObserverStep {
  const requests = selectMetric(run, 'http_reqs')?.sum ?? 0;
  const latency = selectMetric(run, 'http_req_duration');
  const has = latency !== null && latency.count > 0;
  return {
    durationMs: run.durationMs,
    requests,
    rps: round(steadyRps(run, requests), 1),
    p50Ms: has ? round(latency.percentile(50), 2) : null,
    p95Ms: has ? round(latency.percentile(95), 2) : null,
  };
}

/** The reference steps (before and after the window) as one: requests and time added, rates and latencies averaged. */
function combined(steps: ObserverStep[]): ObserverStep {
  const avg = (xs: Array<number | null>) => {
    const v = xs.filter((x): x is number => x !== null);
    return v.length ? round(v.reduce((s, x) => s + x, 0) / v.length, 2) : null;
  };
  return {
    durationMs: steps.reduce((s, x) => s + x.durationMs, 0),
    requests: steps.reduce((s, x) => s + x.requests, 0),
    rps: round(steps.reduce((s, x) => s + x.rps, 0) / steps.length, 1),
    p50Ms: avg(steps.map((x) => x.p50Ms)),
    p95Ms: avg(steps.map((x) => x.p95Ms)),
  };
}

/** V8's CPU profiler runs its sampling on this thread (comm name): its CPU is the profiler's own. */
const PROFILER_THREAD = 'v8:ProfEvntProc';

export function observerEffect(
  references: readonly RunRecord[],
  profiled: RunRecord,
  o: { samplingIntervalUs: number; model: 'closed' | 'open'; summary?: ProcSummary | null },
): ObserverEffect | null {
  if (!references.length) return null;
  const ref = combined(references.map(observerStep));
  const prof = observerStep(profiled);
  if (ref.requests <= 0 || ref.rps <= 0) return null;
  const thread = o.summary?.supported ? o.summary.threadGroups.find((g) => g.name === PROFILER_THREAD) : undefined;
  return {
    reference: ref,
    profiled: prof,
    throughputCost: round(1 - prof.rps / ref.rps, 4),
    latencyCost: ref.p50Ms && prof.p50Ms !== null ? round(prof.p50Ms / ref.p50Ms - 1, 4) : null,
    samplingIntervalUs: o.samplingIntervalUs,
    model: o.model,
    profilerThreadCpuPercent: thread ? round(thread.avgCpuPercent, 2) : null,
  };
}

/** Above this throughput cost the figures under the profiler are not the service's own: said so. */
export const OBSERVER_NOTABLE = 0.1;

/**
 * One sentence for the reports: "Profiling cost 12 % of the throughput (412 vs 468 req/s without the
 * profilers, 3 s at the same load); p50 +8 % (5.1 vs 4.7 ms). CPU profile sampled every 2000 µs."
 */
export function observerText(e: ObserverEffect): string {
  const cost = e.throughputCost;
  const head =
    cost >= 0.005
      ? `Profiling cost ${pct(cost)} of the throughput`
      : cost <= -0.005
        ? `The profiled window ran ${pct(-cost)} faster than the unprofiled reference (noise: profiling cost no measurable throughput)`
        : 'Profiling cost no measurable throughput';
  const lat =
    e.latencyCost !== null && e.reference.p50Ms !== null && e.profiled.p50Ms !== null
      ? `; p50 ${e.latencyCost >= 0 ? '+' : '−'}${pct(Math.abs(e.latencyCost))} (${ms(e.profiled.p50Ms)} vs ${ms(e.reference.p50Ms)})`
      : '';
  const open = e.model === 'open' ? ' Under an arrival rate the load sets the throughput: the latency shows the cost.' : '';
  const warn =
    cost >= OBSERVER_NOTABLE
      ? ' The figures measured under the profiler are that much below what the service does without it; the findings name where the ' +
        'time goes, not the unprofiled capacity.'
      : '';
  const thread =
    e.profilerThreadCpuPercent !== null && e.profilerThreadCpuPercent !== undefined
      ? ` (its sampling thread used ${e.profilerThreadCpuPercent.toFixed(1)} % of a core)`
      : '';
  const reference =
    `${e.profiled.rps} vs ${e.reference.rps} req/s without the profilers, ${ms(e.reference.durationMs)} at the same ` +
    `load around the window`;
  return `${head} (${reference})${lat}. CPU profile sampled every ${e.samplingIntervalUs} µs${thread}.${open}${warn}`;
}
