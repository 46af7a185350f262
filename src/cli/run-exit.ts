// How a run ends once its record is safe: exports that failed afterwards are said last, one line each,
// and the exit code is the run's gate (assess/gate.ts, docs/ASSESSMENT-RULES.md §5). Shared by native and k6 runs.
import { EXIT } from '../errors.ts';
import type { RunRecord } from '../record/run-record.ts';
import { runExitCode } from '../assess/gate.ts';
import { reportWriteFailure } from './output-paths.ts';

/** An export that failed after the load: which option, which path, what went wrong. */
export interface FailedExport {
  what: string;
  path: string;
  error: unknown;
}

/** Runs an export, keeping its failure for the end (the record is already safe by then). */
export async function exportTo(failed: FailedExport[], what: string, path: string, write: () => Promise<unknown> | unknown): Promise<void> {
  try {
    await write();
  } catch (error) {
    failed.push({ what, path, error });
  }
}

/** The exit code of a stored and printed run: failed exports are said last, one line each, and make it 1. */
export function finishRun(record: RunRecord, failedExports: FailedExport[], history: string | false | undefined): number {
  for (const f of failedExports) reportWriteFailure(f.what, f.path, f.error, history !== false);
  if (record.status === 'failed' && record.statusReason) process.stderr.write(`speedguard: run failed: ${record.statusReason}\n`);
  const code = runExitCode(record);
  return failedExports.length > 0 && code === EXIT.OK ? EXIT.RUNTIME : code;
}
