// The self-contained offline HTML report of an assessment (issue 3 §4): one file, no request of
// any kind — no script at all (charts are SVG generated here), one stylesheet allowed by its hash,
// images only as data: URLs. Everything from the target is escaped by the `html` template.
import { createHash } from 'node:crypto';
import type { AssessmentRecord } from '../record/assessment-record.ts';
import { targetProbesOf } from '../record/target-probes.ts';
import { dateTime } from './html/fmt.ts';
import { html, jsonForScript, raw, type SafeHtml } from './html/safe.ts';
import { capacityDetails, capacitySummary } from './html/sections/capacity.ts';
import { databaseSection, hasDatabase } from './html/sections/database.ts';
import { endpointsSection } from './html/sections/endpoints.ts';
import { environmentSection } from './html/sections/environment.ts';
import { findingsSection } from './html/sections/findings.ts';
import { flamegraphSection } from './html/sections/flamegraph.ts';
import { generatorSection } from './html/sections/generator.ts';
import { headerSection } from './html/sections/header.ts';
import { inspectionSection } from './html/sections/inspection.ts';
import { phasesSection } from './html/sections/phases.ts';
import { STYLE } from './html/style.ts';
import { verdictOf } from './html/verdict.ts';

const STYLE_HASH = `sha256-${createHash('sha256').update(STYLE, 'utf8').digest('base64')}`;

/**
 * default-src 'none' forbids every fetch (scripts, fonts, frames, connections, media); the one
 * <style> block is allowed by hash; no script may run at all, so no nonce is needed; images only
 * from data: URLs; no <base> and no form submission.
 */
export const REPORT_CSP = [
  "default-src 'none'",
  `style-src '${STYLE_HASH}'`,
  "script-src 'none'",
  'img-src data:',
  "base-uri 'none'",
  "form-action 'none'",
].join('; ');

/** The machine-readable part embedded in the page (inert JSON, escaped for the script element). */
function reportData(r: AssessmentRecord): unknown {
  const phases = Array.isArray(r.phases) ? r.phases : [];
  return {
    schema: 'speedguard.html-report/1',
    id: r.id,
    target: r.target,
    status: r.status,
    startedAt: r.startedAt,
    verdict: verdictOf(r).status,
    phases: phases.map((p) => ({
      name: p.name,
      verdict: p.verdict,
      verdictReason: p.verdictReason,
      offeredRate: p.offeredRate,
      stress: p.stress ?? null,
    })),
    capacity: r.capacity ?? null,
    findings: Array.isArray(r.findings) ? r.findings : [],
  };
}

/** The CPU profile analysis of `speedguard profile` / `assess --profile`, when the record has one. */
function cpuProfileOf(r: AssessmentRecord) {
  return r.probes && typeof r.probes === 'object' ? (targetProbesOf(r)?.cpuProfile ?? null) : null;
}

function nav(r: AssessmentRecord, hasCapacity: boolean): SafeHtml {
  // In page order (see renderHtmlReport).
  const items: Array<[string, string]> = hasCapacity
    ? [
        ['capacity', 'Capacity'],
        ['findings', 'Findings'],
        ['phases', 'Phases'],
        ['capacity-details', 'Stress steps'],
        ['endpoints', 'Endpoints'],
      ]
    : [
        ['phases', 'Phases'],
        ['findings', 'Findings'],
        ['endpoints', 'Endpoints'],
      ];
  if (cpuProfileOf(r)) items.push(['profile', 'CPU profile']);
  if (hasDatabase(r)) items.push(['database', 'Database']);
  if (Array.isArray(r.inspection) && r.inspection.length) items.push(['inspection', 'HTTP inspection']);
  items.push(['generator', 'Generator'], ['environment', 'Environment']);
  return html`<nav class="muted">${items.map(([id, label], i) => html`${i ? ' · ' : ''}<a href="#${id}">${label}</a>`)}</nav>`;
}

export function renderHtmlReport(record: AssessmentRecord): string {
  const r = record;
  // Above the fold: the verdict (header), then the capacity and its key charts — or, without a
  // stress phase, the phases with their charts — and only then the findings; details follow.
  const capacity = capacitySummary(r);
  const top = capacity ?? phasesSection(r);
  const doc = html`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${raw(REPORT_CSP)}">
<meta name="referrer" content="no-referrer">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<meta name="generator" content="speedguard">
<link rel="icon" href="data:,">
<title>speedguard assessment — ${r.targetName} — ${dateTime(r.startedAt)}</title>
<style>${raw(STYLE)}</style>
</head>
<body>
<main>
${headerSection(r)}
${nav(r, capacity !== null)}
${top}
${findingsSection(r.findings)}
${capacity ? phasesSection(r) : ''}
${capacity ? capacityDetails(r) : ''}
${endpointsSection(r)}
${flamegraphSection(cpuProfileOf(r), r.probes && typeof r.probes === 'object' ? (targetProbesOf(r)?.observer ?? null) : null)}
${databaseSection(r)}
${inspectionSection(r.inspection)}
${generatorSection(r.phases)}
${environmentSection(r)}
<footer>Generated by speedguard from record <code>${r.id}</code>. This file is self-contained and makes no network request.</footer>
</main>
<script type="application/json" id="speedguard-report-data">${raw(jsonForScript(reportData(r)))}</script>
</body>
</html>
`;
  return doc.value;
}
