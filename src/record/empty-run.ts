// A run that measured nothing is not a success, whatever its thresholds say (issue 11 §1):
// - a request plan (a flow with at least one request) that recorded no HTTP request at all — the
//   service never answered, or every request was cut before it ended;
// - a run whose every iteration threw (iterations > 0 and each one ended by an exception).
// Scripts may legitimately make no HTTP request, so the first rule applies to request plans only.
import type { Step } from '../plan/types.ts';
import type { RunRecord } from './run-record.ts';

function total(record: RunRecord, metric: string): number {
  let n = 0;
  for (const t of record.totals) if (t.metric === metric) n += t.count;
  return n;
}

function hasRequest(steps: Step[]): boolean {
  return steps.some((s) => s.kind === 'request' || (s.kind === 'group' && hasRequest(s.steps)));
}

/** Why the run counts as failed although it completed, or null when it measured something. */
export function emptyRunProblem(record: RunRecord): string | null {
  const requestPlan = Object.values(record.plan.scenarios).some((s) => s.flow !== null && hasRequest(s.flow));
  if (requestPlan && total(record, 'http_reqs') === 0) {
    return 'no HTTP request completed (0 http_reqs): the target never answered, or every request was cut at the stop';
  }
  const iterations = total(record, 'iterations');
  const errors = total(record, 'iteration_errors');
  if (iterations > 0 && errors >= iterations) {
    return `every iteration threw an error (${errors} of ${iterations}): see the errors above`;
  }
  return null;
}

/** Marks a completed run that measured nothing as failed, so history and exit code agree. */
export function failEmptyRun(record: RunRecord): RunRecord {
  if (record.status !== 'completed') return record;
  const problem = emptyRunProblem(record);
  if (problem === null) return record;
  return { ...record, status: 'failed', statusReason: problem };
}
