// Text responses over 1 KB served uncompressed to a client that offered gzip and br (the
// inspection GET sends Accept-Encoding: gzip, br), with the expected saving and its bandwidth at the
// measured rate.
//
// Severity: low, or medium when the saving is worth ≥ COMPRESSION_MEDIUM_MS of transfer time on a
// 3G-class link per response (ASSESSMENT-RULES.md §3 budgets page loads on 3G).
import type { HttpInspection } from '../record/assessment-record.ts';
import type { Evidence, Severity } from '../record/findings.ts';
import type { Audit, AuditContext, AuditFinding } from './types.ts';
import { bytes, ms, pct, rate, round } from '../analysis/format.ts';
import { endpointLabel, endpointRateOf } from './support/record.ts';

/** Below ~1 KB compression gains less than a packet and costs CPU; servers commonly skip it. */
export const MIN_COMPRESSIBLE_BYTES = 1024;
/**
 * Typical gzip savings by content type (share of bytes removed), from HTTP Archive medians:
 * JSON and HTML compress 70–85 %, CSS/JS 65–80 %, plain text ~60 %. Brotli does 10–20 % better.
 * Conservative values, since the body itself is not kept to compress.
 */
export const TYPICAL_SAVING: Array<[RegExp, number, string]> = [
  [/json/i, 0.75, 'JSON'],
  [/html/i, 0.7, 'HTML'],
  [/css/i, 0.7, 'CSS'],
  [/javascript|ecmascript/i, 0.65, 'JavaScript'],
  [/xml|svg/i, 0.7, 'XML'],
  [/^text\//i, 0.6, 'text'],
];
/** Lighthouse's mobile throttling ("slow 4G", 3G-class): 1.6 Mbit/s down. */
export const MOBILE_BYTES_PER_SECOND = 1.6e6 / 8;
/** A saving worth 100 ms per response on that link is felt by users: medium. */
export const COMPRESSION_MEDIUM_MS = 100;

export function textKind(i: HttpInspection): { saving: number; kind: string } | null {
  const type = i.headers['content-type'] ?? '';
  for (const [re, saving, kind] of TYPICAL_SAVING) if (re.test(type)) return { saving, kind };
  return null;
}

export const compression: Audit = {
  id: 'compression',
  effect: 'hygiene',
  loadIndependent: true,
  title: 'Response compression',
  run({ record }: AuditContext): AuditFinding[] {
    const findings: AuditFinding[] = [];
    for (const i of record.inspection) {
      if (i.error !== null || i.status < 200 || i.status >= 300 || i.encoding !== null) continue;
      const text = textKind(i);
      if (!text || i.bodyBytes <= MIN_COMPRESSIBLE_BYTES) continue;
      const saved = i.bodyBytes * text.saving;
      const savedMs = (saved / MOBILE_BYTES_PER_SECOND) * 1000;
      const severity: Severity = savedMs >= COMPRESSION_MEDIUM_MS ? 'medium' : 'low';
      const label = endpointLabel(i.name, i.method);
      const measured = endpointRateOf(record, i.name);
      const evidence: Evidence[] = [
        { label: 'body size (uncompressed, as served)', value: i.bodyBytes, unit: 'bytes' },
        { label: 'Content-Type', value: i.headers['content-type'] ?? '(none)' },
        { label: 'Content-Encoding', value: '(none)' },
        { label: `expected saving with gzip (typical for ${text.kind})`, value: round(text.saving * 100, 0), unit: '%' },
        { label: 'expected saving per response', value: Math.round(saved), unit: 'bytes' },
        { label: 'transfer time saved per response on a 1.6 Mbit/s mobile link', value: round(savedMs, 0), unit: 'ms' },
      ];
      if (measured) {
        evidence.push({ label: 'measured rate', value: round(measured.rate, 1), unit: 'req/s', phase: measured.phase });
        evidence.push({
          label: 'bandwidth saved at the measured rate',
          value: Math.round(saved * measured.rate),
          unit: 'bytes/s',
          phase: measured.phase,
        });
      }
      findings.push({
        audit: 'compression',
        title: `${label}: ${bytes(i.bodyBytes)} of ${text.kind} served uncompressed (~${pct(text.saving)} saving with gzip)`,
        type: 'network',
        severity,
        // The response was seen uncompressed for certain; the saving is an estimate by type.
        confidence: 0.85,
        component: label,
        description:
          `Asked with "Accept-Encoding: gzip, br", ${label} sent ${bytes(i.bodyBytes)} of ${text.kind} with no ` + `Content-Encoding.`,
        evidence,
        location: { endpoint: i.name },
        rootCause: 'Compression is not enabled for this content type (no compression middleware, or the proxy compresses only some types).',
        impact: {
          responseTimeIncrease: `About ${ms(savedMs)} extra transfer per response on a mobile link.`,
          resourceWaste: measured
            ? `${bytes(saved * measured.rate)}/s of avoidable egress at ${rate(measured.rate)}.`
            : `${bytes(saved)} of avoidable egress per response.`,
        },
        recommendation: {
          approach:
            'Enable gzip and Brotli for text types (application/json, text/html, text/css, application/javascript, image/svg+xml) in ' +
            'the server or the reverse proxy (e.g. nginx gzip_types/brotli_types, Node compression middleware); precompress static ' +
            'files at build time.',
          expectedImprovement:
            `~${pct(text.saving)} fewer bytes (${bytes(i.bodyBytes)} → ~${bytes(i.bodyBytes - saved)}), ` +
            `~${ms(savedMs)} faster per response on mobile.`,
          effort: 'low',
          testingRequired:
            'curl -H "Accept-Encoding: gzip, br" -I shows Content-Encoding; re-run the baseline to check the CPU cost of compressing ' +
            'does not raise latency (compress at the proxy or precompress if it does).',
          rollbackPlan: 'Turn the compression setting off.',
        },
      });
    }
    return findings;
  },
};
