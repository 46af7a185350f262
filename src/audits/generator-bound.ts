// A phase whose load generator, not the target, limited the run (run.generator.limited): its
// latencies include the generator's own delays and its throughput is the generator's ceiling.
// The finding invalidates the others (runAudits lowers their confidence and says so). It is a note
// about the measurement (about: 'measurement', at most medium): not a defect of the target, and never
// counted in the service's verdict or score (ASSESSMENT-RULES.md §2).
//
// One exception, because the stress phase is meant to push until something gives: when only the
// stress phase was limited, and only from some step on, the steps below still measure the target
// (the staircase audits use only those). If the target broke before the generator gave out, the
// capacity figure stands (low); if not, the capacity is only known to be at least the last clean
// step (medium) — provided that is above the expected load. Neither invalidates the findings made
// at the expected load. A "break" at or past the generator's limit cannot be told from the
// generator's own limit, so it counts as not measured (medium). A generator that could not drive
// even the expected rate, or the first step, leaves nothing trustworthy: the invalidating note above.
// The stress phase stops by itself where the generator gives out (stopReason generator_limit); that
// step is the one named.
import type { AssessmentRecord, PhaseRecord } from '../record/assessment-record.ts';
import { MEASUREMENT_NOTE_MAX, type Evidence, type Severity } from '../record/findings.ts';
import type { Audit, AuditContext, AuditFinding } from './types.ts';
import { round, rate } from '../analysis/format.ts';
import { firstLimitedStep, trustedStress } from './support/generator.ts';
import { expectedRateOf } from './support/record.ts';

function stressOnlyFinding(record: AssessmentRecord, phase: PhaseRecord): AuditFinding | null {
  // The staircase stops itself where the generator gives out (assess/phases/stress.ts): that step.
  const stoppedAt = phase.stress?.stopReason === 'generator_limit' ? (phase.stress.steps.at(-1) ?? null) : null;
  const first = firstLimitedStep(phase) ?? stoppedAt;
  const trusted = trustedStress(record);
  if (!first || !trusted) return null;
  const expected = expectedRateOf(record);
  const brokeBefore = trusted.breakingRate !== null;
  if (!brokeBefore && expected && trusted.maxSustainableRate !== null && trusted.maxSustainableRate < expected.rate) return null;
  if (!brokeBefore && expected && first.offeredRate <= expected.rate) return null;
  const lastClean = trusted.steps.length ? trusted.steps[trusted.steps.length - 1]!.offeredRate : null;
  if (!brokeBefore && lastClean === null) return null;
  const severity: Severity = brokeBefore ? 'low' : 'medium';
  const g = phase.run.generator;
  const secondsCpu = phase.run.intervals
    .filter((iv) => iv.index >= first.fromSecond && iv.index <= first.toSecond)
    .map((iv) => iv.generator.cpuMax);
  const evidence: Evidence[] = [
    { label: 'generator saturated from step', value: first.offeredRate, unit: 'req/s', phase: 'stress' },
    {
      label: 'generator CPU in that step (max of a worker)',
      value: round(Math.max(0, ...secondsCpu) * 100, 0),
      unit: '%',
      phase: 'stress',
    },
    { label: 'worker threads', value: g.workers, unit: 'count', phase: 'stress' },
    ...g.reasons.map((r) => ({ label: 'reason', value: r, phase: 'stress' as const })),
  ];
  if (lastClean !== null) evidence.push({ label: 'last step measured cleanly', value: lastClean, unit: 'req/s', phase: 'stress' });
  if (brokeBefore)
    evidence.push({ label: "breaking point (below the generator's limit)", value: trusted.breakingRate!, unit: 'req/s', phase: 'stress' });
  return {
    audit: 'generator-bound',
    title: brokeBefore
      ? `The load generator saturated at ${rate(first.offeredRate)} in the stress phase, after the target had already broken at ` +
        `${rate(trusted.breakingRate!)}`
      : `The load generator saturated at ${rate(first.offeredRate)} before the target broke: capacity is at least ${rate(lastClean!)}, ` +
        `not measured beyond`,
    type: 'infrastructure',
    severity,
    confidence: 0.85,
    component: 'load generator',
    about: 'measurement',
    description:
      `In the stress phase the generator was saturated from the ${rate(first.offeredRate)} step on ` +
      `(${g.reasons.join('; ') || 'per-second CPU and timing checks'}). ` +
      ('The steps from there measure speedguard, not the target, and are left out of the capacity findings; the steps below, and the ' +
        'other phases, are unaffected.'),
    evidence,
    location: null,
    rootCause:
      `The generating machine (${record.environment.cpus} CPUs, ${g.workers} worker threads) cannot offer more than about ` +
      `${rate(first.offeredRate)} on schedule, often because the target runs on the same cores.`,
    impact: {
      userExperience: brokeBefore
        ? "None: the breaking point was measured below the generator's limit."
        : 'The capacity figure is a lower bound; where the target really breaks is unknown.',
    },
    recommendation: {
      approach:
        'To measure beyond this rate, run the generator on separate cores or another machine (taskset / a second host) or raise ' +
        '--workers, and re-run the stress phase.',
      expectedImprovement: brokeBefore
        ? 'Nothing to gain for the capacity figure.'
        : 'The real breaking point and a capacity figure that is not a lower bound.',
      effort: 'low',
      testingRequired: 'Re-run the stress phase and check the generator verdict is not "limited".',
      rollbackPlan: 'Nothing changes in the target.',
    },
  };
}

