// The comparison as `speedguard compare` prints it: both runs, one row per metric (values, change,
// threshold, p-value, confidence interval, verdict), the reasons, and the verdict against --fail-on.
// It formats the Comparison (analysis/compare.ts decided it); every string from a record goes through term().
import type { Comparison, RegressionSeverity } from '../record/comparison.ts';
import { regressionsAtOrAbove } from '../analysis/compare.ts';
import { term } from './escape.ts';
import { colours } from './format.ts';
import { fmtChange, fmtInterval, fmtMetricValue, fmtPValue, fmtThreshold, fmtVerdict } from './optimization-md.ts';

export function renderComparisonTable(c: Comparison, colour: boolean, failOn: RegressionSeverity): string {
  const k = colours(colour);
  const conf = `${Math.round(c.settings.confidence * 100)}% CI`;
  const header = ['metric', 'baseline', 'current', 'change', 'threshold', 'p-value', conf, 'verdict'];
  const rows = c.metrics.map((m) => [
    m.label,
    fmtMetricValue(m, m.baseline),
    fmtMetricValue(m, m.current),
    fmtChange(m),
    fmtThreshold(m),
    fmtPValue(m),
    fmtInterval(m.ci),
    fmtVerdict(m),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) =>
    '  ' +
    cells
      .map((cell, i) => (i === 0 || i === cells.length - 1 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!)))
      .join('  ')
      .trimEnd();
  const out: string[] = [];
  const who = (r: Comparison['baseline']) => `${term(r.id)}${r.phase ? ` (${term(r.phase)} phase)` : ''} · ${term(r.target)}`;
  out.push(`  baseline ${who(c.baseline)}`, `  current  ${who(c.current)}`, '');
  out.push(k.bold(line(header)));
  c.metrics.forEach((m, i) => {
    const text = line(rows[i]!);
    out.push(
      m.verdict === 'regression'
        ? k.red(text)
        : m.verdict === 'improvement'
          ? k.green(text)
          : m.verdict === 'inconclusive'
            ? k.yellow(text)
            : text,
    );
  });
  out.push('');
  for (const m of c.metrics) if (m.verdict !== 'unchanged') out.push(`  ${term(m.label)}: ${term(m.reason)}`);
  for (const n of c.notes) out.push(k.dim(`  note: ${term(n)}`));
  const gate = regressionsAtOrAbove(c, failOn);
  const verdict =
    c.verdict === 'regressed'
      ? `REGRESSED: ${c.regressions} regression${c.regressions === 1 ? '' : 's'}, worst ` +
        `${c.worstSeverity}${gate.length ? ` (fails --fail-on ${failOn})` : ` (below --fail-on ${failOn})`}`
      : c.verdict === 'improved'
        ? `IMPROVED: ${c.improvements} significant improvement${c.improvements === 1 ? '' : 's'}, no regression`
        : 'UNCHANGED: no significant change past the thresholds';
  out.push(
    '',
    `  ${c.verdict === 'regressed' ? k.red(k.bold(verdict)) : c.verdict === 'improved' ? k.green(k.bold(verdict)) : k.bold(verdict)}`,
  );
  return out.join('\n') + '\n';
}
