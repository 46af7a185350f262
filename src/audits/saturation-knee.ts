// Where the service saturates: from the stress staircase (record.phases[].stress) and the capacity
// model, the rate at which latency starts rising with load, the breaking point, and the sustainable
// rate against the expected one.
//
// "Knee" has one meaning in speedguard: record.capacity.kneeRps, the last rate at which throughput
// still grew linearly (analysis/capacity.ts). The step where p95 doubled is another figure and has
// another name here — "latency starts rising at" — so a report never shows two different knees.
//
// Severity is about capacity, not about the knee existing (every service has one): ASSESSMENT-RULES.md §2 makes a
// throughput below 50 % of the expected capacity P1; below the expected rate is medium (it does not
// hold its load at the SLO); less than HEADROOM_LOW × the expected rate is low; otherwise info.
// When the expected rate was derived from the stress phase itself (no --expected-rate), comparing
// with it is circular and the finding stays info.
import type { StressStep } from '../record/assessment-record.ts';
import type { Evidence, Severity } from '../record/findings.ts';
import type { Audit, AuditContext, AuditFinding } from './types.ts';
import { failuresOf, kindInfo } from './support/failures.ts';
import { ms, pct, rate, round } from '../analysis/format.ts';
import { trustedStress } from './support/generator.ts';
import { expectedRateOf, sustainableRateOf } from './support/record.ts';
import { limitingResource } from './support/limiting.ts';

/** A step whose p95 is this many times the lightest step's: latency starts rising with load there. */
export const LATENCY_RISE_GROWTH = 2;
/** …and by at least this much (ms): 1 ms → 2 ms doubles but is noise on a loopback service. */
export const LATENCY_RISE_MIN_EXTRA_MS = 10;
/** Without a breaking point, latency growth below this share of the SLO is not worth a finding. */
export const LATENCY_RISE_NEAR_SLO = 0.5;
/** The evidence label of record.capacity.kneeRps (one name for one figure). */
export const KNEE_LABEL = 'knee (throughput stops growing linearly)';
/** Less than 2× headroom over the expected load: a routine peak (ASSESSMENT-RULES.md §6 suggests up to 10×) breaks it. */
export const HEADROOM_LOW = 2;
/** USL contention (σ) above 5 %: a serialised part caps throughput at about 1/σ × single-request rate. */
export const SIGMA_NOTABLE = 0.05;
/** USL coherency (κ) above this makes throughput fall (retrograde) past the peak within tested loads. */
export const KAPPA_NOTABLE = 0.001;
/**
 * A later, more heavily loaded step that completed this much less than the best step: throughput fell
 * with load (retrograde), measured, not only fitted. Below it, step-to-step noise on a busy host.
 */
export const RETROGRADE_DROP = 0.1;

/** The step whose throughput fell past the best step's (offered more, achieved ≥ 10 % less), or null. */
export function retrogradeStep(steps: readonly StressStep[]): { best: StressStep; fell: StressStep } | null {
  const sorted = [...steps].sort((a, b) => a.offeredRate - b.offeredRate);
  let best: StressStep | null = null;
  for (const s of sorted) {
    if (best && s.achievedRate < (1 - RETROGRADE_DROP) * best.achievedRate) return { best, fell: s };
    if (!best || s.achievedRate > best.achievedRate) best = s;
  }
  return null;
}

/** The first step whose p95 doubled over the lightest step's (and grew ≥ 10 ms): latency starts rising there. */
export function latencyRiseStep(steps: readonly StressStep[]): StressStep | null {
  const sorted = [...steps].sort((a, b) => a.offeredRate - b.offeredRate);
  const first = sorted[0];
  if (!first) return null;
  return (
    sorted.slice(1).find((s) => s.p95Ms >= LATENCY_RISE_GROWTH * first.p95Ms && s.p95Ms - first.p95Ms >= LATENCY_RISE_MIN_EXTRA_MS) ?? null
  );
}

