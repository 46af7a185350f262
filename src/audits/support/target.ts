// What the diagnosis audits (cpu-bound, event-loop-blocked, gc-pressure, memory-leak, downstream-wait,
// threadpool-saturation, host-limits, not-saturated) read from a record's target probes: the samples
// inside the measured window, the main thread's load, where the busy time went, the profiled phase's
// latency, and hotspots turned into a location. Pure functions of the record.
import type { AgentSample } from '../../record/agent-samples.ts';
import type { ProcMeasuredSummary, ProcSample } from '../../record/proc-samples.ts';
import type { PhaseName } from '../../record/phase-name.ts';
import type { AssessmentRecord, PhaseRecord } from '../../record/assessment-record.ts';
import {
  targetProbesOf,
  type CpuHotspot,
  type CpuProfileAnalysis,
  type CpuSubtree,
  type TargetProbes,
} from '../../record/target-probes.ts';
import { maxSeverity, type Finding, type Severity } from '../../record/findings.ts';
import { perSecond } from './window.ts';
import { latencyMetric, median, phasesRun, steadyStats, WARMUP_SECONDS } from './record.ts';

/** Fewer samples than this say nothing about a sustained state (one slow second is noise). */
export const MIN_SAMPLES = 3;

/** Profile categories that block the event loop synchronously (no other request runs meanwhile). */
export const SYNC_CATEGORIES: ReadonlySet<CpuHotspot['category']> = new Set(['sync-fs', 'sync-crypto', 'sync-zlib', 'json', 'regexp']);

/**
 * The native a hotspot ran for (optional field the CPU-profile analysis may add): an object naming
 * the user function that called it, or just its name.
 */
type CallerField = { function: string; file?: string; line?: number; column?: number } | string | undefined;

export interface Site {
  function: string;
  file?: string;
  line?: number;
}

export interface TargetView {
  probes: TargetProbes;
  agent: AgentSample[];
  proc: ProcSample[];
  summary: ProcMeasuredSummary | null;
  profile: CpuProfileAnalysis | null;
  /** The phase whose run the window covers (evidence is labelled with it). */
  phase: PhaseRecord | null;
  phaseName: PhaseName;
}

/** The target probes with samples cut to the measured window; null when there is nothing to read. */
export function targetView(record: AssessmentRecord): TargetView | null {
  const probes = targetProbesOf(record);
  if (!probes) return null;
  const w = probes.window;
  // A sample closes an interval at `time`: it belongs to the window when its interval ends inside it
  // (one interval of slack at the end: the last sample is often taken just after the load stopped).
  const inWindow = (t: number, interval: number) => !w || (t - interval / 2 >= w.fromEpochMs && t - interval / 2 <= w.toEpochMs);
  const agent = (probes.agent?.samples ?? []).filter((s) => inWindow(s.time, s.intervalMs));
  const proc = (probes.proc?.samples ?? []).filter((s) => inWindow(s.t, s.intervalMs));
  const summary = probes.proc?.summary.supported ? probes.proc.summary : null;
  if (agent.length === 0 && proc.length === 0 && !probes.cpuProfile && !summary) return null;
  const phase = profiledPhase(record, w);
  return { probes, agent, proc, summary, profile: probes.cpuProfile, phase, phaseName: phase?.name ?? 'baseline' };
}

/** The phase whose run overlaps the window most (a profile run has one: 'baseline'). */
function profiledPhase(record: AssessmentRecord, w: TargetProbes['window']): PhaseRecord | null {
  const ran = phasesRun(record);
  if (ran.length <= 1 || !w) return ran[0] ?? null;
  let best: PhaseRecord | null = null;
  let bestOverlap = -1;
  for (const p of ran) {
    const overlap = Math.min(w.toEpochMs, Date.parse(p.run.endedAt)) - Math.max(w.fromEpochMs, Date.parse(p.run.startedAt));
    if (overlap > bestOverlap) {
      bestOverlap = overlap;
      best = p;
    }
  }
  return best;
}

export function mean(xs: readonly number[]): number {
  return xs.length ? xs.reduce((s, x) => s + x, 0) / xs.length : NaN;
}

