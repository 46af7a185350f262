// Latency SLO breach at the expected load (baseline, peak, sustained), per endpoint. The stress
// phase is not judged here: its steps past the breaking point are over-capacity by design (that is
// saturation-knee's subject), not "an SLO breach at the expected load".
//
// Severity: the endpoint's p95 in ASSESSMENT-RULES.md §2's bands (> 1 s medium, > 2 s high, > 5 s critical). Below
// those bands a breach of the user's SLO is medium when clear (beyond SLO_CLEAR_BREACH × the limit):
// the SLO is the user's contract for the expected load, so missing it needs fixing (P2), but ASSESSMENT-RULES.md §2
// keeps P1/P0 for seconds-long responses. A marginal breach is low: a few % over the limit is within
// what a 20-second phase can measure. The user's SLO percentile may differ from p95; it decides
// whether there is a breach, the p95 decides the band.
import { maxSeverity } from '../record/findings.ts';
import { bandOf } from '../analysis/severity.ts';
import { selectMetric } from '../record/select.ts';
import type { PhaseRecord } from '../record/assessment-record.ts';
import type { Evidence, FindingType } from '../record/findings.ts';
import type { Audit, AuditContext, AuditFinding } from './types.ts';
import { ms, pct, rate, round } from '../analysis/format.ts';
import {
  EXPECTED_LOAD_PHASES,
  endpointLabel,
  endpointsOf,
  latencyMetric,
  methodOf,
  phasesRun,
  sampleConfidence,
  steadyStats,
} from './support/record.ts';
import { closedLoopWithoutExpectedLoad } from './support/objective.ts';
import { closedLoopFigures, closedLoopText } from '../analysis/closed-loop.ts';

/** Below this many samples a p95 rests on a single value: not judged. */
export const MIN_SAMPLES = 20;
/** 25 % over the limit: beyond the run-to-run noise of a p95 from a short phase (typically 5–15 %). */
export const SLO_CLEAR_BREACH = 1.25;

interface Measured {
  phase: PhaseRecord;
  samples: number;
  pSlo: number;
  p95: number;
  p50: number;
}

/** Where the time goes, from the k6 timing phases: the part that dominates names the cause. */
function breakdown(phase: PhaseRecord, endpoint: string): { part: string; shareOfTotal: number } | null {
  const run = phase.run;
  const mean = (m: string) => {
    const a = selectMetric(run, m, { name: endpoint });
    return a && a.count ? a.sum / a.count : 0;
  };
  const total = mean(latencyMetric(run));
  if (!(total > 0)) return null;
  const parts: Array<[string, number]> = [
    ['waiting', mean('http_req_waiting')],
    ['receiving', mean('http_req_receiving')],
    ['blocked', mean('http_req_blocked')],
    ['connecting', mean('http_req_connecting')],
  ];
  // Queueing before the request was even sent: intended start → send, beyond blocked/connecting.
  const duration = mean('http_req_duration');
  if (latencyMetric(run) === 'http_req_latency' && duration > 0)
    parts.push(['queued', Math.max(0, total - duration - parts[2]![1] - parts[3]![1])]);
  const [part, v] = parts.sort((a, b) => b[1] - a[1])[0]!;
  return v > 0 ? { part, shareOfTotal: v / total } : null;
}

const CAUSES: Record<string, { type: FindingType; text: string }> = {
  waiting: {
    type: 'application',
    text:
      'time to first byte dominates: the server spends the time processing (CPU work, database queries, downstream calls or waiting ' +
      'for a pool)',
  },
  receiving: { type: 'network', text: 'receiving the body dominates: the response is large or streamed slowly' },
  blocked: {
    type: 'infrastructure',
    text:
      "waiting for a free connection dominates: requests queue for the client's connections, a sign the responses are slow to come " +
      'back',
  },
  connecting: { type: 'network', text: 'connection setup dominates: connections are not reused (keep-alive) or the network path is slow' },
  queued: {
    type: 'application',
    text: 'requests started late against their schedule: the service could not keep up with the arrival rate, so work queued',
  },
};

