// What `speedguard assess` prints when it is done: the verdict, the findings most severe first
// (P0…P3, title, one line of evidence, the recommendation), the phases' verdicts, the capacity and
// where the report files are. Strings from the record are stripped of control characters (a
// hostile error text must not drive the terminal).
import type { Finding } from '../record/findings.ts';
import type { AssessmentRecord } from '../record/assessment-record.ts';
import type { PerformanceStatus } from '../record/assessment-record.ts';
import { term } from './escape.ts';
import { databaseTerminalLines } from './terminal-database.ts';
import { colours } from './format.ts';
import { asRanked, GATE_SEVERITIES, priorityLabel } from '../record/findings.ts';
import { evidenceLine, lowerBoundReason } from './phase-figures.ts';
import { targetProbesOf } from '../record/target-probes.ts';
import { observerText } from '../analysis/observer-effect.ts';

export interface TerminalFindingsOptions {
  colour: boolean;
}

const r1 = (v: number) => (v >= 100 ? v.toFixed(0) : v.toFixed(1));

export function renderTerminalFindings(record: AssessmentRecord, opts: TerminalFindingsOptions, files: string[] = []): string {
  const c = colours(opts.colour);
  const out: string[] = [];
  const { status, score } = record.verdict;
  const findings = asRanked(record.findings);
  const actionable = findings.filter((f) => f.severity !== 'info');
  const statusColour: Record<PerformanceStatus, (s: string) => string> = {
    optimal: c.green,
    acceptable: c.green,
    degraded: c.yellow,
    critical: c.red,
  };
  const byPriority = GATE_SEVERITIES.map((s) => [priorityLabel(s), actionable.filter((f) => f.severity === s).length] as const)
    .filter(([, n]) => n > 0)
    .map(([p, n]) => `${n} ${p}`);

  if (record.status !== 'completed')
    out.push(c.red(c.bold(`  ✗ ASSESSMENT ${record.status.toUpperCase()}: ${term(record.statusReason ?? '')} — partial results`)));
  out.push(`  ${c.bold(statusColour[status](`ASSESSMENT: ${status.toUpperCase()}`))} (score ${score}/10) — ${term(record.target)}`);
  const nothingFound = record.phases.length ? 'no bottleneck found at the tested load' : 'no problem found';
  out.push(`  ${actionable.length ? `${actionable.length} finding(s): ${byPriority.join(', ')}` : nothingFound}`);
  out.push('');

  // What the profilers cost, before the findings measured under them (issue 12: the observer effect).
  const observer = record.probes && typeof record.probes === 'object' ? targetProbesOf(record)?.observer : null;
  if (observer && typeof observer === 'object') out.push(`  ${c.dim(`observer effect: ${term(observerText(observer))}`)}`, '');

  for (const f of findings) out.push(...findingLines(f, c));
  if (findings.length) out.push('');

  if (record.phases.length) {
    const mark = (v: string) =>
      v === 'passed' ? c.green('✓') : v === 'failed' ? c.red('✗') : v === 'degraded' ? c.yellow('!') : c.dim('-');
    out.push('  PHASES');
    for (const p of record.phases)
      out.push(`    ${mark(p.verdict)} ${p.name.padEnd(10)} ${p.verdict.padEnd(9)} ${c.dim(term(p.verdictReason))}`);
    out.push('');
  }

  out.push(...databaseTerminalLines(record, c));

  const cap = record.capacity;
  const stress = record.phases.find((p) => p.name === 'stress' && p.stress)?.stress;
  if (cap) {
    const parts = [
      cap.sustainableRps === null
        ? 'no rate met the SLO'
        : cap.lowerBound
          ? `≥ ${r1(cap.sustainableRps)} req/s at the SLO (${lowerBoundReason(cap.limitedBy)})`
          : `${r1(cap.sustainableRps)} req/s at the SLO`,
      `USL σ=${cap.sigma.toPrecision(2)} κ=${cap.kappa.toPrecision(2)} (fit ${cap.fitQuality}, r²=${cap.r2.toFixed(2)})`,
    ];
    if (cap.kneeRps !== null) parts.push(`knee ${r1(cap.kneeRps)} req/s`);
    if (cap.growth?.exceedsAt) parts.push(`load exceeds it on ${term(cap.growth.exceedsAt)} at ${cap.growth.percentPerQuarter} %/quarter`);
    if (cap.growth?.instancesNeeded != null && cap.growth.targetRps != null)
      parts.push(`${cap.growth.instancesNeeded} instance(s) for ${r1(cap.growth.targetRps)} req/s`);
    out.push(`  CAPACITY  ${parts.join(' · ')}`, '');
  } else if (stress?.maxSustainableRate != null) {
    out.push(`  CAPACITY  ${r1(stress.maxSustainableRate)} req/s met the SLO (too few stress steps for a model)`, '');
  }

  if (files.length) {
    out.push('  REPORTS');
    for (const f of files) out.push(`    ${term(f)}`);
    out.push('');
  }
  return out.join('\n') + '\n';
}

function findingLines(f: Finding, c: ReturnType<typeof colours>): string[] {
  const label = priorityLabel(f.severity);
  const paint = { critical: (s: string) => c.red(c.bold(s)), high: c.red, medium: c.yellow, low: c.dim, info: c.green }[f.severity];
  const lines = [
    `  ${paint(`[${label}]`.padEnd(6))} ${c.bold(term(f.id))} ` +
      `${term(f.title)}${f.confidence < 0.5 ? c.dim(` (confidence ${Math.round(f.confidence * 100)} %)`) : ''}`,
  ];
  const ev = evidenceLine(f);
  if (ev) lines.push(`         ${c.dim(term(ev))}`);
  if (f.severity !== 'info') lines.push(`         → ${term(f.recommendation.approach)}`);
  return lines;
}
