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

/** |a − b| / their mean: how far the reference's two halves lie apart (null without two figures). */
function spread(a: number | null | undefined, b: number | null | undefined): number | null {
  if (a == null || b == null || !(a + b > 0)) return null;
  return round(Math.abs(a - b) / ((a + b) / 2), 4);
}

/** V8's CPU profiler runs its sampling on this thread (comm name): its CPU is the profiler's own. */
const PROFILER_THREAD = 'v8:ProfEvntProc';

export function observerEffect(
  references: readonly RunRecord[],
  profiled: RunRecord,
  o: {
    samplingIntervalUs: number;
    model: 'closed' | 'open';
    summary?: ProcSummary | null;
    /** Open model: the arrival rate both sides were offered (req/s). */
    offeredRate?: number | null;
    /** The assessment phase profiled (assess --profile, the demo). */
    phase?: string;
  },
): ObserverEffect | null {
  if (!references.length) return null;
  const halves = references.map(observerStep);
  const ref = combined(halves);
  const prof = observerStep(profiled);
  if (ref.requests <= 0 || ref.rps <= 0) return null;
  const thread = o.summary?.supported ? o.summary.threadGroups.find((g) => g.name === PROFILER_THREAD) : undefined;
  const [a, b] = halves;
  return {
    reference: ref,
    profiled: prof,
    throughputCost: round(1 - prof.rps / ref.rps, 4),
    latencyCost: ref.p50Ms && prof.p50Ms !== null ? round(prof.p50Ms / ref.p50Ms - 1, 4) : null,
    samplingIntervalUs: o.samplingIntervalUs,
    model: o.model,
    profilerThreadCpuPercent: thread ? round(thread.avgCpuPercent, 2) : null,
    ...(o.model === 'open' ? { offeredRate: o.offeredRate ?? null } : {}),
    ...(o.phase ? { phase: o.phase } : {}),
    referenceSpread: a && b ? { rps: spread(a.rps, b.rps) ?? 0, p50: spread(a.p50Ms, b.p50Ms) } : null,
  };
}

/** Above this throughput cost the figures under the profiler are not the service's own: said so. */
export const OBSERVER_NOTABLE = 0.1;
/** Open model: above this latency cost (p50) the latencies under the profiler are not the service's own: said so. */
export const OBSERVER_NOTABLE_LATENCY = 0.25;
/**
 * Open model: a side that completed at least this share of the offered rate (steady seconds) kept
 * up; below FELL_BEHIND_SHARE (the stress phase's plateau share) it fell behind; in between, the
 * figures are given without a verdict (a queue may be growing that a few seconds cannot show).
 */
export const KEPT_UP_SHARE = 0.95;
export const FELL_BEHIND_SHARE = 0.9;
/** A reference with fewer requests than this is too short to read a few per cent from: said so. */
export const SHORT_REFERENCE_REQUESTS = 100;

/**
 * One sentence for the reports. Closed model: "Profiling cost 12 % of the throughput (412 vs 468 req/s
 * without the profilers, 6.00 s at the same load around the window); p50 +8 % (5.10 ms vs 4.70 ms).
 * CPU profile sampled every 1000 µs." Open model: the latency and whether each side kept up with the
 * rate offered (the load sets the throughput there). Either way, followed by how far the figure can
 * be trusted: a reference whose halves differed as much as the cost, or one too short to tell.
 */
export function observerText(e: ObserverEffect): string {
  return e.model === 'open' ? openText(e) : closedText(e);
}

const signed = (v: number) => `${v >= 0 ? '+' : '−'}${pct(Math.abs(v))}`;

function sampling(e: ObserverEffect): string {
  const thread =
    e.profilerThreadCpuPercent !== null && e.profilerThreadCpuPercent !== undefined
      ? ` (its sampling thread used ${e.profilerThreadCpuPercent.toFixed(1)} % of a core)`
      : '';
  return ` CPU profile sampled every ${e.samplingIntervalUs} µs${thread}.`;
}

/** Whether a cost is within the reference's own noise, and the sentence that says how far to trust it. */
function trust(e: ObserverEffect, cost: number | null, what: 'rps' | 'p50'): { noise: boolean; text: string } {
  const s = e.referenceSpread;
  const halves = s?.[what];
  if (s === null)
    return {
      noise: false,
      text: ' The reference ran on one side of the window only: its own noise is unknown, so read a small cost as rough.',
    };
  const short =
    e.reference.requests < SHORT_REFERENCE_REQUESTS ? ` The reference is short (${e.reference.requests} requests): a rough figure.` : '';
  if (halves === undefined || halves === null || cost === null) return { noise: false, text: short };
  const figure = what === 'rps' ? 'throughput' : 'p50';
  if (Math.abs(cost) >= 0.005 && Math.abs(cost) <= halves)
    return {
      noise: true,
      text:
        ` The reference's two halves differed by ${pct(halves)} in ${figure} from each other, as much as the cost: ` +
        `within this machine's noise, not measurable.${short}`,
    };
  return { noise: false, text: short };
}

