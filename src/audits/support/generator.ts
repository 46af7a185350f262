// Which seconds of a run the load generator, not the target, limited — judged per second with the
// engine's own limits — and the part of the stress staircase that can be trusted. The stress phase
// pushes the rate up until something gives; on a small machine the generator often gives first, at
// the top steps only. Steps from there on measure speedguard, the steps below still measure the target.
import { secondLimited } from '../../engine/generator-check.ts';
import type { AssessmentRecord, PhaseRecord, Slo, StressStep } from '../../record/assessment-record.ts';
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
    const sched = of('iteration_schedule_delay');
    const limited = secondLimited({
      cpuMax: iv.generator.cpuMax,
      loopDelayP99MaxMs: iv.generator.loopDelayP99MaxMs,
      scheduleDelayP95Ms: sched.length ? mixtureQuantile(sched, 95) : null,
      serviceP95Ms: duration.length ? mixtureQuantile(duration, 95) : 0,
    });
    if (limited) out.add(iv.index);
  }
  return out;
}

/** The first stress step with at least half its seconds generator-limited, or null. */
export function firstLimitedStep(phase: PhaseRecord): StressStep | null {
  if (!phase.stress || !phase.run.generator.limited) return null;
  const limited = limitedSeconds(phase.run);
  const steps = [...phase.stress.steps].sort((a, b) => a.offeredRate - b.offeredRate);
  return (
    steps.find((s) => {
      let n = 0;
      for (let k = s.fromSecond; k <= s.toSecond; k++) if (limited.has(k)) n++;
      return n > 0 && n >= (s.toSecond - s.fromSecond + 1) / 2;
    }) ?? null
  );
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

/**
 * A phase (the stress staircase aside, see trustedStress) that the generator, not the target, limited
 * while the target's own service time kept the objective: its latency and errors describe speedguard,
 * so no service finding is judged from it (ASSESSMENT-RULES.md §2). A target that is slow itself
 * (service time past the objective) is judged as usual, even when it also starved the generator.
 */
export function measuresGenerator(phase: PhaseRecord, slo: Slo): boolean {
  if (phase.name === 'stress' || !phase.run.generator.limited) return false;
  const limited = limitedSeconds(phase.run);
  if (limited.size === 0) return false;
  const service = phase.run.intervals
    .filter((iv) => limited.has(iv.index))
    .flatMap((iv) => iv.series.filter((p) => p.metric === 'http_req_duration' && p.count > 0));
  return service.length > 0 && mixtureQuantile(service, 95) <= slo.latencyMs;
}
