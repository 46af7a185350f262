// The observer effect of every profiled run (issue 12: "profiled throughput was 35–43 % below
// unprofiled"): the same load without the profilers, half just before and half just after the
// profiled window (a drift of the machine's load over the run then cancels out), against the window.
// Shared by `speedguard profile` (its measured window) and assess --profile and the demo (the
// capacity phase, or the baseline without a stress phase); the figures are analysis/observer-effect.ts's.
import { observerEffect, observerText } from '../analysis/observer-effect.ts';
import type { WindowProbes } from '../probes/window-probes.ts';
import type { RunRecord } from '../record/run-record.ts';
import type { ObserverEffect, TargetProbes } from '../record/target-probes.ts';

/**
 * Each half of the reference: 3 s for a window of 12 s or more (its third second is the steady one
 * measured: analysis/observer-effect.ts), else 2 s — a few seconds of extra load per profiled run.
 */
export const REFERENCE_HALF_MS = 3000;
export const MIN_REFERENCE_HALF_MS = 2000;

export function referenceHalfMs(windowMs: number): number {
  return windowMs >= 12_000 ? REFERENCE_HALF_MS : MIN_REFERENCE_HALF_MS;
}

export interface ObserverReferenceOptions {
  /** The profiled window: without the V8 CPU profiler (no agent: perf's stacks) no reference runs. */
  window: Pick<WindowProbes, 'samplingIntervalUs'>;
  /** Length of the profiled window (sets the halves' length). */
  windowMs: number;
  /** Runs the profiled window's load, unprofiled, for this long (same rate or VUs, same flow). */
  run(durationMs: number): Promise<RunRecord>;
  /** 'open' (an arrival rate: offeredRate) or 'closed' (VUs). */
  model: 'closed' | 'open';
  offeredRate?: number | null;
  /** The assessment phase profiled, named in the reports. */
  phase?: string;
  interrupted(): boolean;
  log(line: string): void;
}

export interface ObserverReference {
  /** One half of the reference; call 'after' only once the profiled window has run. */
  step(when: 'before' | 'after'): Promise<void>;
  /** The profilers' cost against the profiled run (logged), or null when no reference ran or no CPU profile was taken. */
  effect(profiled: RunRecord | null, probes: TargetProbes): ObserverEffect | null;
}

export function observerReference(o: ObserverReferenceOptions): ObserverReference {
  const references: RunRecord[] = [];
  const halfMs = referenceHalfMs(o.windowMs);
  const where = o.phase ? `the ${o.phase} phase` : 'the window';
  return {
    async step(when) {
      if (o.window.samplingIntervalUs === null || o.interrupted()) return;
      o.log(`reference step without the profilers for ${halfMs / 1000} s ${when} ${where} (measures what profiling costs) …`);
      references.push(await o.run(halfMs));
    },
    effect(profiled, probes) {
      const samplingIntervalUs = o.window.samplingIntervalUs;
      if (!references.length || !profiled || !probes.cpuProfile || samplingIntervalUs === null) return null;
      const e = observerEffect(references, profiled, {
        samplingIntervalUs,
        model: o.model,
        summary: probes.proc?.summary ?? null,
        ...(o.model === 'open' ? { offeredRate: o.offeredRate ?? null } : {}),
        ...(o.phase ? { phase: o.phase } : {}),
      });
      if (e) o.log(observerText(e));
      return e;
    },
  };
}
