// How the service takes a sudden burst: errors and latency during the spike (phase.spike's seconds)
// against the seconds before it, and how it is doing after.
//
// Severity: failures during the spike above ASSESSMENT-RULES.md §2's 5 % are high, above the SLO's error rate
// medium; a p95 over the SLO that grew ≥ SPIKE_LATENCY_GROWTH× is medium, a milder breach low.
// When the spike offered more than the stress phase found sustainable, failing is a capacity fact
// (saturation-knee reports it), so the finding is capped at medium; "high" is kept for a service
// that fails a burst it could sustain — cold pools, no queueing, autoscaling too slow.
import { maxSeverity } from '../record/findings.ts';
import type { Evidence, Severity } from '../record/findings.ts';
import { measuresGenerator } from './support/generator.ts';
import type { Audit, AuditContext, AuditFinding } from './types.ts';
import { failuresOf, kindInfo } from './support/failures.ts';
import { ms, pct, rate, round } from '../analysis/format.ts';
import { WARMUP_SECONDS, latencyMetric, sustainableRateOf } from './support/record.ts';
import { windowStats } from './support/window.ts';

/** p95 tripling during the spike (and over the SLO): the burst queued instead of being absorbed. */
export const SPIKE_LATENCY_GROWTH = 3;
/** Before/during windows need a few samples for a p95. */
export const MIN_SAMPLES = 20;

