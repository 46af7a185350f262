// The end-of-test summary table (k6's layout), rendered from a RunRecord only. Problems that make
// the figures suspect — interruption, dropped iterations, a saturated generator — come first.
import { BUILTIN_METRICS, HTTP_TIMING_TRENDS } from '../metrics/catalog.ts';
import type { RunRecord } from '../record/run-record.ts';
import { countBy, metricNames, selectMetric } from '../record/select.ts';
import { colours, fmtBytes, fmtDuration, fmtNumber, fmtPercent } from './format.ts';
import { percent } from '../analysis/format.ts';

export const TREND_STATS = ['avg', 'min', 'med', 'max', 'p(90)', 'p(95)', 'p(99)', 'p(99.9)'] as const;

export function renderSummary(record: RunRecord, opts: { colour: boolean }): string {
  const c = colours(opts.colour);
  const out: string[] = [];
  const seconds = Math.max(record.durationMs, 1) / 1000;

  if (record.status !== 'completed') {
    out.push(c.red(c.bold(`  ✗ RUN ${record.status.toUpperCase()}: ${record.statusReason ?? ''} — partial results below`)));
  }
  const dropped = selectMetric(record, 'dropped_iterations')?.sum ?? 0;
  if (dropped > 0) {
    const started = selectMetric(record, 'iterations')?.sum ?? 0;
    out.push(
      c.yellow(
        c.bold(
          `  ⚠ ${dropped} iterations were DROPPED (${fmtPercent(dropped / (dropped + started))} of scheduled): ` +
            `no free VU (maxVUs reached). The target was offered less load than planned; raise maxVUs.`,
        ),
      ),
    );
  }
  if (record.generator.limited) {
    out.push(
      c.yellow(c.bold('  ⚠ THE LOAD GENERATOR LIMITED THIS RUN — latency and throughput figures describe the generator, not the target:')),
    );
    for (const r of record.generator.reasons) out.push(c.yellow(`      - ${r}`));
    out.push(c.yellow('    Use more --workers, fewer VUs per worker, or a bigger machine.'));
  }
  const errors = countBy(record, 'http_req_errors', 'error');
  const statusErrors = countBy(record, 'http_req_errors', 'status');
  if (errors.size || statusErrors.size) {
    const kinds = [...errors].filter(([k]) => k).map(([k, n]) => `${k}: ${n}`);
    const statuses = [...statusErrors].filter(([s]) => s !== '0').map(([s, n]) => `HTTP ${s}: ${n}`);
    const all = [...kinds, ...statuses];
    if (all.length) out.push(c.red(`  ✗ failed requests by kind — ${all.join(', ')}`));
  }
  const cut = errors.get('cut_at_stop') ?? 0;
  const interrupted = selectMetric(record, 'interrupted_iterations')?.sum ?? 0;
  if (cut > 0 || interrupted > 0) {
    out.push(
      c.yellow(
        `  ⚠ the stop cut ${interrupted} iteration(s) short, with ${cut} request(s) still unanswered: those count as failed ` +
          `(cut_at_stop), with the time they had waited`,
      ),
    );
  }
  for (const line of scriptErrorLines(record)) out.push(c.red(line));
  if (record.tagOverflow.length) {
    out.push(
      c.yellow(
        `  ⚠ too many distinct values for tag(s) ${record.tagOverflow.join(', ')}: ` +
          `extra values were grouped as "__other__" (set a request name)`,
      ),
    );
  }
  if (out.length) out.push('');

  // Thresholds.
  if (record.thresholds.length) {
    out.push('  THRESHOLDS');
    for (const t of record.thresholds) {
      const mark = t.ok ? (t.noData ? c.yellow('⚠') : c.green('✓')) : c.red('✗');
      const actual = t.note ?? (t.actual === null ? 'no data' : fmtNumber(t.actual, 3));
      const breach = t.firstBreachSeconds !== null ? ` (first breach at ${t.firstBreachSeconds}s)` : '';
      out.push(
        `    ${mark} ${t.selector}: ${t.expression}  ` +
          `${t.note ? actual : `actual=${actual}`}${breach}${t.aborted ? ' [aborted the run]' : ''}`,
      );
    }
    out.push('');
  }

  const names = metricNames(record);
  const ordered = [
    'checks',
    'data_received',
    'data_sent',
    'dropped_iterations',
    'http_req_failed',
    'http_reqs',
    ...HTTP_TIMING_TRENDS,
    'iteration_duration',
    'iteration_schedule_delay',
    'iterations',
    'interrupted_iterations',
    'iteration_errors',
    'group_duration',
    'vus',
    'vus_max',
  ].filter((n) => names.includes(n));
  const rest = names.filter((n) => !ordered.includes(n) && n !== 'http_req_errors');
  const rows: Array<[string, string]> = [];
  for (const name of [...ordered, ...rest]) {
    const a = selectMetric(record, name);
    if (!a) continue;
    const contains = BUILTIN_METRICS.get(name)?.contains ?? record.totals.find((t) => t.metric === name)?.contains ?? 'default';
    let text: string;
    switch (a.type) {
      case 'trend': {
        const f = contains === 'time' ? fmtDuration : (v: number) => fmtNumber(v);
        text =
          `avg=${f(a.sum / Math.max(a.count, 1))} min=${f(a.count ? a.min : 0)} med=${f(a.percentile(50))} ` +
          `max=${f(a.count ? a.max : 0)} p(90)=${f(a.percentile(90))} p(95)=${f(a.percentile(95))} p(99)=${f(a.percentile(99))} ` +
          `p(99.9)=${f(a.percentile(99.9))}`;
        break;
      }
      case 'counter':
        text =
          contains === 'data'
            ? `${fmtBytes(a.sum)}  ${fmtBytes(a.sum / seconds)}/s`
            : `${fmtNumber(a.sum)}  ${fmtNumber(a.sum / seconds)}/s`;
        break;
      case 'rate':
        text = `${fmtPercent(a.count ? a.sum / a.count : 0)}  ✓ ${a.sum}  ✗ ${a.count - a.sum}`;
        break;
      case 'gauge':
        text = `${fmtNumber(a.sum)}  min=${fmtNumber(a.min)} max=${fmtNumber(a.max)}`;
        break;
    }
    rows.push([name, text]);
  }
  const width = Math.max(...rows.map(([n]) => n.length), 20) + 3;
  for (const [n, t] of rows) out.push(`    ${(n + ' ').padEnd(width, '.')}: ${t}`);
  out.push('');
  const g = record.generator;
  out.push(
    c.dim(
      `  generator: ${g.workers} worker(s), CPU p95 ${percent(g.cpuP95, 0)}, ` +
        `event-loop delay p99 ≤ ${g.loopDelayP99MaxMs.toFixed(1)} ms, schedule delay p99 ${fmtDuration(g.scheduleDelayP99Ms)}, ` +
        `connections opened ${record.connectionsOpened}`,
    ),
  );
  out.push(c.dim(`  run ${record.id} · ${record.status} · ${fmtDuration(record.durationMs)} · ${record.plan.source}`));
  return out.join('\n') + '\n';
}

// The user's own errors, first occurrence of each with their stack (file:line), most frequent first.
function scriptErrorLines(record: RunRecord): string[] {
  const errors = record.scriptErrors ?? [];
  if (errors.length === 0) return [];
  const safe = (t: string) => t.replace(/[\x00-\x08\x0b-\x1f\x7f-\x9f]/g, '?');
  const lines = ['  ✗ script errors (first occurrence of each):'];
  for (const e of errors) {
    const where = e.phase === 'iteration' ? '' : ` in ${e.phase === 'unhandled' ? 'an unhandled promise rejection' : `${e.phase}()`}`;
    lines.push(`    ${safe(e.name)}: ${safe(e.message.split('\n')[0] ?? '')}${where} — ${e.count}×`);
    for (const frame of e.stack.slice(0, 3)) lines.push(`        ${safe(frame)}`);
  }
  return lines;
}
