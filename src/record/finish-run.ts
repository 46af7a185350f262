// What every caller of the engine does with the record a run resolves with, in one place: the CLI's
// `run` (native and k6 scripts) and the public API's run() return the same record for the same run.
// A run that measured nothing is failed (empty-run.ts), then secrets are redacted (redact.ts) before
// anything stores, prints or returns it.
import { failEmptyRun } from './empty-run.ts';
import { redactRecord } from './redact.ts';
import type { RunRecord } from './run-record.ts';

export function finishRunRecord(raw: RunRecord): RunRecord {
  return redactRecord(failEmptyRun(raw));
}
