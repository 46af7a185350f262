// Throughput that stops following the offered rate: in the stress staircase (achieved < offered,
// or achieved flat while offered grows) and in the expected-load phases (the service completes
// fewer requests per second than it is sent). The first is where capacity ends; the second is
// ASSESSMENT-RULES.md §2's "throughput vs expected capacity": below 50 % of the expected rate is P1.
import type { PhaseRecord, StressStep } from '../record/assessment-record.ts';
import type { Evidence, Severity } from '../record/findings.ts';
import type { Audit, AuditContext, AuditFinding } from './types.ts';
import { pct, rate, round } from '../analysis/format.ts';
import { trustedStress } from './support/generator.ts';
import { EXPECTED_LOAD_PHASES, achievedRateOf, expectedRateOf, phasesRun, sampleConfidence, steadyStats } from './support/record.ts';
import { HEADROOM_LOW } from './saturation-knee.ts';

/** Achieved below 90 % of offered: the same cut the stress phase uses to stop (src/assess/phases/stress.ts). */
export const PLATEAU_SHARE = 0.9;
/** Offered grew by ≥ 20 % but achieved by < 5 %: throughput is flat (a plateau), whatever the shortfall. */
export const FLAT_OFFERED_GROWTH = 0.2;
export const FLAT_ACHIEVED_GROWTH = 0.05;

/** The first step where throughput stopped following the offered rate, or null. */
export function plateauStep(steps: readonly StressStep[]): StressStep | null {
  const sorted = [...steps].sort((a, b) => a.offeredRate - b.offeredRate);
  for (let i = 0; i < sorted.length; i++) {
    const s = sorted[i]!;
    if (s.achievedRate < PLATEAU_SHARE * s.offeredRate) return s;
    const prev = sorted[i - 1];
    if (
      prev &&
      s.offeredRate >= (1 + FLAT_OFFERED_GROWTH) * prev.offeredRate &&
      s.achievedRate < (1 + FLAT_ACHIEVED_GROWTH) * prev.achievedRate
    )
      return s;
  }
  return null;
}

function byCapacity(achieved: number, expected: number, p1: number): Severity {
  const share = achieved / expected;
  return share < p1 ? 'high' : share < 1 ? 'medium' : share < HEADROOM_LOW ? 'low' : 'info';
}

const RECOMMENDATION = {
  effort: 'high' as const,
  testingRequired: 'Re-run the stress phase and check that achieved throughput follows the offered rate up to the target.',
  rollbackPlan: 'Capacity changes (instances, pool sizes, worker counts) revert by configuration.',
};

