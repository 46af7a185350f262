// Memory leak: memory that survives GC rising steadily over the window. The floor of heapUsed (the
// minimum of every few samples: what is left after the collections in between) is fitted by least
// squares; a steady rise (good fit, real growth) is a leak or unbounded retention, projected to the
// heap limit. Buffers live outside the heap (external), so that series is checked too, and /proc
// RSS when there is no agent.
import { bandOf } from '../analysis/severity.ts';
import type { Evidence, Severity } from '../record/findings.ts';
import type { Audit, AuditContext, AuditFinding } from './types.ts';
import { bytes, pct, round } from '../analysis/format.ts';
import type { HeapRetainerGrowth } from '../record/target-probes.ts';
import { atLeast, locationOf, probeConfidence, siteOf, siteText, targetView, userHotspots, type TargetView } from './support/target.ts';

/** How the suspects are introduced when no heap allocation site was sampled. */
const SUSPECTS_WITHOUT_SITES = 'Functions on the request path (candidates; a heap snapshot will say which retains)';
export const MEMORY_LEAK_ID = 'memory-leak';
/** A slope from fewer samples is noise (a GC cycle can span several seconds). */
export const MIN_LEAK_SAMPLES = 10;
/** The fit must explain this much of the floor's variance: a steady rise, not a step or a sawtooth. */
export const MIN_R2 = 0.7;
/** Growth smaller than this over the window (absolute and relative to the start) is warm-up, caches filling. */
export const MIN_GROWTH_BYTES = 5 * 1024 * 1024;
export const MIN_GROWTH_SHARE = 0.1;
/**
 * V8's default old-space limit on 64-bit depends on the machine's memory (about 2 GB up to 4 GB
 * since Node 12). Without --max-old-space-size in execArgv (or a reported limit) the low end is
 * assumed, so the projected time errs early rather than late.
 */
export const DEFAULT_HEAP_LIMIT_BYTES = 2 * 1024 ** 3;
/** Time to the heap limit: under an hour the process will crash in production today (P0); a day, P1. */
export const HOURS_CRITICAL = 1;
export const HOURS_HIGH = 24;
/** Memory outside the heap has no known limit here: judged by its growth per hour. */
export const OFF_HEAP_HIGH_PER_HOUR = 1024 ** 3;

interface Fit {
  slopePerSec: number;
  r2: number;
  first: number;
  last: number;
  points: number;
  seconds: number;
}

/** Least squares over the floors (minimum of each chunk of samples) of a series. */
export function floorFit(series: Array<{ t: number; v: number }>): Fit | null {
  const n = series.length;
  if (n < MIN_LEAK_SAMPLES) return null;
  const k = Math.max(1, Math.floor(n / 10));
  const pts: Array<[number, number]> = [];
  for (let i = 0; i + k <= n; i += k) {
    const chunk = series.slice(i, i + k);
    let m = chunk[0]!;
    for (const c of chunk) if (c.v < m.v) m = c;
    pts.push([m.t / 1000, m.v]);
  }
  const mx = pts.reduce((s, p) => s + p[0], 0) / pts.length;
  const my = pts.reduce((s, p) => s + p[1], 0) / pts.length;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (const [x, y] of pts) {
    sxy += (x - mx) * (y - my);
    sxx += (x - mx) ** 2;
    syy += (y - my) ** 2;
  }
  if (sxx === 0) return null;
  const slope = sxy / sxx;
  const r2 = syy === 0 ? 0 : (sxy * sxy) / (sxx * syy);
  const seconds = (series[n - 1]!.t - series[0]!.t) / 1000;
  return { slopePerSec: slope, r2, first: pts[0]![1], last: pts[pts.length - 1]![1], points: pts.length, seconds };
}

function leaking(f: Fit | null): f is Fit {
  if (!f || f.slopePerSec <= 0 || f.r2 < MIN_R2) return false;
  const growth = f.slopePerSec * f.seconds;
  return growth >= MIN_GROWTH_BYTES && growth >= MIN_GROWTH_SHARE * f.first;
}

/** The heap limit: reported by the agent, from --max-old-space-size, or the assumed default. */
export function heapLimitOf(v: TargetView): { bytes: number; source: string } {
  const hello = v.probes.agent?.hello as ({ heapSizeLimit?: number } & { execArgv?: string[] }) | null | undefined;
  if (hello?.heapSizeLimit && hello.heapSizeLimit > 0) return { bytes: hello.heapSizeLimit, source: 'reported by V8' };
  for (const a of hello?.execArgv ?? []) {
    const m = /^--max[-_]old[-_]space[-_]size=(\d+)$/.exec(a);
    if (m) return { bytes: Number(m[1]) * 1024 * 1024, source: '--max-old-space-size' };
  }
  return { bytes: DEFAULT_HEAP_LIMIT_BYTES, source: 'assumed V8 default' };
}

