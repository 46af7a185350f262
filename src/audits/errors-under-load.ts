// Failed requests at the expected load (baseline, peak, sustained), per endpoint, by kind and status.
// The stress, spike and recovery phases overload the service on purpose: their errors belong to
// saturation-knee, spike-tolerance and recovery-time.
//
// Severity: ASSESSMENT-RULES.md §2 makes > 5 % failures (timeouts) under load P0. Below that, by the user's SLO:
// above the SLO's error rate is high (users see it at the expected load); above ASSESSMENT-RULES.md §3's peak
// target (0.1 %) medium; any other failure low.
import { maxSeverity } from '../record/findings.ts';
import { selectMetric } from '../record/select.ts';
import type { PhaseRecord } from '../record/assessment-record.ts';
import type { Evidence, Severity } from '../record/findings.ts';
import type { Audit, AuditContext, AuditFinding } from './types.ts';
import { failuresOf, kindInfo, summariseKinds, type Failures } from './support/failures.ts';
import { pct, round } from '../analysis/format.ts';
import { EXPECTED_LOAD_PHASES, endpointLabel, endpointsOf, methodOf, phasesRun, sampleConfidence } from './support/record.ts';

/** ASSESSMENT-RULES.md §3: error rate < 0.1 % at peak. Above it (and below the SLO) the failures are worth a look. */
export const NOTABLE_ERROR_SHARE = 0.001;
/** A medium finding needs a few failures: one failed request in 500 is an anecdote, not a rate. */
export const MIN_FAILURES_FOR_MEDIUM = 3;

interface PhaseFailures {
  phase: PhaseRecord;
  requests: number;
  failures: Failures;
  share: number;
}

export const errorsUnderLoad: Audit = {
  id: 'errors-under-load',
  effect: 'objective',
  title: 'Errors at the expected load',
  run({ record, thresholds }: AuditContext): AuditFinding[] {
    const slo = record.config.slo;
    const byEndpoint = new Map<string, PhaseFailures[]>();
    for (const phase of phasesRun(record, EXPECTED_LOAD_PHASES)) {
      for (const endpoint of endpointsOf(phase.run)) {
        const requests = selectMetric(phase.run, 'http_reqs', { name: endpoint })?.sum ?? 0;
        const failures = failuresOf(phase.run, { name: endpoint });
        if (failures.total === 0 || requests === 0) continue;
        const list = byEndpoint.get(endpoint) ?? [];
        list.push({ phase, requests, failures, share: failures.total / requests });
        byEndpoint.set(endpoint, list);
      }
    }
    const findings: AuditFinding[] = [];
    for (const [endpoint, list] of byEndpoint) {
      const rank = (f: PhaseFailures): Severity => {
        if (f.share > thresholds.errorRate.p0) return 'critical';
        if (f.share > slo.errorRate) return 'high';
        if (f.share > NOTABLE_ERROR_SHARE && f.failures.total >= MIN_FAILURES_FOR_MEDIUM) return 'medium';
        return 'low';
      };
      let severity: Severity | null = null;
      for (const f of list) severity = maxSeverity(severity, rank(f));
      const worst = list.reduce((a, b) => (b.share > a.share ? b : a));
      const [topKind, topCount] = worst.failures.byKind[0]!;
      const info = kindInfo(topKind);
      const label = endpointLabel(endpoint, methodOf(worst.phase.run, endpoint));
      const evidence: Evidence[] = [];
      for (const f of list) {
        evidence.push({ label: 'failed requests', value: round(f.share * 100, 3), unit: '%', phase: f.phase.name });
        evidence.push({ label: 'requests', value: f.requests, unit: 'count', phase: f.phase.name });
        for (const [kind, n] of f.failures.byKind.slice(0, 5))
          evidence.push({ label: `failed: ${kind}`, value: n, unit: 'count', phase: f.phase.name });
      }
      evidence.push({ label: 'SLO error rate', value: round(slo.errorRate * 100, 3), unit: '%' });
      const total = list.reduce((s, f) => s + f.failures.total, 0);
      const requests = list.reduce((s, f) => s + f.requests, 0);
      findings.push({
        audit: 'errors-under-load',
        title: `${label}: ${pct(worst.share)} of requests failed at the expected load (mostly ${topKind})`,
        type: info.type,
        severity: severity!,
        // Confidence in "there is an error rate of this size": grows with the failures seen.
        confidence: Math.min(sampleConfidence(requests), total >= 10 ? 0.9 : total >= MIN_FAILURES_FOR_MEDIUM ? 0.7 : 0.5),
        component: label,
        description:
          `In the ${worst.phase.name} phase (${worst.phase.description}), ${worst.failures.total} of ${worst.requests} requests to ` +
          `${label} failed: ` +
          `${summariseKinds(worst.failures, worst.requests)}.` +
          (list.length > 1
            ? ` Other expected-load phases: ${list
                .filter((f) => f !== worst)
                .map((f) => `${f.phase.name} ${pct(f.share)}`)
                .join(', ')}.`
            : ''),
        evidence,
        location: { endpoint },
        rootCause: `${topKind} (${topCount} of ${worst.failures.total} failures): ${info.cause}.`,
        impact: {
          userExperience: `${pct(worst.share)} of requests to ${label} fail at the expected load (the SLO allows ${pct(slo.errorRate)}).`,
          throughputReduction: `${pct(worst.share)} of the offered requests produce no useful response.`,
        },
        recommendation: {
          approach: `${info.fix[0]!.toUpperCase()}${info.fix.slice(1)}.`,
          expectedImprovement:
            `Failures at the expected load from ${pct(worst.share)} to under ` + `${pct(Math.min(slo.errorRate, NOTABLE_ERROR_SHARE))}.`,
          effort: info.type === 'infrastructure' ? 'low' : 'medium',
          testingRequired:
            `Re-run the ${worst.phase.name} phase at ${worst.phase.offeredRate} req/s: ${label} must fail less than ` +
            `${pct(slo.errorRate)} with no ${topKind}.`,
          rollbackPlan:
            'Configuration changes (limits, timeouts) are reverted by restoring the previous values; code changes ship behind a flag.',
        },
      });
    }
    return findings;
  },
};