export const saturationKnee: Audit = {
  id: 'saturation-knee',
  effect: 'capacity',
  title: 'Saturation point and capacity',
  run({ record, thresholds }: AuditContext): AuditFinding[] {
    // Only the steps the generator could drive: past its limit the latency rise would be speedguard's.
    const trusted = trustedStress(record);
    if (!trusted || trusted.steps.length < 2) return [];
    const { phase, steps } = trusted;
    const stress = phase.stress!;
    const slo = record.config.slo;
    const first = steps[0]!;
    const top = steps[steps.length - 1]!;
    const rise = latencyRiseStep(steps);
    const breaking = trusted.breakingRate !== null ? (steps.find((s) => s.offeredRate === trusted.breakingRate) ?? null) : null;
    if (!breaking && !(rise && top.p95Ms > LATENCY_RISE_NEAR_SLO * slo.latencyMs)) return [];

    const sustainable = sustainableRateOf(record);
    const expected = expectedRateOf(record);
    let severity: Severity = 'info';
    let share: number | null = null;
    if (expected && !expected.discovered) {
      share = (sustainable ?? 0) / expected.rate;
      severity = share < thresholds.throughputShare.p1 ? 'high' : share < 1 ? 'medium' : share < HEADROOM_LOW ? 'low' : 'info';
    }

    const cap = record.capacity;
    const evidence: Evidence[] = [
      { label: 'lightest step: offered rate', value: first.offeredRate, unit: 'req/s', phase: 'stress' },
      { label: 'lightest step: p95', value: round(first.p95Ms), unit: 'ms', phase: 'stress' },
    ];
    if (rise) {
      evidence.push({
        label: 'latency starts rising at: offered rate (p95 doubled)',
        value: rise.offeredRate,
        unit: 'req/s',
        phase: 'stress',
      });
      evidence.push({ label: 'latency starts rising at: p95', value: round(rise.p95Ms), unit: 'ms', phase: 'stress' });
    }
    if (breaking) {
      evidence.push({ label: 'breaking point: offered rate', value: breaking.offeredRate, unit: 'req/s', phase: 'stress' });
      evidence.push({ label: 'breaking point: achieved rate', value: round(breaking.achievedRate, 1), unit: 'req/s', phase: 'stress' });
      evidence.push({ label: 'breaking point: p95', value: round(breaking.p95Ms), unit: 'ms', phase: 'stress' });
      evidence.push({ label: 'breaking point: failed requests', value: round(breaking.errorRate * 100, 2), unit: '%', phase: 'stress' });
    }
    evidence.push({ label: 'stop reason', value: stress.stopReason, phase: 'stress' });
    if (trusted.limitedFrom !== null)
      evidence.push({ label: 'steps left out: load generator saturated from', value: trusted.limitedFrom, unit: 'req/s', phase: 'stress' });
    if (sustainable !== null)
      evidence.push({ label: 'maximum sustainable rate (SLO met)', value: sustainable, unit: 'req/s', phase: 'stress' });
    if (expected)
      evidence.push({
        label: expected.discovered ? 'expected rate (derived: none given)' : 'expected rate',
        value: expected.rate,
        unit: 'req/s',
      });
    if (share !== null) evidence.push({ label: 'sustainable / expected', value: round(share * 100, 1), unit: '%' });
    if (cap) {
      evidence.push({ label: `USL σ (contention), fit ${cap.fitQuality}, r² ${round(cap.r2, 3)}`, value: round(cap.sigma, 4) });
      evidence.push({ label: 'USL κ (coherency)', value: round(cap.kappa, 6) });
      // The record's knee, unrounded: the same figure the CAPACITY section and the envelope show.
      if (cap.kneeRps !== null) evidence.push({ label: KNEE_LABEL, value: cap.kneeRps, unit: 'req/s' });
    }

    // Why: how the breaking step failed, and what the USL parameters say about the kind of limit.
    const causes: string[] = [];
    let type: AuditFinding['type'] = 'application';
    if (breaking) {
      const f = failuresOf(phase.run, {}, { from: breaking.fromSecond, to: breaking.toSecond });
      if (f.total > 0 && breaking.errorRate > slo.errorRate) {
        const [kind, n] = f.byKind[0]!;
        const info = kindInfo(kind);
        type = info.type;
        causes.push(`At the breaking point requests failed mostly as ${kind} (${n} of ${f.total}): ${info.cause}.`);
      } else if (breaking.achievedRate < 0.9 * breaking.offeredRate) {
        causes.push(
          `At the breaking point the service completed ${rate(breaking.achievedRate)} of the ${rate(breaking.offeredRate)} offered: ` +
            `work queued and latency grew without bound — a saturated resource (CPU, a worker or connection pool, a lock, a slow ` +
            `downstream).`,
        );
      } else {
        causes.push(
          `At the breaking point latency rose to p95 ${ms(breaking.p95Ms)} while throughput still followed the offered rate: ` +
            `requests wait in a queue in front of a saturated resource.`,
        );
      }
    }
    // The USL's words only where the measurements say the same (issue 12): coherency (crosstalk) needs
    // throughput that measurably fell past its best step; contention is said as what it is, a share of
    // each request served one at a time, and named when the profile of the capacity phase shows the resource.
    const fell = retrogradeStep(steps);
    const resource = limitingResource(record);
    if (resource)
      causes.push(
        `Profiled at ${rate(resource.rate)} (the ` +
          `${resource.phase === 'capacity' ? 'highest rate the stress phase sustained' : `${resource.phase} phase`}), the resource at ` +
          `its limit was ${resource.text}.`,
      );
    if (cap && cap.fitQuality !== 'poor') {
      if (cap.kappa > KAPPA_NOTABLE && fell)
        causes.push(
          `Throughput fell with load: ${rate(fell.best.achievedRate)} at ${rate(fell.best.offeredRate)} offered, ` +
            `${rate(fell.fell.achievedRate)} at ${rate(fell.fell.offeredRate)}; the USL fit's coherency term (κ ` +
            `${round(cap.kappa, 6)}) says the same — concurrent requests cost each other work (shared locks, cache or lock thrashing, ` +
            `coordination).`,
        );
      else if (cap.sigma > SIGMA_NOTABLE)
        causes.push(
          `Throughput grew less than linearly with concurrency: the USL fit puts about ${pct(cap.sigma)} of each request's time in a ` +
            `part served one request at a time (σ ` +
            (`${round(cap.sigma, 4)})` +
              (resource ? '' : ' — a single thread, a pool, a lock: which one is not measured here (run with --profile)') +
              `.`),
        );
    }
    if (causes.length === 0)
      causes.push(
        'Latency grows with the arrival rate: a resource approaches saturation (queueing theory: waiting time grows as 1/(1−utilisation)).',
      );

    const limit = sustainable ?? breaking?.offeredRate ?? rise?.offeredRate ?? top.offeredRate;
    const limitedBy = resource ? `; limited by ${resource.name}` : '';
    const title = breaking
      ? `Saturates at ${rate(breaking.offeredRate)}: sustainable up to ` +
        ((sustainable !== null ? rate(sustainable) : 'no tested rate') +
          (share !== null ? ` (${share >= 1 ? `${round(share, 1)}×` : pct(share)} of the expected ${rate(expected!.rate)})` : '') +
          `${limitedBy}`)
      : `Latency starts rising at ${rate(rise!.offeredRate)} (p95 ${ms(first.p95Ms)} → ${ms(top.p95Ms)})${limitedBy}`;
    return [
      {
        audit: 'saturation-knee',
        title,
        type,
        severity,
        // The staircase measures each step for a few seconds only; the USL fit's quality adds to it.
        confidence: cap?.fitQuality === 'good' ? 0.85 : cap?.fitQuality === 'fair' ? 0.75 : 0.65,
        component: 'service',
        description:
          `The stress phase ramped ${steps.map((s) => s.offeredRate).join(' → ')} req/s. ` +
          (rise
            ? `Latency starts rising at ${rate(rise.offeredRate)}: p95 went from ${ms(first.p95Ms)} at ${rate(first.offeredRate)} to ` +
              `${ms(rise.p95Ms)} there. `
            : '') +
          (breaking
            ? `The SLO broke at ${rate(breaking.offeredRate)} (${stress.stopReason.replace('_', ' ')}).`
            : `No step broke the SLO up to ${rate(top.offeredRate)}.`) +
          (trusted.limitedFrom !== null
            ? ` Steps from ${rate(trusted.limitedFrom)} are left out: the load generator was saturated there.`
            : ''),
        evidence,
        location: resource?.location ?? null,
        rootCause: causes.join(' '),
        impact: {
          throughputReduction:
            sustainable !== null
              ? `The service holds its SLO up to ${rate(sustainable)}; beyond, latency and errors climb.`
              : 'No tested rate met the SLO.',
          userExperience:
            share !== null && share < 1
              ? `At the expected ${rate(expected!.rate)} users already get responses outside the SLO.`
              : `Load above ${rate(limit)} (peaks, growth) degrades every user at once.`,
        },
        recommendation: {
          approach:
            type !== 'application'
              ? 'Fix the failure mode at the breaking point (see the root cause), then scale out; add load shedding (fast 503 with ' +
                'Retry-After) so overload degrades gracefully.'
              : resource
                ? `${resource.kind === 'statement' ? `Make ${resource.name} cheaper` : `Raise the limit of ${resource.name}`} (see ` +
                  `the finding about it) before anything else: it decides the capacity.`
                : 'Profile the service at the rate where latency starts rising (speedguard assess --profile) to find the saturated ' +
                  'resource (CPU profile, pool wait times, lock contention), then remove the serialisation or give that resource more ' +
                  'room.',
          expectedImprovement:
            share !== null && share < 1
              ? `Reaching the expected ${rate(expected!.rate)} at the SLO means ` +
                `${round(expected!.rate / Math.max(sustainable ?? 1, 1), 1)}× the current sustainable rate.`
              : 'Each removed bottleneck moves the knee up to the next resource. More instances add capacity only if the service keeps ' +
                'no shared state in its memory (sessions, caches, counters) and the resources they share (a database, a downstream) ' +
                'have room: check both first.',
          effort: 'high',
          testingRequired: 'Re-run the stress phase (speedguard assess --suite stress) and compare the sustainable rate and the knee.',
          rollbackPlan: 'Capacity changes (instances, pool sizes) revert by configuration; code changes ship behind a flag.',
        },
      },
    ];
  },
};