export const memoryLeak: Audit = {
  id: MEMORY_LEAK_ID,
  effect: 'objective',
  title: 'Memory leak',
  run(ctx: AuditContext): AuditFinding[] {
    const v = targetView(ctx.record);
    if (!v) return [];
    const heap = floorFit(v.agent.map((s) => ({ t: s.time, v: s.memory.heapUsed })));
    const ext = floorFit(v.agent.map((s) => ({ t: s.time, v: s.memory.external })));
    const rss = v.agent.length ? null : floorFit(v.proc.filter((s) => s.rssBytes !== null).map((s) => ({ t: s.t, v: s.rssBytes! })));
    const candidates = (
      [
        ['heap', heap],
        ['external', ext],
        ['rss', rss],
      ] as const
    ).filter((c): c is readonly ['heap' | 'external' | 'rss', Fit] => leaking(c[1]));
    if (!candidates.length) return [];
    // The series growing fastest is the leak; the heap one carries a limit to project against.
    const [kind, fit] = [...candidates].sort((a, b) => b[1].slopePerSec - a[1].slopePerSec)[0]!;
    const perHour = fit.slopePerSec * 3600;
    const limit = heapLimitOf(v);
    const lastHeap = v.agent.length ? v.agent[v.agent.length - 1]!.memory.heapUsed : 0;
    const hoursToLimit = kind === 'heap' ? (limit.bytes - fit.last) / perHour : null;

    let severity: Severity;
    if (hoursToLimit !== null) {
      severity = hoursToLimit < HOURS_CRITICAL ? 'critical' : hoursToLimit < HOURS_HIGH ? 'high' : 'medium';
      severity = atLeast(severity, bandOf(lastHeap / limit.bytes, ctx.thresholds.memory));
    } else {
      severity = perHour >= OFF_HEAP_HIGH_PER_HOUR ? 'high' : 'medium';
    }
    // Only a live-only profile locates retained memory (probes.heapAllocationProfile is the allocation rate).
    const live = v.probes.heapProfile;
    const heapSites = live && (live.kind ?? 'live') === 'live' ? live.topAllocators : [];
    const suspects = heapSites.length ? heapSites.slice(0, 3).map(siteOf) : userHotspots(v.profile, 'total').slice(0, 3).map(siteOf);
    // Only an allocation profile locates a leak; CPU time merely lists what ran.
    const site = heapSites.length ? (suspects[0] ?? null) : null;
    // Heap snapshots before and after the load: the old object that holds what was added.
    const snaps = v.probes.heapSnapshots ?? null;
    const holder = snaps?.retainers[0] && snaps.retainers[0].addedBytes > 0 ? snaps.retainers[0] : null;
    const held = holder ? retainerText(holder, snaps!.elapsedMs) : null;
    const what =
      kind === 'heap'
        ? 'JavaScript heap (heapUsed after GC)'
        : kind === 'external'
          ? 'memory outside the heap (Buffers / ArrayBuffers: external)'
          : 'process RSS';

    const evidence: Evidence[] = [
      { label: `${kind} floor at the start of the window`, value: round(fit.first / 1024 / 1024, 1), unit: 'MB', phase: v.phaseName },
      { label: `${kind} floor at the end of the window`, value: round(fit.last / 1024 / 1024, 1), unit: 'MB', phase: v.phaseName },
      {
        label: `${kind} growth rate (least squares over ${fit.points} floors)`,
        value: round(perHour / 1024 / 1024 / 60, 2),
        unit: 'MB/min',
        phase: v.phaseName,
      },
      { label: 'fit R²', value: round(fit.r2, 3), phase: v.phaseName },
    ];
    if (hoursToLimit !== null) {
      evidence.push({ label: `heap limit (${limit.source})`, value: round(limit.bytes / 1024 / 1024), unit: 'MB', phase: v.phaseName });
      evidence.push({ label: 'projected time to the heap limit', value: round(hoursToLimit, 2), unit: 'h', phase: v.phaseName });
    }
    if (holder && snaps) {
      evidence.push({
        label: 'retainer of the growth (heap snapshots)',
        value:
          `${holder.holder} held by ` +
          `${holder.retainedBy}${holder.file ? ` (${holder.file}${holder.line ? `:${holder.line}` : ''})` : ''}`,
        phase: v.phaseName,
      });
      evidence.push({ label: 'retainer path from the GC roots', value: holder.path.join(' → '), phase: v.phaseName });
      if (holder.elementsBefore !== null || holder.elementsAfter !== null)
        evidence.push({
          label: 'its elements, first → last snapshot',
          value: `${holder.elementsBefore ?? 0} → ${holder.elementsAfter ?? 0}`,
          phase: v.phaseName,
        });
      evidence.push({
        label: 'bytes added below it since the first snapshot',
        value: holder.addedBytes,
        unit: 'bytes',
        phase: v.phaseName,
      });
      for (const c of snaps.classes.slice(0, 5))
        evidence.push({
          label: `retained type ${c.name}: count ${c.countBefore} → ${c.countAfter}, size`,
          value: `${bytes(c.sizeBefore)} → ${bytes(c.sizeAfter)}`,
          phase: v.phaseName,
        });
      evidence.push({
        label: 'heap snapshots: target pause each',
        value: snaps.snapshots.map((x) => `${x.at} ${Math.round(x.pauseMs)} ms (${bytes(x.bytes)})`).join(', '),
        phase: v.phaseName,
      });
    }
    for (const s of suspects)
      evidence.push({
        label: heapSites.length ? 'allocation site' : 'function on the request path (no allocation profile)',
        value: siteText(s),
        phase: v.phaseName,
      });

    const projection =
      hoursToLimit !== null
        ? ` At this rate the heap reaches its ${bytes(limit.bytes)} limit (${limit.source}) in about ` +
          `${round(Math.max(hoursToLimit, 0), 1)} h, then the process crashes (heap out of memory).`
        : ` Nothing bounds it in the process: it grows ${bytes(perHour)} per hour until the host or container runs out of memory.`;
    return [
      {
        audit: MEMORY_LEAK_ID,
        title: held ? `Memory leak: ${held}` : `Memory leak: ${what} grows ${bytes(perHour / 60)}/min`,
        type: 'application',
        severity,
        confidence: round(Math.min(0.9, probeConfidence(fit.points * 3) * fit.r2 + (holder ? 0.1 : 0)), 2),
        component: 'service',
        description:
          `The ${what} rose steadily from ${bytes(fit.first)} to ${bytes(fit.last)} over ${round(fit.seconds, 0)} s (R² ` +
          `${round(fit.r2, 2)}): memory that survives garbage collection keeps accumulating under ` +
          (`load.` +
            (held ? ` Heap snapshots before and after the load say what keeps it: ${held}.` : '') +
            `${projection}` +
            (suspects.length
              ? ` ${heapSites.length ? 'Top allocation sites' : SUSPECTS_WITHOUT_SITES}: ` + `${suspects.map(siteText).join(', ')}.`
              : '')),
        evidence,
        location: locationOf(site),
        rootCause:
          'Objects created per request stay reachable (a module-level array/map, a cache without bound or expiry, listeners never ' +
          'removed, closures kept by timers).',
        impact: {
          userExperience: 'The process crashes or is OOM-killed after hours or days; before that GC pauses grow and latency with them.',
          resourceWaste:
            `${bytes(perHour)} more memory held per hour at this load ` +
            `(${pct((fit.slopePerSec * fit.seconds) / Math.max(fit.first, 1))} growth over the window).`,
        },
        recommendation: {
          approach: holder
            ? `Bound ${holder.retainedBy}${holder.file ? ` (${holder.file}${holder.line ? `:${holder.line}` : ''})` : ''}: the ` +
              `${holder.holder} keeps every entry added to it${site ? ` (allocated in ${siteText(site)})` : ''}. Cap it (a ring buffer ` +
              `or an LRU with a size limit, a TTL), hold weakly (WeakMap/WeakRef), or stop retaining per-request data.`
            : 'Take two heap snapshots under load a minute apart (DevTools Memory → Comparison) and find the constructor whose count ' +
              'grows; bound the collection holding it (LRU with a size limit, TTL, WeakMap/WeakRef), or stop retaining per-request ' +
              'data.',
          expectedImprovement: 'A flat heap floor under steady load: no crash, steady GC cost and latency over long runs.',
          effort: 'medium',
          testingRequired: 'Run a sustained load (speedguard profile -d 10m): the heap floor must stay flat.',
          rollbackPlan: 'Revert the change; a bounded cache can be made larger if hit rates fall.',
        },
      },
    ];
  },
};

/** "`Array` held by the module variable `requestLog` (server.mjs:3): +88,015 elements, +1.4 GB over 14 s". */
export function retainerText(h: HeapRetainerGrowth, elapsedMs: number): string {
  const where = h.file ? ` (${h.file}${h.line ? `:${h.line}` : ''})` : '';
  const elements =
    h.elementsAfter !== null && h.elementsBefore !== null && h.elementsAfter !== h.elementsBefore
      ? `${h.elementsAfter > h.elementsBefore ? '+' : ''}${(h.elementsAfter - h.elementsBefore).toLocaleString('en-US')} elements, `
      : '';
  return `${h.holder} held by the ${h.retainedBy}${where}: ${elements}+${bytes(h.addedBytes)} over ${round(elapsedMs / 1000, 0)} s`;
}
