// The DATABASE block of the terminal summary (speedguard db, assess --db, profile --db): one line of
// figures, the statements that take the most time, and the ready-to-run index statements. Texts come
// from the database: term() strips control characters (no ANSI escapes from a query text).
import { databaseFiguresOf, dbView, meanMsOf, shortGain, shortSql } from '../analysis/database-figures.ts';
import type { AssessmentRecord } from '../record/assessment-record.ts';
import { term } from './escape.ts';
import { type colours, fmtDuration, fmtPercent } from './format.ts';

const TOP = 3;

export function databaseTerminalLines(record: AssessmentRecord, c: ReturnType<typeof colours>): string[] {
  const v = record.probes && typeof record.probes === 'object' ? dbView(record) : null;
  if (!v) return [];
  const f = databaseFiguresOf(record)!;
  const parts = [
    `${term(v.database)} on PostgreSQL ${term(v.probes.server?.version ?? '?')}`,
    v.mode === 'load' ? `under load (${(v.probes.windows ?? []).length} window(s))` : 'since the last stats reset',
    v.probes.server?.pgStatStatements?.available === false
      ? 'no pg_stat_statements'
      : `${v.statements.length} statement(s), mean ${f.queryTimeAvgMs === null ? 'n/a' : fmtDuration(f.queryTimeAvgMs)}`,
  ];
  if (f.cacheHitRatio !== null) parts.push(`cache hit ${fmtPercent(f.cacheHitRatio)}`);
  if (f.connectionUse !== null) parts.push(`connections ${fmtPercent(f.connectionUse)} of max`);
  const out = [`  DATABASE  ${parts.join(' · ')}`];
  const top = [...v.statements].sort((a, b) => b.totalExecMs - a.totalExecMs).slice(0, TOP);
  for (const s of top) {
    out.push(
      `    ${fmtPercent(s.shareOfTotal).padStart(7)}  ${c.dim(`${s.calls} calls, mean ${fmtDuration(meanMsOf(s))}`)}  ` +
        `${term(shortSql(s.query, 90))}`,
    );
  }
  for (const s of v.probes.indexSuggestions ?? []) {
    out.push(
      `    ${c.green('index')}  ${term(s.createStatement.replace(/;?\s*$/, ';'))}  ` +
        `${c.dim(`${term(shortGain(s))} (${s.method === 'heuristic' ? "from the plan's shape" : s.method})`)}`,
    );
  }
  for (const w of (v.probes.warnings ?? []).slice(0, 3)) out.push(`    ${c.yellow('!')} ${term(w)}`);
  out.push('');
  return out;
}
