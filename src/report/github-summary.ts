// The GitHub Actions job summary: when $GITHUB_STEP_SUMMARY names a file, a short Markdown verdict
// (status, key figures, findings table, phases) is appended to it. GitHub renders Markdown and some
// HTML there, so every string from the record goes through md().
import { appendFileSync } from 'node:fs';
import type { AssessmentRecord } from '../record/assessment-record.ts';
import type { Comparison, RegressionSeverity } from '../record/comparison.ts';
import type { RunRecord } from '../record/run-record.ts';
import { selectMetric } from '../record/select.ts';
import { md, mdTable } from './escape.ts';
import { fmtDuration, fmtPercent } from './format.ts';
import { asRanked, priorityLabel } from '../record/findings.ts';
import { evidenceLine, phaseFigures, referencePhase } from './phase-figures.ts';
import { capacityAtSlo } from '../analysis/capacity-figure.ts';
import { comparisonExitCode, runExitCode } from '../assess/gate.ts';
import { EXIT } from '../errors.ts';
import { signedPercent } from '../analysis/format.ts';

const rps = (v: number) => `${v.toFixed(v >= 100 ? 0 : 1)} req/s`;

export function renderGithubSummary(record: AssessmentRecord, files: string[] = []): string {
  const { status, score } = record.verdict;
  const icon = { optimal: '✅', acceptable: '✅', degraded: '⚠️', critical: '❌' }[status];
  const out: string[] = [
    `### ${icon} speedguard assess: ${status.toUpperCase()} (score ${score}/10)`,
    '',
    `Target: ${md(record.target)}`,
    '',
  ];
  if (record.status !== 'completed') out.push(`> **${md(record.status)}:** ${md(record.statusReason ?? '')}`, '');

  const ref = referencePhase(record);
  const figures: string[][] = [];
  if (ref) {
    const b = phaseFigures(ref);
    figures.push(
      [`p95 (${md(b.name)})`, b.p95Ms === null ? 'n/a' : fmtDuration(b.p95Ms)],
      [`Throughput (${md(b.name)})`, rps(b.rps)],
      [`Error rate (${md(b.name)})`, fmtPercent(b.errorRate)],
    );
  }
  const cap = capacityAtSlo(record);
  if (cap !== null) figures.push(['Capacity at the SLO', rps(cap)]);
  if (figures.length) out.push(mdTable(['Figure', 'Value'], figures), '');

  const findings = asRanked(record.findings);
  if (findings.length) {
    out.push(
      mdTable(
        ['ID', 'Priority', 'Finding', 'Component', 'Evidence'],
        findings.map((f) => [md(f.id), priorityLabel(f.severity), md(f.title), md(f.component), md(evidenceLine(f, 2))]),
      ),
      '',
    );
  } else out.push('No findings.', '');

  if (record.phases.length) out.push(`Phases: ${record.phases.map((p) => `${md(p.name)} ${md(p.verdict)}`).join(' · ')}`, '');
  if (files.length) out.push(`Reports: ${files.map((f) => md(f)).join(', ')}`, '');
  return out.join('\n') + '\n';
}

/** A load test: status, key figures and every threshold with its value. */
export function renderRunGithubSummary(run: RunRecord): string {
  const failed = run.thresholds.filter((t) => !t.ok);
  // ✅ exactly when the run's gate passes (the exit code is 0).
  const ok = runExitCode(run) === EXIT.OK;
  const out = [
    `### ${ok ? '✅' : '❌'} speedguard run: ${md(run.status.toUpperCase())}${failed.length ? `, ${failed.length} threshold(s) failed` : ''}`,
    '',
    `Target: ${md(run.plan.source)}`,
    '',
  ];
  const reqs = selectMetric(run, 'http_reqs')?.sum ?? 0;
  const failedReqs = selectMetric(run, 'http_req_failed');
  const duration = selectMetric(run, 'http_req_duration');
  const figures: string[][] = [
    ['Requests', `${reqs} (${rps(reqs / Math.max(run.durationMs / 1000, 1e-9))})`],
    ['Failed requests', failedReqs && failedReqs.count ? fmtPercent(failedReqs.sum / failedReqs.count) : 'n/a'],
  ];
  if (duration && duration.count) figures.push(['http_req_duration p95', fmtDuration(duration.percentile(95))]);
  out.push(mdTable(['Figure', 'Value'], figures), '');
  if (run.thresholds.length) {
    out.push(
      mdTable(
        ['Threshold', 'Expression', 'Actual', 'Result'],
        run.thresholds.map((t) => [
          md(t.selector),
          md(t.expression),
          t.actual === null ? 'no data' : String(Math.round(t.actual * 1000) / 1000),
          t.ok ? '✓' : '✗',
        ]),
      ),
      '',
    );
  }
  return out.join('\n') + '\n';
}

/**
 * A comparison with its baseline: the verdict and each metric that moved. ❌ exactly when the gate
 * fails (a regression at or above --fail-on: the job's exit code is 99), as the terminal says it.
 */
export function renderComparisonGithubSummary(c: Comparison, failOn: RegressionSeverity): string {
  const fails = comparisonExitCode(c, failOn) !== EXIT.OK;
  const gate = c.verdict === 'regressed' ? (fails ? `, fails --fail-on ${failOn}` : `, below --fail-on ${failOn}`) : '';
  const worst = c.worstSeverity ? ` (worst: ${c.worstSeverity}${gate})` : '';
  const out = [
    `### ${fails ? '❌' : '✅'} speedguard compare: ${c.verdict.toUpperCase()}${worst}`,
    '',
    `Baseline ${md(c.baseline.id)} → current ${md(c.current.id)}`,
    '',
  ];
  const pct = (v: number | null) => (v === null ? 'n/a' : signedPercent(v));
  out.push(
    mdTable(
      ['Metric', 'Baseline', 'Current', 'Change', 'Verdict'],
      c.metrics.map((m) => [
        md(m.label),
        String(m.baseline ?? 'n/a'),
        String(m.current ?? 'n/a'),
        pct(m.change),
        md(m.verdict + (m.severity ? ` (${m.severity})` : '')),
      ]),
    ),
    '',
  );
  return out.join('\n') + '\n';
}

/** Appends Markdown to $GITHUB_STEP_SUMMARY when it is set; returns the file written, or null. */
export function appendStepSummary(markdown: string, env: NodeJS.ProcessEnv = process.env): string | null {
  const path = env.GITHUB_STEP_SUMMARY;
  if (!path) return null;
  appendFileSync(path, markdown);
  return path;
}

/** Appends the assessment's summary when $GITHUB_STEP_SUMMARY is set; returns the file written, or null. */
export function appendGithubSummary(record: AssessmentRecord, files: string[] = [], env: NodeJS.ProcessEnv = process.env): string | null {
  return appendStepSummary(renderGithubSummary(record, files), env);
}
