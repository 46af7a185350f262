// The GitHub Actions job summary: when $GITHUB_STEP_SUMMARY names a file, a short Markdown verdict
// (status, key figures, findings table, phases) is appended to it. GitHub renders Markdown and some
// HTML there, so every string from the record goes through md().
import { appendFileSync } from 'node:fs';
import type { AssessmentRecord } from '../record/assessment-record.ts';
import { md, mdTable } from './escape.ts';
import { fmtDuration, fmtPercent } from './format.ts';
import { bySeverity, priorityLabel } from '../record/findings.ts';
import { evidenceLine, phaseFigures, referencePhase } from './phase-figures.ts';

const rps = (v: number) => `${v.toFixed(v >= 100 ? 0 : 1)} req/s`;

export function renderGithubSummary(record: AssessmentRecord, files: string[] = []): string {
  const { status, score } = record.verdict;
  const icon = { optimal: '✅', acceptable: '✅', degraded: '⚠️', critical: '❌' }[status];
  const out: string[] = [`### ${icon} speedguard assess: ${status.toUpperCase()} (score ${score}/10)`, '', `Target: ${md(record.target)}`, ''];
  if (record.status !== 'completed') out.push(`> **${md(record.status)}:** ${md(record.statusReason ?? '')}`, '');

  const ref = referencePhase(record);
  const figures: string[][] = [];
  if (ref) {
    const b = phaseFigures(ref);
    figures.push([`p95 (${md(b.name)})`, b.p95Ms === null ? 'n/a' : fmtDuration(b.p95Ms)], [`Throughput (${md(b.name)})`, rps(b.rps)], [`Error rate (${md(b.name)})`, fmtPercent(b.errorRate)]);
  }
  const cap = record.capacity?.sustainableRps ?? record.phases.find((p) => p.name === 'stress')?.stress?.maxSustainableRate ?? null;
  if (cap !== null) figures.push(['Capacity at the SLO', rps(cap)]);
  if (figures.length) out.push(mdTable(['Figure', 'Value'], figures), '');

  const findings = bySeverity(record.findings);
  if (findings.length) {
    out.push(mdTable(['ID', 'Priority', 'Finding', 'Component', 'Evidence'], findings.map((f) => [md(f.id), priorityLabel(f.severity), md(f.title), md(f.component), md(evidenceLine(f, 2))])), '');
  } else out.push('No findings.', '');

  if (record.phases.length) out.push(`Phases: ${record.phases.map((p) => `${md(p.name)} ${md(p.verdict)}`).join(' · ')}`, '');
  if (files.length) out.push(`Reports: ${files.map((f) => md(f)).join(', ')}`, '');
  return out.join('\n') + '\n';
}

/** Appends the summary when $GITHUB_STEP_SUMMARY is set; returns the file written, or null. */
export function appendGithubSummary(record: AssessmentRecord, files: string[] = [], env: NodeJS.ProcessEnv = process.env): string | null {
  const path = env.GITHUB_STEP_SUMMARY;
  if (!path) return null;
  appendFileSync(path, renderGithubSummary(record, files));
  return path;
}