function where(e: ObserverEffect): string {
  return e.phase ? `the ${e.phase} phase` : 'the window';
}

function closedText(e: ObserverEffect): string {
  const cost = e.throughputCost;
  const head =
    cost >= 0.005
      ? `Profiling cost ${pct(cost)} of the throughput`
      : cost <= -0.005
        ? `The profiled window ran ${pct(-cost)} faster than the unprofiled reference`
        : 'Profiling cost no measurable throughput';
  // Faster under the profiler is the machine's noise, said after the figures (not a second bracket).
  const faster = cost <= -0.005 ? ': noise, profiling cost no measurable throughput' : '';
  const lat =
    e.latencyCost !== null && e.reference.p50Ms !== null && e.profiled.p50Ms !== null
      ? `; p50 ${signed(e.latencyCost)} (${ms(e.profiled.p50Ms)} vs ${ms(e.reference.p50Ms)})`
      : '';
  const t = trust(e, cost, 'rps');
  const warn =
    cost >= OBSERVER_NOTABLE && !t.noise
      ? ' The figures measured under the profiler are that much below what the service does without it; the findings name where the ' +
        'time goes, not the unprofiled capacity.'
      : '';
  const reference =
    `${e.profiled.rps} vs ${e.reference.rps} req/s without the profilers, ${ms(e.reference.durationMs)} at the same ` +
    `load around ${where(e)}`;
  return `${head} (${reference})${lat}${faster}.${sampling(e)}${t.text}${warn}`;
}

/**
 * Under an arrival rate the load sets the throughput: the profilers' cost shows in the latency, and
 * in whether the service still kept up with the rate offered (achieved / offered on each side).
 */
function openText(e: ObserverEffect): string {
  const l = e.latencyCost;
  const head =
    l === null
      ? 'Profiling cost no latency that could be measured (no latencies on one side)'
      : l >= 1
        ? `Profiling multiplied the median latency by ${(1 + l).toFixed(1)}`
        : l >= 0.005
          ? `Profiling added ${pct(l)} to the median latency`
          : l <= -0.005
            ? `No measurable latency cost: the profiled phase's median latency was ${pct(-l)} lower than without the profilers`
            : 'Profiling added no measurable latency';
  const r = e.reference;
  const p = e.profiled;
  const figures = [
    r.p50Ms !== null && p.p50Ms !== null ? `p50 ${ms(p.p50Ms)} vs ${ms(r.p50Ms)}` : null,
    r.p95Ms !== null && p.p95Ms !== null ? `p95 ${ms(p.p95Ms)} vs ${ms(r.p95Ms)}` : null,
  ].filter((x) => x !== null);
  const offered = e.offeredRate ?? null;
  const load = offered !== null ? `the same ${offered} req/s` : 'the same arrival rate';
  const around = `${ms(r.durationMs)} at ${load} around ${where(e)}`;
  const detail = figures.length ? `${figures.join(', ')} without the profilers; ${around}` : around;
  const { pace, fellBehind } = keepingUp(e);
  const t = trust(e, l, 'p50');
  const warn = fellBehind
    ? ' The profilers took the headroom the service had at this rate: the findings name where the time goes, not the unprofiled capacity.'
    : l !== null && l >= OBSERVER_NOTABLE_LATENCY && !t.noise
      ? ' The latencies measured under the profiler are that much above the service’s own' +
        (e.phase === 'capacity' ? ' (at the capacity, a small extra cost is enough to build a queue)' : '') +
        '; the findings name where the time goes, not the unprofiled latency.'
      : '';
  return `${head} (${detail}).${pace}${sampling(e)}${t.text}${warn}`;
}

/** Open model: how much of the offered rate each side completed, and a verdict only where the shares say one. */
function keepingUp(e: ObserverEffect): { pace: string; fellBehind: boolean } {
  const offered = e.offeredRate ?? null;
  const p = e.profiled.rps;
  const r = e.reference.rps;
  if (offered === null || !(offered > 0))
    return {
      pace: ` ${p} vs ${r} req/s completed without the profilers (under an arrival rate the load sets the throughput).`,
      fellBehind: false,
    };
  if (p >= KEPT_UP_SHARE * offered && r >= KEPT_UP_SHARE * offered)
    return {
      pace: ` It kept up with the ${offered} req/s offered with the profilers (${p} req/s completed) and without them (${r}).`,
      fellBehind: false,
    };
  const share = (x: number) => pct(x / offered);
  const figures = ` Of the ${offered} req/s offered it completed ${p} (${share(p)}) with the profilers and ${r} (${share(r)}) without them`;
  const profBehind = p < FELL_BEHIND_SHARE * offered;
  const refBehind = r < FELL_BEHIND_SHARE * offered;
  if (profBehind && !refBehind) return { pace: `${figures}: under the profilers it fell behind.`, fellBehind: true };
  if (profBehind) return { pace: `${figures}: it fell behind with and without them (the service's own limit).`, fellBehind: false };
  if (refBehind) return { pace: `${figures}: the reference fell behind, not the profiled phase (noise).`, fellBehind: false };
  return { pace: `${figures}.`, fellBehind: false };
}
