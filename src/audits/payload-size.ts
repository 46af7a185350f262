// Very large responses, with the bandwidth they cost at the measured rate. Sizes come from the
// inspection GETs (bytes on the wire to a client offering gzip/br) or, for endpoints not inspected
// (POSTs, templated URLs), from the run: data_received / http_reqs — exact only when the run has
// one endpoint, since byte counters carry the scenario tag, not the request name.
//
// Severity: low from 100 KB; medium from 1 MB per response (ASSESSMENT-RULES.md §3's budgets: 250 KB of JS, 2 MB
// of images per page) or when the measured rate already costs a tenth of a 1 Gbit/s link.
import { selectMetric } from '../record/select.ts';
import type { PhaseName } from '../record/phase-name.ts';
import type { AssessmentRecord } from '../record/assessment-record.ts';
import type { Evidence, Severity } from '../record/findings.ts';
import type { Audit, AuditContext, AuditFinding } from './types.ts';
import { bytes, rate, round } from '../analysis/format.ts';
import { EXPECTED_LOAD_PHASES, endpointLabel, endpointRateOf, endpointsOf, methodOf, phasesRun } from './support/record.ts';

/** Responses above 100 KB are large for an API (pagination, field selection) — the brief's bar. */
export const PAYLOAD_LARGE_BYTES = 100 * 1024;
/** Above 1 MB per response even a page budget (ASSESSMENT-RULES.md §3) is mostly spent on one call. */
export const PAYLOAD_HUGE_BYTES = 1024 * 1024;
/** 100 Mbit/s at the measured rate: a tenth of a 1 Gbit/s NIC, so a 10× peak saturates it. */
export const BANDWIDTH_MEDIUM_BYTES_PER_S = 100e6 / 8;

interface Size {
  endpoint: string;
  method: string;
  bytes: number;
  source: string;
  phase?: PhaseName;
}

function sizes(record: AssessmentRecord): Size[] {
  const out = new Map<string, Size>();
  for (const i of record.inspection) {
    if (i.error !== null || i.status < 200 || i.status >= 300) continue;
    out.set(i.name, { endpoint: i.name, method: i.method, bytes: i.transferBytes, source: 'inspection GET (bytes on the wire)' });
  }
  for (const phase of phasesRun(record, EXPECTED_LOAD_PHASES)) {
    const endpoints = endpointsOf(phase.run);
    if (endpoints.length !== 1 || out.has(endpoints[0]!)) continue;
    const received = selectMetric(phase.run, 'data_received')?.sum ?? 0;
    const requests = selectMetric(phase.run, 'http_reqs')?.sum ?? 0;
    if (requests > 0)
      out.set(endpoints[0]!, {
        endpoint: endpoints[0]!,
        method: methodOf(phase.run, endpoints[0]!),
        bytes: received / requests,
        source: 'data_received / http_reqs (headers included)',
        phase: phase.name,
      });
  }
  return [...out.values()];
}

export const payloadSize: Audit = {
  id: 'payload-size',
  effect: 'hygiene',
  loadIndependent: true,
  title: 'Response size',
  run({ record }: AuditContext): AuditFinding[] {
    const findings: AuditFinding[] = [];
    for (const s of sizes(record)) {
      if (s.bytes <= PAYLOAD_LARGE_BYTES) continue;
      const measured = endpointRateOf(record, s.endpoint);
      const bandwidth = measured ? s.bytes * measured.rate : null;
      const severity: Severity = s.bytes > PAYLOAD_HUGE_BYTES || (bandwidth ?? 0) > BANDWIDTH_MEDIUM_BYTES_PER_S ? 'medium' : 'low';
      const label = endpointLabel(s.endpoint, s.method);
      const evidence: Evidence[] = [
        { label: 'mean bytes per response', value: Math.round(s.bytes), unit: 'bytes', ...(s.phase ? { phase: s.phase } : {}) },
        { label: 'measured by', value: s.source },
      ];
      if (measured && bandwidth !== null) {
        evidence.push({ label: 'measured rate', value: round(measured.rate, 1), unit: 'req/s', phase: measured.phase });
        evidence.push({ label: 'bandwidth at the measured rate', value: Math.round(bandwidth), unit: 'bytes/s', phase: measured.phase });
        evidence.push({
          label: 'bandwidth at the measured rate',
          value: round((bandwidth * 8) / 1e6, 1),
          unit: 'Mbit/s',
          phase: measured.phase,
        });
      }
      findings.push({
        audit: 'payload-size',
        title:
          `${label}: ${bytes(s.bytes)} per ` +
          `response${bandwidth !== null ? ` (${round((bandwidth * 8) / 1e6, 1)} Mbit/s at ${rate(measured!.rate)})` : ''}`,
        type: 'network',
        severity,
        confidence: s.source.startsWith('inspection') ? 0.9 : 0.75,
        component: label,
        description:
          `Each response of ${label} carries ${bytes(s.bytes)}` +
          (bandwidth !== null
            ? `; at the measured ${rate(measured!.rate)} that is ${bytes(bandwidth)}/s of egress, and ten times more at a 10× peak.`
            : '.'),
        evidence,
        location: { endpoint: s.endpoint },
        rootCause:
          'The endpoint returns more data than a client typically uses at once: an unpaginated collection, embedded related objects, ' +
          'or unused fields.',
        impact: {
          responseTimeIncrease: `${bytes(s.bytes)} takes ~${round(s.bytes / (1.6e6 / 8), 1)} s on a 1.6 Mbit/s mobile link.`,
          resourceWaste:
            bandwidth !== null
              ? `${bytes(bandwidth)}/s of bandwidth and the CPU to serialise it.`
              : 'Bandwidth and serialisation CPU per request.',
        },
        recommendation: {
          approach:
            'Paginate collections (limit + cursor), let clients select fields, drop embedded objects clients do not need, and ' +
            'compress text responses.',
          expectedImprovement:
            `Responses under ${bytes(PAYLOAD_LARGE_BYTES)}: ` +
            `${Math.max(1, Math.round(s.bytes / PAYLOAD_LARGE_BYTES))}× less data per call, with proportionally less serialisation ` +
            `time and egress.`,
          effort: 'medium',
          testingRequired:
            'Check clients against the new response shape (contract tests), then re-run the baseline and compare data_received and ' +
            'latency.',
          rollbackPlan: 'Keep the old shape available (a version or a query parameter) until clients have moved.',
        },
      });
    }
    return findings;
  },
};
