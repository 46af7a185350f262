// Arrival-rate phases that dropped iterations: the target was offered less load than planned, so
// the phase's figures describe a lighter load than its name says. An open-model executor drops an
// iteration when no VU is free — every VU is waiting on a response (Little's law: rate × latency
// exceeded the pool) — or when the generator cannot start iterations in time.
//
// Severity: medium when an expected-load phase dropped more than DROPPED_MEDIUM_SHARE (the
// assessment did not test the expected load), low otherwise. The stress staircase is skipped:
// drops there come with the breaking step, which saturation-knee and throughput-plateau report.
import { selectMetric } from '../record/select.ts';
import type { Evidence, Severity } from '../record/findings.ts';
import type { Audit, AuditContext, AuditFinding } from './types.ts';
import { ms, pct, round } from '../analysis/format.ts';
import { EXPECTED_LOAD_PHASES, latencyMetric, phasesRun } from './support/record.ts';

/** More than 1 % of the planned iterations missing: the phase was not run at its rate. */
export const DROPPED_MEDIUM_SHARE = 0.01;

export const droppedIterations: Audit = {
  id: 'dropped-iterations',
  effect: 'objective',
  title: 'Dropped iterations',
  run({ record }: AuditContext): AuditFinding[] {
    const findings: AuditFinding[] = [];
    for (const phase of phasesRun(record)) {
      if (phase.name === 'stress') continue;
      const run = phase.run;
      const executors = Object.values(run.plan.scenarios).map((s) => s.executor);
      if (executors.length > 0 && !executors.some((e) => e.endsWith('arrival-rate'))) continue;
      const dropped = selectMetric(run, 'dropped_iterations')?.sum ?? 0;
      if (dropped <= 0) continue;
      const iterations = selectMetric(run, 'iterations')?.sum ?? 0;
      const share = dropped / (dropped + iterations);
      const atLoad = EXPECTED_LOAD_PHASES.includes(phase.name);
      const severity: Severity = atLoad && share > DROPPED_MEDIUM_SHARE ? 'medium' : 'low';
      const vus = selectMetric(run, 'vus_max')?.max ?? null;
      const lat = selectMetric(run, latencyMetric(run));
      const meanMs = lat && lat.count ? lat.sum / lat.count : NaN;
      const needed = (phase.offeredRate * meanMs) / 1000;
      const generatorLimited = run.generator.limited;
      const evidence: Evidence[] = [
        { label: 'dropped iterations', value: dropped, unit: 'count', phase: phase.name },
        { label: 'completed iterations', value: iterations, unit: 'count', phase: phase.name },
        { label: 'dropped share', value: round(share * 100, 2), unit: '%', phase: phase.name },
        { label: 'offered rate (planned)', value: phase.offeredRate, unit: 'req/s', phase: phase.name },
      ];
      if (vus !== null) evidence.push({ label: 'VUs allocated (max)', value: vus, unit: 'count', phase: phase.name });
      if (Number.isFinite(needed))
        evidence.push({ label: 'VUs needed (rate × mean latency)', value: round(needed, 1), unit: 'count', phase: phase.name });
      findings.push({
        audit: 'dropped-iterations',
        title: `${phase.name}: ${dropped} iterations dropped (${pct(share)} of the planned load was never sent)`,
        type: generatorLimited ? 'infrastructure' : 'application',
        severity,
        confidence: 0.85,
        component: generatorLimited ? 'load generator' : 'service',
        ...(generatorLimited ? { about: 'measurement' as const } : {}),
        description:
          `In the ${phase.name} phase (${phase.description}) the executor could not start ${dropped} of ${dropped + iterations} ` +
          `planned iterations. ` +
          `The target received ${pct(1 - share)} of the planned load; the phase's latency and error figures are for that lighter load.`,
        evidence,
        location: null,
        rootCause: generatorLimited
          ? 'The load generator itself was saturated (see the generator finding) and could not start iterations on schedule.'
          : `Every VU was busy waiting for responses: at a mean latency of ${ms(meanMs)}, ${phase.offeredRate} req/s needs ` +
            `~${round(needed, 0)} requests in flight${vus !== null ? ` and the pool held ${vus}` : ''} — the target answers too slowly ` +
            `for this rate.`,
        impact: {
          throughputReduction: `${pct(share)} of the planned requests were never made.`,
          userExperience: 'Real clients do not wait for a free VU: in production those requests arrive anyway and queue at the service.',
        },
        recommendation: {
          approach: generatorLimited
            ? 'Fix the generator first (more workers, separate cores), then re-run.'
            : 'Treat it as saturation: find why responses are slow at this rate (see the latency findings). To measure the overload ' +
              'itself, raise maxVUs so no iteration is dropped.',
          expectedImprovement: 'No dropped iterations: the phase runs at its planned rate and its figures describe it.',
          effort: 'low',
          testingRequired: 'Re-run the phase and check dropped_iterations is 0.',
          rollbackPlan: 'Nothing to roll back: this changes the test, not the target.',
        },
      });
    }
    return findings;
  },
};