export const throughputPlateau: Audit = {
  id: 'throughput-plateau',
  effect: 'capacity',
  title: 'Throughput plateau',
  run({ record, thresholds }: AuditContext): AuditFinding[] {
    const findings: AuditFinding[] = [];
    const expected = expectedRateOf(record);
    // A saturated generator sends less than planned: its steps would look like a plateau of the target.
    const stress = trustedStress(record);
    const plateau = stress ? plateauStep(stress.steps) : null;
    if (stress && plateau) {
      const steps = stress.steps;
      const peak = Math.max(...steps.map((s) => s.achievedRate));
      const severity = expected && !expected.discovered ? byCapacity(peak, expected.rate, thresholds.throughputShare.p1) : 'info';
      const evidence: Evidence[] = steps.map((s) => ({
        label: `offered ${s.offeredRate} req/s → achieved`,
        value: round(s.achievedRate, 1),
        unit: 'req/s',
        phase: 'stress' as const,
      }));
      evidence.push({ label: 'peak achieved throughput', value: round(peak, 1), unit: 'req/s', phase: 'stress' });
      if (plateau.droppedIterations > 0)
        evidence.push({
          label: 'dropped iterations at the plateau step',
          value: plateau.droppedIterations,
          unit: 'count',
          phase: 'stress',
        });
      if (expected)
        evidence.push({
          label: expected.discovered ? 'expected rate (derived: none given)' : 'expected rate',
          value: expected.rate,
          unit: 'req/s',
        });
      evidence.push({
        label: "in the system at the plateau (Little's law)",
        value: round(plateau.concurrency, 1),
        unit: 'requests',
        phase: 'stress',
      });
      findings.push({
        audit: 'throughput-plateau',
        title:
          `Throughput plateaus at ` +
          (`${rate(peak)}` +
            (expected && !expected.discovered
              ? ` (${peak >= expected.rate ? `${round(peak / expected.rate, 1)}×` : pct(peak / expected.rate)} of the expected ` +
                `${rate(expected.rate)})`
              : '')),
        type: 'application',
        severity,
        confidence: steps.length >= 4 ? 0.8 : 0.65,
        component: 'service',
        description:
          `Offered ${rate(plateau.offeredRate)}, the service completed ${rate(plateau.achievedRate)}; the most it completed in any ` +
          `step was ${rate(peak)}. ` +
          'Past this point extra load only adds queueing: latency rises and, in an open system, requests pile up.',
        evidence,
        location: null,
        rootCause:
          `A resource is fully used at about ${rate(peak)}. With ${round(plateau.concurrency, 1)} requests in the system at the ` +
          `plateau (Little's law), ` +
          ('a small number suggests a narrow serial section or pool (a single-threaded handler, a pool of that size); a large number ' +
            'suggests a busy shared resource (CPU, database).'),
        impact: { throughputReduction: `The service cannot complete more than ${rate(peak)}.` },
        recommendation: {
          approach:
            'Find the resource at 100 % at the plateau (CPU per core, pool occupancy, database time) and scale or unblock it; add ' +
            'load shedding so overload fails fast instead of queueing.',
          expectedImprovement:
            expected && !expected.discovered && peak < expected.rate
              ? `Raising the plateau to the expected ${rate(expected.rate)} is a ${round(expected.rate / peak, 1)}× increase.`
              : 'Moving the plateau up raises the sustainable rate by the same factor.',
          ...RECOMMENDATION,
        },
      });
    }
    for (const phase of phasesRun(record, EXPECTED_LOAD_PHASES)) {
      const f = steadyPhaseShortfall(phase, thresholds.throughputShare.p1);
      if (f) findings.push(f);
    }
    return findings;
  },
};

function steadyPhaseShortfall(phase: PhaseRecord, p1: number): AuditFinding | null {
  const achieved = achievedRateOf(phase);
  const offered = phase.offeredRate;
  if (!(offered > 0) || !(achieved < PLATEAU_SHARE * offered)) return null;
  const share = achieved / offered;
  const s = steadyStats(phase);
  return {
    audit: 'throughput-plateau',
    title: `${phase.name}: the service completed ${rate(achieved)} of the ${rate(offered)} offered (${pct(share)})`,
    type: 'application',
    severity: share < p1 ? 'high' : 'medium',
    confidence: sampleConfidence(s.requests),
    component: 'service',
    description:
      `In the ${phase.name} phase (${phase.description}) the median second completed ${rate(achieved)}: the service does not ` +
      `keep up with the expected load.`,
    evidence: [
      { label: 'offered rate', value: offered, unit: 'req/s', phase: phase.name },
      { label: 'achieved rate (median second)', value: round(achieved, 1), unit: 'req/s', phase: phase.name },
      { label: 'achieved / offered', value: round(share * 100, 1), unit: '%', phase: phase.name },
      { label: 'dropped iterations', value: s.dropped, unit: 'count', phase: phase.name },
    ],
    location: null,
    rootCause: 'The service is saturated at the expected load: requests queue (or are dropped) because a resource is fully used.',
    impact: {
      throughputReduction: `${pct(1 - share)} of the expected throughput is not served.`,
      userExperience: 'Latency grows for as long as the load lasts; clients time out.',
    },
    recommendation: {
      approach:
        'Add capacity for the expected load now (instances, workers) and profile the saturated resource to raise per-instance throughput.',
      expectedImprovement:
        `Serving the full ${rate(offered)} needs ${round(offered / Math.max(achieved, 1e-9), 1)}× the current ` + `throughput.`,
      ...RECOMMENDATION,
    },
  };
}
