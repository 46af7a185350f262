// GC pressure: the share of wall time the main thread spent in garbage-collection pauses (agent `gc`
// stats), split minor (scavenges: a high allocation rate of short-lived objects) vs major
// (mark-compact: a big or growing old generation). The top allocating functions come from the
// allocation-rate heap profile (probes.heapAllocationProfile: every sampled allocation, collected or
// not); without one, the functions with the most self time are named as suspects (a CPU profile
// cannot see allocations, hence the lower confidence).
import { bandOf } from '../analysis/severity.ts';
import type { HeapAllocationSite, HeapProfileAnalysis } from '../record/target-probes.ts';
import type { Evidence, Severity } from '../record/findings.ts';
import type { Audit, AuditContext, AuditFinding } from './types.ts';
import { bytes, ms, pct, round } from '../analysis/format.ts';
import {
  atLeast,
  gcOf,
  latencyOf,
  locationOf,
  mainThreadLoad,
  MIN_SAMPLES,
  primaryCpuCause,
  probeConfidence,
  siteOf,
  siteText,
  targetView,
  userHotspots,
} from './support/target.ts';

export const GC_PRESSURE_ID = 'gc-pressure';
/**
 * GC pauses stop the JavaScript thread, so their share of wall time is throughput lost outright.
 * 10 % (clinic's 100 ms per second) is worth fixing (P2); a quarter of the time is P1; half, P0.
 */
export const GC_SHARE_MEDIUM = 0.1;
export const GC_SHARE_HIGH = 0.25;
export const GC_SHARE_CRITICAL = 0.5;

/** Application (then dependency) allocation sites of an allocation-rate profile, largest first. */
export function allocationSites(p: HeapProfileAnalysis | null | undefined): HeapAllocationSite[] {
  if (!p || p.kind !== 'allocated') return [];
  const sites = p.topAllocators;
  return [...sites.filter((s) => s.category === 'user'), ...sites.filter((s) => s.category === 'dependency')];
}