/** Median event-loop utilisation (0..1) over the agent samples; null without them. */
export function eluOf(v: TargetView): number | null {
  return v.agent.length ? median(v.agent.map((s) => s.elu.utilization)) : null;
}

/** A CPU profile with fewer samples than this says too little about the window's idle share. */
export const MIN_PROFILE_SAMPLES = 200;

/**
 * How busy the event loop was (0..1), by a figure the CPU profiler does not distort. While V8's
 * sampling profiler runs (1 ms interval), performance.eventLoopUtilization() reads many times what
 * the loop does: 0.50–0.58 against a main-thread CPU of 6–9 % (/proc) and 5.5 % non-idle profile
 * samples on a timer-bound service (test/fixtures/profile/timer-bound.mjs; 0.64 vs 0.09 in issue 12).
 * So when a CPU profile covers the window, its share of non-idle samples is the loop's busy share;
 * without one, the ELU (median second).
 */
export function loopBusyOf(v: TargetView): { value: number; source: 'profile' | 'elu' } | null {
  const p = v.profile;
  if (p && p.samples >= MIN_PROFILE_SAMPLES) return { value: Math.max(0, 1 - p.idleShare), source: 'profile' };
  const elu = eluOf(v);
  return elu === null ? null : { value: elu, source: 'elu' };
}

/**
 * The main thread's sustained CPU (share of one core, 0..1): the median /proc sample of the thread
 * whose tid is the pid (exactly the JS thread), else the ELU (the loop's busy share, its in-process
 * stand-in). A median, not a mean: "sustained" in ASSESSMENT-RULES.md §2, not a peak.
 */
export function mainThreadLoad(v: TargetView): { value: number; source: 'proc' | 'elu' } | null {
  const main = v.proc.map((s) => s.mainThreadCpuPercent).filter((x): x is number => x !== null);
  if (main.length >= MIN_SAMPLES) return { value: median(main) / 100, source: 'proc' };
  const elu = eluOf(v);
  return elu === null || v.agent.length < MIN_SAMPLES ? null : { value: elu, source: 'elu' };
}

/**
 * What the main thread wanted rather than what it got (share of one core): its CPU plus its part of
 * the time the process waited runnable for a core, capped at one core. /proc gives the wait for the
 * whole process, so the main thread is given the share of it that matches its share of the process's
 * CPU (GC helpers and pool threads wait too). On a starved host (other processes on its cores) a
 * saturated JS thread reads a low CPU share while its event loop is busy all the time. Null without
 * /proc run-queue figures.
 */
export function mainThreadDemand(v: TargetView): number | null {
  const main = v.proc
    .filter((s) => s.mainThreadCpuPercent !== null && s.runqueueWaitMs !== null && s.intervalMs > 0 && s.cpuPercent > 0)
    .map((s) => {
      const mainShare = Math.min(1, s.mainThreadCpuPercent! / s.cpuPercent);
      return Math.min(100, s.mainThreadCpuPercent! + (100 * s.runqueueWaitMs! * mainShare) / s.intervalMs);
    });
  return main.length >= MIN_SAMPLES ? median(main) / 100 : null;
}

/** Loop delay over the window (ms): the median second's p99 and the worst max. */
export function loopDelayOf(v: TargetView): { p99: number; max: number } | null {
  if (v.agent.length === 0) return null;
  return { p99: median(v.agent.map((s) => s.loopDelay.p99)), max: Math.max(...v.agent.map((s) => s.loopDelay.max)) };
}

/** GC pause time over the window by kind and as a share of wall time (agent samples). */
export function gcOf(v: TargetView): {
  share: number;
  totalMs: number;
  wallMs: number;
  byKind: Record<string, { count: number; totalMs: number; maxMs: number }>;
  worstSecondShare: number;
} | null {
  if (v.agent.length === 0) return null;
  const byKind: Record<string, { count: number; totalMs: number; maxMs: number }> = {};
  let totalMs = 0;
  let wallMs = 0;
  let worst = 0;
  for (const s of v.agent) {
    let inSample = 0;
    for (const [kind, st] of Object.entries(s.gc)) {
      if (!st) continue;
      const k = (byKind[kind] ??= { count: 0, totalMs: 0, maxMs: 0 });
      k.count += st.count;
      k.totalMs += st.totalMs;
      k.maxMs = Math.max(k.maxMs, st.maxMs);
      inSample += st.totalMs;
    }
    totalMs += inSample;
    wallMs += s.intervalMs;
    if (s.intervalMs > 0) worst = Math.max(worst, inSample / s.intervalMs);
  }
  return { share: wallMs > 0 ? totalMs / wallMs : 0, totalMs, wallMs, byKind, worstSecondShare: worst };
}