export const latencySlo: Audit = {
  id: 'latency-slo',
  effect: 'objective',
  title: 'Latency SLO at the expected load',
  run({ record, thresholds }: AuditContext): AuditFinding[] {
    const slo = record.config.slo;
    const worst = new Map<string, Measured>();
    const overall = new Map<string, number>();
    for (const phase of phasesRun(record, EXPECTED_LOAD_PHASES)) {
      const all = steadyStats(phase);
      if (all.samples >= MIN_SAMPLES) overall.set(phase.name, all.quantile(95));
      for (const endpoint of endpointsOf(phase.run)) {
        const s = steadyStats(phase, endpoint);
        if (s.samples < MIN_SAMPLES) continue;
        const m: Measured = {
          phase,
          samples: s.samples,
          pSlo: s.quantile(slo.latencyPercentile),
          p95: s.quantile(95),
          p50: s.quantile(50),
        };
        const prev = worst.get(endpoint);
        if (!prev || m.pSlo > prev.pSlo) worst.set(endpoint, m);
      }
    }
    const findings: AuditFinding[] = [];
    // A closed loop with no expected rate (profile without --rate) has no expected load: its latency is
    // the VUs' (Little's law), said as such; support/objective.ts holds its severity to P2.
    const closedLoop = closedLoopWithoutExpectedLoad(record);
    for (const [endpoint, m] of worst) {
      const breached = m.pSlo > slo.latencyMs;
      const band = bandOf(m.p95, thresholds.apiP95Ms);
      if (!breached && band === null) continue;
      const severity = maxSeverity(band, breached ? (m.pSlo > SLO_CLEAR_BREACH * slo.latencyMs ? 'medium' : 'low') : null)!;
      const label = endpointLabel(endpoint, methodOf(m.phase.run, endpoint));
      const metric = latencyMetric(m.phase.run);
      const pName = `p${slo.latencyPercentile}`;
      const cause = breakdown(m.phase, endpoint);
      const causeInfo = cause ? CAUSES[cause.part]! : null;
      const evidence: Evidence[] = [
        { label: `${pName} latency (${metric})`, value: round(m.pSlo), unit: 'ms', phase: m.phase.name },
        { label: 'SLO limit', value: slo.latencyMs, unit: 'ms' },
      ];
      if (slo.latencyPercentile !== 95)
        evidence.push({ label: `p95 latency (${metric})`, value: round(m.p95), unit: 'ms', phase: m.phase.name });
      evidence.push(
        { label: 'p50 latency', value: round(m.p50), unit: 'ms', phase: m.phase.name },
        { label: 'samples', value: m.samples, unit: 'count', phase: m.phase.name },
        { label: 'offered rate', value: m.phase.offeredRate, unit: 'req/s', phase: m.phase.name },
      );
      const ov = overall.get(m.phase.name);
      if (ov !== undefined && worst.size > 1)
        evidence.push({ label: 'p95 latency, all endpoints', value: round(ov), unit: 'ms', phase: m.phase.name });
      if (cause)
        evidence.push({
          label: `largest part of the latency: ${cause.part}`,
          value: round(cause.shareOfTotal * 100, 1),
          unit: '%',
          phase: m.phase.name,
        });
      if (band)
        evidence.push({
          label:
            `ASSESSMENT-RULES.md §2 band (p95 > ${thresholds.apiP95Ms[band === 'critical' ? 'p0' : band === 'high' ? 'p1' : 'p2']} ` +
            `ms)`,
          value: severity,
        });
      const over = breached ? 1 - slo.latencyMs / m.pSlo : 0;
      const loop = closedLoop ? closedLoopFigures(m.phase.run, slo.latencyMs) : null;
      const at = loop ? `at ${loop.vus} concurrent users (closed loop)` : 'at the expected load';
      if (loop)
        evidence.push(
          { label: 'concurrent users (closed-loop VUs)', value: loop.vus, unit: 'count', phase: m.phase.name },
          { label: "Little's law: users / throughput", value: round(loop.littleMs), unit: 'ms', phase: m.phase.name },
          { label: 'requests in flight the SLO allows at this throughput', value: round(loop.sloConcurrency, 1), unit: 'count' },
        );
      findings.push({
        audit: 'latency-slo',
        title: breached
          ? `${label}: ${pName} ${ms(m.pSlo)} ${loop ? 'misses' : 'breaches'} the ${ms(slo.latencyMs)} SLO ${at}`
          : `${label}: p95 ${ms(m.p95)} ${at}`,
        type: causeInfo?.type ?? 'application',
        severity,
        confidence: sampleConfidence(m.samples),
        component: label,
        description:
          `In the ${m.phase.name} phase (${m.phase.description}), ${label} answered with ${pName} ${ms(m.pSlo)} and p50 ${ms(m.p50)} ` +
          `over ${m.samples} requests` +
          (breached
            ? `, above the SLO of ${ms(slo.latencyMs)}.`
            : `; within the SLO, but p95 is in ASSESSMENT-RULES.md §2's ${severity} band.`) +
          (loop ? ` It is the latency of this concurrency, not of a production load: ${closedLoopText(loop, slo.latencyMs)}.` : ''),
        evidence,
        location: { endpoint },
        rootCause: causeInfo
          ? `${causeInfo.text} (${cause!.part}: ${pct(cause!.shareOfTotal)} of the mean latency).`
          : 'The latency comes from the service at this load; the record does not split where the time goes.',
        impact: {
          responseTimeIncrease: breached
            ? `${pName} is ${ms(m.pSlo - slo.latencyMs)} over the SLO (${pct(m.pSlo / slo.latencyMs - 1)} above)`
            : `p95 ${ms(m.p95)}`,
          userExperience: `${100 - slo.latencyPercentile} % of requests to ${label} take longer than ${ms(m.pSlo)} ${at}.`,
        },
        recommendation: {
          approach: loop
            ? `Judge the SLO at an expected load: speedguard profile --rate <expected req/s> (or speedguard assess). To answer ` +
              `${loop.vus} concurrent users within ${ms(slo.latencyMs)}, ${label} would have to complete ${rate(loop.sloThroughputRps)} ` +
              `(Little's law); it completed ${rate(loop.throughputRps)}: find what serialises its requests (the profile's findings) ` +
              `if that concurrency is real.`
            : causeInfo?.type === 'network'
              ? `Reduce what ${label} transfers or how it connects (see the largest latency part above), then re-run the baseline.`
              : `Profile ${label} under the baseline load to find where the time goes (CPU, queries, downstream calls, pool waits); ` +
                `fix the largest contributor and re-run the baseline.`,
          expectedImprovement: breached
            ? `Bringing ${pName} within ${ms(slo.latencyMs)} means cutting it by ${pct(over)} for this endpoint.`
            : `Bringing p95 under ${ms(thresholds.apiP95Ms.p2)} removes the finding.`,
          effort: 'medium',
          testingRequired:
            `Re-run the baseline at ${m.phase.offeredRate} req/s and compare (speedguard compare) — ${pName} of ${label} ` +
            `must be within the SLO, with no regression elsewhere.`,
          rollbackPlan:
            'Ship the change behind a flag or as a separate release; revert it if the latency or error rate of the next assessment ' +
            'regresses.',
        },
      });
    }
    return findings;
  },
};
