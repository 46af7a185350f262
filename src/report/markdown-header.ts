// The table that opens every Markdown report of a record: what was tested, when, for how long, against which
// SLO. Each report adds its own rows after these (the analysis adds the expected load).
import type { AssessmentRecord } from '../record/assessment-record.ts';
import { md, mdTable } from './escape.ts';
import { fmtDuration } from './format.ts';

export function recordHeaderTable(record: AssessmentRecord, sloText: string, extraRows: readonly [string, string][] = []): string {
  return mdTable(
    ['', ''],
    [
      ['Target', md(record.target)],
      ['Assessment', md(record.id)],
      ['Started', md(record.startedAt)],
      ['Duration', fmtDuration(record.durationMs)],
      ['SLO', sloText],
      ...extraRows,
    ],
  );
}
