// The end of every command that makes an assessment record (assess, profile, db, demo): write the
// store the record, write the reports, print the findings (or the record as JSON), then the gate's exit code.
import type { GateSeverity } from '../record/findings.ts';
import type { AssessmentRecord } from '../record/assessment-record.ts';
import { gateExitCode } from '../assess/gate.ts';
import { saveToHistory } from '../history/save-to-history.ts';
import { renderTerminalFindings, writeAssessmentReports } from '../report/write-reports.ts';
import { historyOption } from './run.ts';
import { reportWriteFailure } from './output-paths.ts';
import { redactRecord } from '../record/redact.ts';
import { EXIT } from '../errors.ts';

export interface FinishOptions {
  outDir: string;
  json?: boolean | undefined;
  history?: string | boolean | undefined;
  failOn?: GateSeverity | undefined;
}

/** Reports, history, the printed findings, then the gate's exit code: the end of assess, profile, db and demo. */
export async function finish(measured: AssessmentRecord, o: FinishOptions): Promise<number> {
  const record = redactRecord(measured);
  // Stored first: reports that cannot be written (full disk) must not lose the assessment.
  const history = historyOption(o.history);
  saveToHistory(record, { history });
  let files: Awaited<ReturnType<typeof writeAssessmentReports>> = Object.assign([], { skipped: [], githubSummary: null });
  let writeError: unknown = null;
  try {
    files = await writeAssessmentReports(record, o.outDir);
  } catch (e) {
    writeError = e;
  }
  if (o.json) process.stdout.write(JSON.stringify(record) + '\n');
  else process.stdout.write(renderTerminalFindings(record, { colour: Boolean(process.stdout.isTTY) && !process.env.NO_COLOR }, files));
  if (writeError !== null) {
    reportWriteFailure(
      'the reports under --out-dir',
      (writeError as NodeJS.ErrnoException).path ?? o.outDir,
      writeError,
      history !== false,
    );
    return record.status === 'interrupted' ? EXIT.INTERRUPTED : EXIT.RUNTIME;
  }
  return gateExitCode(record, { failOn: o.failOn });
}