export const spikeTolerance: Audit = {
  id: 'spike-tolerance',
  effect: 'objective',
  title: 'Spike tolerance',
  run({ record, thresholds }: AuditContext): AuditFinding[] {
    const phase = record.phases.find(
      (p) => p.name === 'spike' && p.spike && p.verdict !== 'skipped' && !measuresGenerator(p, record.config.slo),
    );
    if (!phase) return [];
    const sp = phase.spike!;
    const slo = record.config.slo;
    const run = phase.run;
    const metric = latencyMetric(run);
    const before = windowStats(run, metric, { from: Math.min(WARMUP_SECONDS, sp.spikeFromSecond - 1), to: sp.spikeFromSecond - 1 });
    const during = windowStats(run, metric, { from: sp.spikeFromSecond, to: sp.spikeToSecond });
    const last = run.intervals.length ? run.intervals[run.intervals.length - 1]!.index : sp.spikeToSecond;
    const after = windowStats(run, metric, { from: sp.spikeToSecond + 1, to: last });
    if (during.samples < MIN_SAMPLES) return [];
    const errDuring = during.requests ? during.failed / during.requests : 0;
    const errBefore = before.requests ? before.failed / before.requests : 0;
    const p95During = during.quantile(95);
    const p95Before = before.samples >= MIN_SAMPLES ? before.quantile(95) : NaN;
    const p95After = after.samples >= MIN_SAMPLES ? after.quantile(95) : NaN;

    let severity: Severity | null = null;
    if (errDuring > thresholds.errorRate.p0) severity = 'high';
    else if (errDuring > slo.errorRate) severity = 'medium';
    if (p95During > slo.latencyMs) {
      const grew = !(p95Before > 0) || p95During >= SPIKE_LATENCY_GROWTH * p95Before;
      severity = maxSeverity(severity, grew ? 'medium' : 'low');
    }
    if (severity === null) return [];
    const sustainable = sustainableRateOf(record);
    const overCapacity = sustainable !== null && sp.spikeRate > sustainable;
    if (overCapacity && severity === 'high') severity = 'medium';

    const f = failuresOf(run, {}, { from: sp.spikeFromSecond, to: sp.spikeToSecond });
    const top = f.byKind[0];
    const info = top ? kindInfo(top[0]) : null;
    const spikeSeconds = sp.spikeToSecond - sp.spikeFromSecond + 1;
    const evidence: Evidence[] = [
      { label: 'base rate', value: sp.baseRate, unit: 'req/s', phase: 'spike' },
      { label: 'spike rate', value: sp.spikeRate, unit: 'req/s', phase: 'spike' },
      { label: 'spike length', value: spikeSeconds, unit: 's', phase: 'spike' },
      {
        label: 'completed during the spike',
        value: round(during.requests / Math.max(1, during.seconds), 1),
        unit: 'req/s',
        phase: 'spike',
      },
      { label: 'failed before the spike', value: round(errBefore * 100, 2), unit: '%', phase: 'spike' },
      { label: 'failed during the spike', value: round(errDuring * 100, 2), unit: '%', phase: 'spike' },
      { label: 'p95 during the spike', value: round(p95During), unit: 'ms', phase: 'spike' },
    ];
    if (Number.isFinite(p95Before)) evidence.push({ label: 'p95 before the spike', value: round(p95Before), unit: 'ms', phase: 'spike' });
    if (Number.isFinite(p95After)) evidence.push({ label: 'p95 after the spike', value: round(p95After), unit: 'ms', phase: 'spike' });
    if (during.dropped)
      evidence.push({ label: 'dropped iterations during the spike', value: during.dropped, unit: 'count', phase: 'spike' });
    if (top) evidence.push({ label: `failed during the spike: ${top[0]}`, value: top[1], unit: 'count', phase: 'spike' });
    if (sustainable !== null) evidence.push({ label: 'maximum sustainable rate (stress)', value: sustainable, unit: 'req/s' });
    const recoveredAfter = p95After <= slo.latencyMs;
    return [
      {
        audit: 'spike-tolerance',
        title:
          `A ${round(sp.spikeRate / Math.max(sp.baseRate, 1e-9), 1)}× spike (${rate(sp.baseRate)} → ${rate(sp.spikeRate)}): ` +
          `${pct(errDuring)} failed, p95 ${ms(p95During)}`,
        type: info?.type ?? 'infrastructure',
        severity,
        confidence: during.samples >= 500 ? 0.8 : 0.65,
        component: 'service',
        description:
          `For ${spikeSeconds} s the arrival rate jumped from ${rate(sp.baseRate)} to ${rate(sp.spikeRate)}. ` +
          `Before: p95 ${ms(p95Before)}, ${pct(errBefore)} failed. During: p95 ${ms(p95During)}, ${pct(errDuring)} failed. ` +
          (Number.isFinite(p95After) ? `After: p95 ${ms(p95After)}${recoveredAfter ? '' : ', still above the SLO'}.` : '') +
          (overCapacity ? ` The spike exceeded the ${rate(sustainable!)} the stress phase found sustainable.` : ''),
        evidence,
        location: null,
        rootCause: overCapacity
          ? `The spike asked for more than the service's capacity (${rate(sustainable!)}): requests queue, then time out or are ` +
            `refused${info ? ` (mostly ${top![0]}: ${info.cause})` : ''}.`
          : `The service could sustain ${rate(sp.spikeRate)} in steady state but not as a sudden jump: resources that grow lazily ` +
            `(connection and worker pools, caches, autoscaling) are cold when the burst ` +
            `arrives${info ? `; failures were mostly ${top![0]} (${info.cause})` : ''}.`,
        impact: {
          userExperience: `During a burst ${pct(errDuring)} of requests fail and the slowest 5 % wait over ${ms(p95During)}.`,
        },
        recommendation: {
          approach: overCapacity
            ? 'Absorb bursts instead of collapsing: a bounded queue with a deadline, load shedding with 503 + Retry-After beyond it, ' +
              'and autoscaling (or spare capacity) sized for the expected burst.'
            : 'Pre-warm pools (minimum sizes at the expected burst), bound queues with deadlines, and scale on a leading signal (queue ' +
              'length, in-flight requests) rather than CPU averages.',
          expectedImprovement:
            `Failures during the burst under ${pct(slo.errorRate)} and p95 within ${ms(slo.latencyMs)}, or explicit ` +
            `fast rejections instead of timeouts.`,
          effort: 'medium',
          testingRequired: 'Re-run the spike phase (speedguard assess --suite spike) and compare errors and p95 during the spike.',
          rollbackPlan: 'Queue and shedding limits are configuration: restore the previous values.',
        },
      },
    ];
  },
};