/**
 * Where the main thread's busy time went (shares of the non-idle profile time): synchronous blocking
 * work, GC, and the rest (JavaScript). Decides which audit owns a saturated CPU.
 */
export function busyBreakdown(v: TargetView): { sync: number; gc: number; syncHotspots: CpuHotspot[] } {
  const p = v.profile;
  const syncHotspots = p ? p.topSelf.filter((h) => SYNC_CATEGORIES.has(h.category)) : [];
  const busy = p ? Math.max(1 - p.idleShare, 1e-9) : 1;
  const sync = syncHotspots.reduce((s, h) => s + h.selfShare, 0);
  // GC: the agent's pause time against the loop's active time when there is an agent (it sees every
  // pause), else the profile's "(garbage collector)" samples.
  const gc = gcOf(v);
  const activeMs = v.agent.reduce((s, x) => s + x.elu.activeMs, 0);
  const gcShare = gc && activeMs > 0 ? Math.min(1, gc.totalMs / activeMs) : p ? p.gcShare / busy : 0;
  return { sync, gc: gcShare, syncHotspots };
}

/**
 * Which audit explains a saturated main thread: sync work when it takes this share of the busy
 * time (a third: more than any one request handler usually costs), GC at a fifth (pauses of that
 * size come from allocation in the hot path, the thing to fix first), else the JavaScript itself.
 */
export const SYNC_PRIMARY_SHARE = 0.33;
export const GC_PRIMARY_SHARE = 0.2;
export function primaryCpuCause(v: TargetView): 'sync' | 'gc' | 'js' {
  const b = busyBreakdown(v);
  if (b.sync >= SYNC_PRIMARY_SHARE && b.sync >= b.gc) return 'sync';
  if (b.gc >= GC_PRIMARY_SHARE) return 'gc';
  return 'js';
}

/** The application's own functions by self time (user code first, then dependencies). */
export function userHotspots(p: CpuProfileAnalysis | null, by: 'self' | 'total' = 'self'): CpuHotspot[] {
  if (!p) return [];
  const list = by === 'self' ? p.topSelf : p.topTotal;
  return [...list.filter((h) => h.category === 'user'), ...list.filter((h) => h.category === 'dependency')];
}

/** The user function a native hotspot ran for: its recorded caller, else the nearest user function on the total-time list. */
export function callerOf(h: CpuHotspot, p: CpuProfileAnalysis | null): { site: Site; inferred: boolean } | null {
  const caller = (h as CpuHotspot & { caller?: CallerField }).caller;
  if (typeof caller === 'string' && caller) return { site: { function: caller }, inferred: false };
  if (caller && typeof caller === 'object' && caller.function) {
    return {
      site: { function: caller.function, ...(caller.file ? { file: caller.file } : {}), ...(caller.line ? { line: caller.line } : {}) },
      inferred: false,
    };
  }
  // Without a recorded caller: the caller's total time covers the native's self time, and the
  // nearest caller is the user function with the smallest total that still covers it.
  const covering = userHotspots(p, 'total').filter((u) => u.totalShare >= h.selfShare * 0.9);
  const nearest = covering.sort((a, b) => a.totalShare - b.totalShare)[0];
  return nearest ? { site: siteOf(nearest), inferred: true } : null;
}

/**
 * A hotspot that is the application's own function: JSON.parse/stringify have no frame of their own
 * (their time is the calling function's, see analysis/cpu-profile.ts), so a 'json' hotspot with a
 * source file outside Node and node_modules IS the user function doing the work — it is named
 * itself, not its caller (which would be the handler V8 inlined it into).
 */
