// Which seconds of a run the load generator, not the target, limited — judged per second with the
// engine's own limits — and the part of the stress staircase that can be trusted. The stress phase
// pushes the rate up until something gives; on a small machine the generator often gives first, at
// the top steps only. Steps from there on measure speedguard, the steps below still measure the target.
import { GENERATOR_LIMITS } from '../../engine/generator-check.ts';
import type { AssessmentRecord, PhaseRecord, StressStep } from '../../record/assessment-record.ts';
import type { RunRecord } from '../../record/run-record.ts';
import { mixtureQuantile } from './window.ts';

/**
 * Seconds (interval indexes) where a worker was saturated or iterations started late — the engine's
 * run-level check (src/engine/generator-check.ts) applied to each second, with its limits scaled
 * the same way by the target's own p95 in that second.
 */
export function limitedSeconds(run: RunRecord): Set<number> {
  const out = new Set<number>();
  for (const iv of run.intervals) {
    const of = (metric: string) => iv.series.filter((p) => p.metric === metric && p.count > 0);
    const duration = of('http_req_duration');
    const serviceP95 = duration.length ? mixtureQuantile(duration, 95) : 0;
    const sched = of('iteration_schedule_delay');
    const late = sched.length > 0 && mixtureQuantile(sched, 95) > Math.max(GENERATOR_LIMITS.scheduleDelayP95Ms, 0.1 * serviceP95);
    const stalled = iv.generator.loopDelayP99MaxMs > Math.max(GENERATOR_LIMITS.loopDelayP99Ms, 0.25 * serviceP95);
    if (iv.generator.cpuMax > GENERATOR_LIMITS.cpuP95 || stalled || late) out.add(iv.index);
  }
  return out;
}

/** The first stress step with at least half its seconds generator-limited, or null. */
export function firstLimitedStep(phase: PhaseRecord): StressStep | null {
  if (!phase.stress || !phase.run.generator.limited) return null;
  const limited = limitedSeconds(phase.run);
  const steps = [...phase.stress.steps].sort((a, b) => a.offeredRate - b.offeredRate);
  return steps.find((s) => {
    let n = 0;
    for (let k = s.fromSecond; k <= s.toSecond; k++) if (limited.has(k)) n++;
    return n > 0 && n >= (s.toSecond - s.fromSecond + 1) / 2;
  }) ?? null;
}

export interface TrustedStress {
  phase: PhaseRecord;
  /** Steps measured while the generator kept up, by offered rate. */
  steps: StressStep[];
  /** Offered rate of the first generator-limited step; null when the generator kept up throughout. */
  limitedFrom: number | null;
  /** First failing step among the trusted ones. */
  breakingRate: number | null;
  maxSustainableRate: number | null;
}

/** The stress staircase without the steps the generator limited. Null without a stress phase. */
export function trustedStress(record: AssessmentRecord): TrustedStress | null {
  const phase = record.phases.find((p) => p.name === 'stress' && p.stress && p.verdict !== 'skipped');
  if (!phase) return null;
  const all = [...phase.stress!.steps].sort((a, b) => a.offeredRate - b.offeredRate);
  const first = firstLimitedStep(phase);
  const steps = first ? all.filter((s) => s.offeredRate < first.offeredRate) : all;
  const ok = steps.filter((s) => s.sloOk);
  return {
    phase,
    steps,
    limitedFrom: first?.offeredRate ?? null,
    breakingRate: steps.find((s) => !s.sloOk)?.offeredRate ?? null,
    maxSustainableRate: ok.length ? Math.max(...ok.map((s) => s.offeredRate)) : null,
  };
}
