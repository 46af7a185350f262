// The end of every command that makes an assessment record (assess, profile, db, demo): write the
// reports, store the record, print the findings (or the record as JSON), then the gate's exit code.
import type { GateSeverity } from '../record/findings.ts';
import type { AssessmentRecord } from '../record/assessment-record.ts';
import { gateExitCode } from '../assess/gate.ts';
import { saveToHistory } from '../history/save-to-history.ts';
import { renderTerminalFindings, writeAssessmentReports } from '../report/write-reports.ts';
import { historyOption } from './run.ts';

export interface FinishOptions {
  outDir: string;
  json?: boolean | undefined;
  history?: string | boolean | undefined;
  failOn?: GateSeverity | undefined;
}

/** Reports, history, the printed findings, then the gate's exit code: the end of assess, profile, db and demo. */
export async function finish(record: AssessmentRecord, o: FinishOptions): Promise<number> {
  const files = await writeAssessmentReports(record, o.outDir);
  saveToHistory(record, { history: historyOption(o.history) });
  if (o.json) process.stdout.write(JSON.stringify(record) + '\n');
  else process.stdout.write(renderTerminalFindings(record, { colour: Boolean(process.stdout.isTTY) && !process.env.NO_COLOR }, files));
  return gateExitCode(record, { failOn: o.failOn });
}