export const generatorBound: Audit = {
  id: 'generator-bound',
  effect: 'hygiene',
  title: 'Load generator saturated',
  run({ record }: AuditContext): AuditFinding[] {
    const limited = record.phases.filter(
      (p) => p.verdict !== 'skipped' && (p.run.generator.limited || p.stress?.stopReason === 'generator_limit'),
    );
    if (limited.length === 0) return [];
    if (limited.length === 1 && limited[0]!.name === 'stress') {
      const scoped = stressOnlyFinding(record, limited[0]!);
      if (scoped) return [scoped];
    }
    const evidence: Evidence[] = [];
    for (const p of limited) {
      const g = p.run.generator;
      evidence.push(
        { label: 'generator CPU p95 (share of a core)', value: round(g.cpuP95 * 100, 0), unit: '%', phase: p.name },
        { label: 'event-loop delay p99 (max)', value: round(g.loopDelayP99MaxMs, 1), unit: 'ms', phase: p.name },
        { label: 'iteration schedule delay p99', value: round(g.scheduleDelayP99Ms, 1), unit: 'ms', phase: p.name },
        { label: 'worker threads', value: g.workers, unit: 'count', phase: p.name },
      );
      for (const r of g.reasons) evidence.push({ label: 'reason', value: r, phase: p.name });
    }
    const reasons = limited.flatMap((p) => p.run.generator.reasons.map((r) => `${p.name}: ${r}`));
    const cpus = record.environment.cpus;
    return [
      {
        audit: 'generator-bound',
        title:
          `The load generator was saturated in ${limited.map((p) => p.name).join(', ')}: those figures measure speedguard, not the ` +
          `target`,
        type: 'infrastructure',
        // A note about the measurement: it makes the affected figures unreliable (invalidatesOthers),
        // it is not a defect of the service (ASSESSMENT-RULES.md §2).
        severity: MEASUREMENT_NOTE_MAX,
        confidence: 0.9,
        component: 'load generator',
        about: 'measurement',
        description:
          `speedguard's self-check found the generator limiting the run: ${reasons.join('; ')}. ` +
          'Latencies then include time the generator took to send and read, and throughput is capped by it.',
        evidence,
        location: null,
        rootCause:
          `The generating machine (${cpus} CPUs, ${limited[0]!.run.generator.workers} worker threads) could not produce the ` +
          `offered rate on schedule — often because the target runs on the same cores, or the rate needs more worker threads.`,
        impact: {
          userExperience: "None directly; the assessment's other findings may be wrong in either direction for the affected phases.",
        },
        recommendation: {
          approach:
            'Run the generator on separate cores or another machine (taskset / a second host), raise --workers, or lower the maximum ' +
            'rate (--max-rate); then re-run the assessment.',
          expectedImprovement: 'Trustworthy latency and throughput figures: the generator check passes in every phase.',
          effort: 'low',
          testingRequired: 'Re-run and check the generator verdict is not "limited" in any phase.',
          rollbackPlan: 'Nothing changes in the target.',
        },
        invalidatesOthers: true,
      },
    ];
  },
};