export const gcPressure: Audit = {
  id: GC_PRESSURE_ID,
  effect: 'objective',
  judgesResource: true,
  title: 'Garbage-collection pressure',
  run(ctx: AuditContext): AuditFinding[] {
    const v = targetView(ctx.record);
    if (!v || v.agent.length < MIN_SAMPLES) return [];
    const gc = gcOf(v);
    if (!gc || gc.share < GC_SHARE_MEDIUM) return [];
    let severity: Severity = gc.share >= GC_SHARE_CRITICAL ? 'critical' : gc.share >= GC_SHARE_HIGH ? 'high' : 'medium';
    const load = mainThreadLoad(v);
    // GC that is what saturates the main thread takes the CPU band too.
    if (load && primaryCpuCause(v) === 'gc') severity = atLeast(severity, bandOf(load.value, ctx.thresholds.cpu));

    const minor = gc.byKind.minor?.totalMs ?? 0;
    const major = (gc.byKind.major?.totalMs ?? 0) + (gc.byKind.incremental?.totalMs ?? 0);
    const mostlyMinor = minor >= major;
    const alloc = v.probes.heapAllocationProfile ?? null;
    const allocators = allocationSites(alloc).slice(0, 3);
    const rate = alloc?.bytesPerSecond;
    // Allocation samples name the allocators directly; CPU time only hints at them.
    const suspects = allocators.length ? [] : userHotspots(v.profile, 'self').slice(0, 3);
    const site = allocators[0] ? siteOf(allocators[0]) : suspects[0] ? siteOf(suspects[0]) : null;
    const lat = latencyOf(ctx.record, v);
    const seconds = gc.wallMs / 1000;

    const evidence: Evidence[] = [
      { label: 'GC pause time, share of wall time', value: round(gc.share * 100, 1), unit: '%', phase: v.phaseName },
      { label: 'GC pause time per second (worst second)', value: round(gc.worstSecondShare * 1000), unit: 'ms', phase: v.phaseName },
      { label: 'minor GC (scavenge) time', value: round(minor), unit: 'ms', phase: v.phaseName },
      { label: 'major GC (mark-compact, incremental) time', value: round(major), unit: 'ms', phase: v.phaseName },
    ];
    for (const [kind, st] of Object.entries(gc.byKind))
      evidence.push({
        label: `${kind} GCs per second (longest pause ${ms(st.maxMs)})`,
        value: round(st.count / Math.max(seconds, 1e-9), 1),
        unit: 'count',
        phase: v.phaseName,
      });
    if (allocators.length && rate !== undefined)
      evidence.push({
        label: `allocation rate (sampled heap profile, ${round((alloc!.durationMs ?? 0) / 1000, 1)} s)`,
        value: round(rate / 1024 / 1024, 1),
        unit: 'MB/s',
        phase: v.phaseName,
      });
    for (const a of allocators)
      evidence.push({
        label: `allocated by ${siteText(siteOf(a))}, share of all allocation`,
        value: round(a.share * 100, 1),
        unit: '%',
        phase: v.phaseName,
      });
    for (const h of suspects)
      evidence.push({
        label: `self time ${siteText(siteOf(h))} (allocation suspect)`,
        value: round(h.selfShare * 100, 1),
        unit: '%',
        phase: v.phaseName,
      });
    if (lat)
      evidence.push({ label: `p${lat.percentile} latency (SLO ${lat.sloMs} ms)`, value: round(lat.pSlo), unit: 'ms', phase: v.phaseName });

    const cause = mostlyMinor
      ? 'a high allocation rate of short-lived objects (mostly minor GCs / scavenges)'
      : 'a large or growing old generation (mostly major GCs): long-lived data being retained or churned';
    return [
      {
        audit: GC_PRESSURE_ID,
        title:
          `GC pauses take ${pct(gc.share)} of the ` +
          `time${site ? ` (${allocators.length ? 'top allocator' : 'suspect'}: ${site.function})` : ''}`,
        type: 'application',
        severity,
        // CPU-time suspects are a hint, not allocation samples: hence the larger discount.
        confidence: round(probeConfidence(v.agent.length) - (allocators.length ? 0 : site ? 0.05 : 0.1), 2),
        component: 'service',
        description:
          `Garbage collection paused the main thread ${ms(gc.totalMs)} over ${seconds.toFixed(0)} s (${pct(gc.share)}, worst ` +
          `second ${pct(gc.worstSecondShare)}): ${cause}. Minor ${ms(minor)}, major ` +
          (`${ms(major)}.` +
            (allocators.length
              ? ` The functions allocating the most${rate !== undefined ? ` (${bytes(rate)}/s sampled in all)` : ''}: ` +
                `${allocators.map((a) => `${siteText(siteOf(a))} ${pct(a.share)}`).join(', ')}.`
              : '') +
            (suspects.length
              ? ` The functions with the most CPU time, likely allocating: ` +
                `${suspects.map((h) => `${siteText(siteOf(h))} ${pct(h.selfShare)}`).join(', ')}.`
              : '')),
        evidence,
        location: locationOf(site),
        rootCause: `${cause}${site ? `, most likely in ${site.function}` : ''}.`,
        impact: {
          throughputReduction: `${pct(gc.share)} of the main thread's time goes to GC instead of requests.`,
          responseTimeIncrease: 'Requests in flight wait out every pause.',
        },
        recommendation: {
          approach: mostlyMinor
            ? `Allocate less per request in ${site?.function ?? 'the hot path'}: reuse buffers and objects, avoid building ` +
              `intermediate arrays/strings (map/filter chains, spreads, JSON round-trips), stream instead of materialising. ` +
              (allocators.length
                ? 'The allocation profile is saved beside the reports (open it in DevTools, Memory tab).'
                : 'Confirm with a heap sampling profile (--heap-prof or DevTools Allocation sampling).')
            : `Find what the old generation holds (heap snapshots in DevTools, compare two under load): caches without bounds, ` +
              `retained request data; bound them. Consider a larger --max-semi-space-size only after reducing allocation.`,
          expectedImprovement:
            `Up to ${pct(gc.share)} more main-thread time for requests (throughput ≈ ` +
            `+${round((1 / Math.max(1 - gc.share, 0.05) - 1) * 100, 0)} % at saturation) and shorter tail latency.`,
          effort: 'medium',
          testingRequired: 'Re-run speedguard profile at the same load: GC share must fall below 10 %.',
          rollbackPlan: 'Revert the change.',
        },
      },
    ];
  },
};
