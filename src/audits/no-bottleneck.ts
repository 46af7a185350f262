// "No bottleneck at this load", said only when it is the truth: the expected-load phases met the SLO
// and no other audit found anything at medium or above (low findings are tips and do not contradict it). The evidence
// is the headroom: latency and errors against the SLO, the capacity against the expected rate.
//
// It judges the other audits' findings, so it is a summary audit: runAudits gives it what they found.
import { severityRank } from '../record/findings.ts';
import type { Evidence } from '../record/findings.ts';
import type { AuditContext, AuditFinding, SummaryAudit, SummaryContext } from './types.ts';
import { ms, pct, rate, round } from '../analysis/format.ts';
import { trustedStress } from './support/generator.ts';
import { EXPECTED_LOAD_PHASES, expectedRateOf, phasesRun, sampleConfidence, steadyStats, sustainableRateOf } from './support/record.ts';

export const NO_BOTTLENECK_ID = 'no-bottleneck';

export const noBottleneck: SummaryAudit = {
  id: NO_BOTTLENECK_ID,
  effect: 'hygiene',
  title: 'No bottleneck at this load',
  summarise(ctx: SummaryContext): AuditFinding[] {
    const { record } = ctx;
    if (record.status === 'failed') return [];
    if (phasesRun(record).length === 0) return [];
    if (ctx.failedAudits.length > 0) return []; // an audit that cannot run cannot vouch for the service
    // A generator limit that spares the expected-load findings is about the measurement, not the service.
    const aboutService = ctx.findings.filter((f) => f.audit !== 'generator-bound' || f.invalidatesOthers);
    if (aboutService.some((f) => severityRank(f.severity) <= severityRank('medium'))) return [];
    const f = finding(ctx, new Set(aboutService.filter((x) => x.severity === 'low').map((x) => x.audit)));
    return f ? [f] : [];
  },
};

/** Null when an expected-load phase missed the SLO (a marginal miss is only low elsewhere, but it is no "no bottleneck"). */
function finding({ record }: AuditContext, tips: ReadonlySet<string>): AuditFinding | null {
  const slo = record.config.slo;
  const evidence: Evidence[] = [];
  const headroom: string[] = [];
  let samples = 0;
  for (const phase of phasesRun(record, EXPECTED_LOAD_PHASES)) {
    const s = steadyStats(phase);
    samples += s.samples;
    if (s.samples === 0) continue;
    const p = s.quantile(slo.latencyPercentile);
    const err = s.requests ? s.failed / s.requests : 0;
    if (p > slo.latencyMs || err > slo.errorRate) return null;
    evidence.push(
      { label: `p${slo.latencyPercentile} latency (SLO ${slo.latencyMs} ms)`, value: round(p), unit: 'ms', phase: phase.name },
      { label: `failed requests (SLO ${round(slo.errorRate * 100, 3)} %)`, value: round(err * 100, 3), unit: '%', phase: phase.name },
      { label: 'offered rate', value: phase.offeredRate, unit: 'req/s', phase: phase.name },
    );
    headroom.push(`${phase.name}: p${slo.latencyPercentile} ${ms(p)} (${pct(p / slo.latencyMs)} of the SLO), ${pct(err)} failed`);
  }
  const expected = expectedRateOf(record);
  const sustainable = sustainableRateOf(record);
  const stress = trustedStress(record);
  if (sustainable !== null) {
    evidence.push({ label: 'maximum sustainable rate (SLO met)', value: sustainable, unit: 'req/s', phase: 'stress' });
    if (expected) {
      evidence.push({ label: 'sustainable / expected rate', value: round(sustainable / expected.rate, 2), unit: '×' });
      const atLeast = stress !== null && stress.breakingRate === null ? 'at least ' : '';
      headroom.push(
        `capacity ${atLeast}${rate(sustainable)}, ${atLeast}${round(sustainable / expected.rate, 1)}× the ` +
          `${expected.discovered ? 'derived' : 'expected'} ${rate(expected.rate)}`,
      );
    }
  }
  if (stress && stress.breakingRate === null && stress.steps.length) {
    const top = Math.max(...stress.steps.map((s) => s.offeredRate));
    evidence.push({ label: 'highest rate tested without breaking', value: top, unit: 'req/s', phase: 'stress' });
    headroom.push(
      `no breaking point up to ` +
        (`${rate(top)}` +
          (stress.limitedFrom !== null ? ` (the load generator saturated at ${rate(stress.limitedFrom)}: not measured beyond)` : '')),
    );
  }
  const spike = record.phases.find((p) => p.name === 'spike' && p.spike);
  if (spike)
    headroom.push(
      `a ${round(spike.spike!.spikeRate / Math.max(spike.spike!.baseRate, 1e-9), 1)}× spike ` +
        `${tips.has('spike-tolerance') ? 'handled with minor degradation' : 'absorbed'}`,
    );
  const rec = record.phases.find((p) => p.name === 'recovery' && p.recovery)?.recovery;
  if (rec?.recoveredAfterSeconds != null) {
    evidence.push({ label: 'recovery after overload', value: rec.recoveredAfterSeconds, unit: 's', phase: 'recovery' });
    headroom.push(`recovered ${rec.recoveredAfterSeconds} s after overload`);
  }
  const tested = expected ? rate(expected.rate) : 'the tested load';
  return {
    audit: NO_BOTTLENECK_ID,
    title: `No bottleneck at ${tested}: the service meets its SLO with headroom`,
    type: 'application',
    severity: 'info',
    // A verdict from short phases: more samples and a stress phase make it firmer.
    confidence: round(sampleConfidence(samples) * (stress ? 1 : 0.85), 2),
    component: 'service',
    description:
      `The expected-load phases met the SLO (${slo.source.join(', ')}) and no audit found a problem at medium severity or ` +
      `above${tips.size ? ` (minor: ${[...tips].join(', ')})` : ''}. ${headroom.join('; ')}.`,
    evidence,
    location: null,
    rootCause: 'None found at this load.',
    impact: { userExperience: 'Users get responses within the SLO at the expected load.' },
    recommendation: {
      approach:
        'Nothing to fix at this load. Keep this assessment as the baseline (speedguard assess --baseline) so regressions show, and ' +
        're-assess at the next expected load or before large releases.',
      expectedImprovement: 'None needed.',
      effort: 'low',
      testingRequired: 'Gate releases on a comparison with this run (speedguard compare, exit 99 on regression).',
      rollbackPlan: 'Not applicable.',
    },
  };
}