export function isApplicationFrame(h: CpuHotspot): boolean {
  return (
    h.file !== '' &&
    !h.file.startsWith('node:') &&
    !/(^|[\\/])node_modules[\\/]/.test(h.file) &&
    h.category !== 'node-internal' &&
    h.category !== 'dependency'
  );
}

/**
 * The profile's dominant subtree (analysis/cpu-profile/dominant.ts), when a finding should name it
 * rather than `site`, the function its leaves point at (issue 12: a POST path named JSON.stringify
 * while 54 % of the CPU was under a library's file-write subtree). It is named when it is another
 * function and either `site` contains it (the subtree says more precisely where the time goes) or
 * `siteShare`, the share the finding gives `site`, is under half of the subtree's inclusive share.
 */
export function dominantInstead(v: TargetView, site: Site, siteShare: number): CpuSubtree | null {
  const d = v.profile?.dominant;
  if (!d) return null;
  const same = (h: { function: string; file: string; line: number }) =>
    h.function === site.function && h.file === (site.file ?? '') && (site.line === undefined || h.line === site.line);
  if (same(d)) return null;
  const siteTotal = v.profile!.topTotal.find(same)?.totalShare ?? 0;
  return siteTotal >= d.totalShare || siteShare < d.totalShare / 2 ? d : null;
}

/** "persist (node_modules/tiny-store/index.mjs:19), called from createOrder (server.mjs:25)". */
export function subtreeText(d: CpuSubtree): string {
  return `${siteText(siteOf(d))}${d.caller ? `, called from ${siteText(siteOf(d.caller))}` : ''}`;
}

export function siteOf(h: { function: string; file: string; line: number }): Site {
  return { function: h.function || '(anonymous)', ...(h.file ? { file: h.file } : {}), ...(h.line > 0 ? { line: h.line } : {}) };
}

export function siteText(s: Site): string {
  return s.file ? `${s.function} (${s.file}${s.line ? `:${s.line}` : ''})` : s.function;
}

export function locationOf(s: Site | null): Finding['location'] {
  return s ? { function: s.function, ...(s.file ? { file: s.file } : {}), ...(s.line ? { line: s.line } : {}) } : null;
}

/** The profiled phase's latency: p95 against the SLO, and how it moved from the first to the last third. */
export function latencyOf(
  record: AssessmentRecord,
  v: TargetView,
): { p95: number; sloMs: number; percentile: number; pSlo: number; growth: number | null } | null {
  const phase = v.phase;
  if (!phase) return null;
  const slo = record.config.slo;
  const s = steadyStats(phase);
  if (s.samples === 0) return null;
  const secs = perSecond(phase.run, latencyMetric(phase.run), {
    from: phase.run.intervals.length > WARMUP_SECONDS + 1 ? WARMUP_SECONDS : 0,
  });
  let growth: number | null = null;
  if (secs.length >= 6) {
    const third = Math.floor(secs.length / 3);
    const first = median(secs.slice(0, third).map((x) => x.p95));
    const last = median(secs.slice(-third).map((x) => x.p95));
    growth = first > 0 ? last / first : null;
  }
  return { p95: s.quantile(95), sloMs: slo.latencyMs, percentile: slo.latencyPercentile, pSlo: s.quantile(slo.latencyPercentile), growth };
}

/** Confidence from the number of samples a sustained figure rests on. */
export function probeConfidence(samples: number): number {
  if (samples >= 30) return 0.85;
  if (samples >= 10) return 0.75;
  return 0.6;
}

/** The more severe of a and b (a when b is null). */
export function atLeast(a: Severity, b: Severity | null): Severity {
  return maxSeverity(a, b) ?? a;
}

/** Evidence of the main thread's load, labelled with the phase. */
export function loadEvidence(v: TargetView, load: { value: number; source: 'proc' | 'elu' } | null, elu: number | null) {
  const out: Finding['evidence'] = [];
  if (load?.source === 'proc')
    out.push({
      label: 'main-thread CPU (median second, % of one core)',
      value: Math.round(load.value * 1000) / 10,
      unit: '%',
      phase: v.phaseName,
    });
  if (elu !== null)
    out.push({ label: 'event-loop utilisation (median second)', value: Math.round(elu * 1000) / 10, unit: '%', phase: v.phaseName });
  return out;
}
