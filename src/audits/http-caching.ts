// HTTP caching from the inspection GETs (record.inspection): successful GETs that say nothing about
// caching (no Cache-Control, ETag, Last-Modified or Expires), and static-looking content marked
// no-store. A response that states a policy (even "no-store" or "private" on an API) made a choice
// and is left alone — only static assets are second-guessed.
//
// Severity: low for an API response without caching headers (a missed opportunity); medium when the
// endpoint misses its latency SLO at the expected load (a cache would take load off the slow path)
// and for static assets (CSS, JS, images, fonts), where caching is the norm and its absence costs
// every page view.
import type { PhaseName } from '../record/phase-name.ts';
import type { AssessmentRecord, HttpInspection } from '../record/assessment-record.ts';
import type { Evidence, Severity } from '../record/findings.ts';
import type { Audit, AuditContext, AuditFinding } from './types.ts';
import { bytes, ms, round } from '../analysis/format.ts';
import { EXPECTED_LOAD_PHASES, endpointLabel, phasesRun, steadyStats } from './support/record.ts';

const STATIC_EXTENSIONS = /\.(css|js|mjs|map|png|jpe?g|gif|webp|avif|svg|ico|woff2?|ttf|otf|eot)$/i;
const STATIC_TYPES = /^(text\/css|(application|text)\/javascript|image\/|font\/|application\/font)/i;

export function looksStatic(i: HttpInspection): boolean {
  let path = i.url;
  try {
    path = new URL(i.url).pathname;
  } catch {
    /* keep as is */
  }
  return STATIC_EXTENSIONS.test(path) || STATIC_TYPES.test(i.headers['content-type'] ?? '');
}

/** The endpoint's p(SLO) at the expected load, if measured. */
function measuredLatency(record: AssessmentRecord, name: string): { value: number; phase: PhaseName } | null {
  for (const phase of phasesRun(record, EXPECTED_LOAD_PHASES)) {
    const s = steadyStats(phase, name);
    if (s.samples > 0) return { value: s.quantile(record.config.slo.latencyPercentile), phase: phase.name };
  }
  return null;
}

export const httpCaching: Audit = {
  id: 'http-caching',
  effect: 'hygiene',
  loadIndependent: true,
  title: 'HTTP caching headers',
  run({ record }: AuditContext): AuditFinding[] {
    const slo = record.config.slo;
    const findings: AuditFinding[] = [];
    for (const i of record.inspection) {
      if (i.method !== 'GET' || i.status !== 200 || i.error !== null) continue;
      const h = i.headers;
      const cc = (h['cache-control'] ?? '').toLowerCase();
      const isStatic = looksStatic(i);
      const silent = !h['cache-control'] && !h.etag && !h['last-modified'] && !h.expires;
      const noStoreStatic = isStatic && /\bno-store\b/.test(cc);
      if (!silent && !noStoreStatic) continue;
      const label = endpointLabel(i.name);
      const lat = measuredLatency(record, i.name);
      const slow = lat !== null && lat.value > slo.latencyMs;
      const severity: Severity = isStatic || slow ? 'medium' : 'low';
      const evidence: Evidence[] = [
        { label: 'Cache-Control', value: h['cache-control'] ?? '(none)' },
        { label: 'ETag', value: h.etag ?? '(none)' },
        { label: 'Last-Modified', value: h['last-modified'] ?? '(none)' },
        { label: 'Content-Type', value: h['content-type'] ?? '(none)' },
        { label: 'body size', value: i.bodyBytes, unit: 'bytes' },
      ];
      if (lat)
        evidence.push({
          label: `p${slo.latencyPercentile} latency at the expected load`,
          value: round(lat.value),
          unit: 'ms',
          phase: lat.phase,
        });
      findings.push({
        audit: 'http-caching',
        title: noStoreStatic
          ? `${label}: static content served with Cache-Control: no-store`
          : `${label}: cacheable GET without Cache-Control, ETag or Last-Modified`,
        type: isStatic ? 'frontend' : 'application',
        severity,
        confidence: 0.9,
        component: label,
        description: noStoreStatic
          ? `${label} looks static (${h['content-type'] ?? 'by its extension'}) yet forbids any cache from storing it: every view ` +
            `downloads it again.`
          : `${label} returned 200 with no caching headers at all, so browsers, CDNs and proxies cannot reuse or revalidate ` +
            `it${slow ? `, and it is slow (p${slo.latencyPercentile} ${ms(lat!.value)} at the expected load)` : ''}.`,
        evidence,
        location: { endpoint: i.name },
        rootCause: noStoreStatic
          ? 'A blanket no-store policy (often a security default) applied to static assets too.'
          : 'The handler sets no caching policy: the framework default sends none.',
        impact: {
          responseTimeIncrease: slow
            ? `Repeat requests pay the full ${ms(lat!.value)} instead of a cache hit or a 304.`
            : 'Repeat requests pay a full response instead of a cache hit or a 304.',
          resourceWaste: `${bytes(i.transferBytes)} sent again for every repeat request; the server recomputes the response each time.`,
        },
        recommendation: {
          approach: isStatic
            ? 'Serve static assets with fingerprinted names and "Cache-Control: public, max-age=31536000, immutable" (unfingerprinted: ' +
              'a short max-age plus ETag).'
            : 'Decide the policy: for shared data, "Cache-Control: public, max-age=<seconds the data may be stale>" (and s-maxage for ' +
              'a CDN), plus an ETag so clients revalidate with 304; for per-user data, "private" or "no-store" explicitly.',
          expectedImprovement: slow
            ? `Cache hits answer in milliseconds instead of ${ms(lat!.value)}; the origin's load falls by the hit rate ` +
              `(ASSESSMENT-RULES.md §3 aims at > 80 %).`
            : `Repeat requests become cache hits or 304s (no ${bytes(i.transferBytes)} body), and the origin's load falls by the hit rate.`,
          effort: 'low',
          testingRequired:
            'Check the headers (curl -I), then measure the hit rate behind a cache and that stale data stays within the chosen ' +
            'max-age; test invalidation when the data changes.',
          rollbackPlan: 'Remove the header; note that caches keep what they stored until max-age expires, so start with a short max-age.',
        },
      });
    }
    return findings;
  },
};
