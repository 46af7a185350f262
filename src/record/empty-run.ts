// A run that measured nothing is not a success (issue 11 §1); a threshold that failed on data decides first:
// - a request plan (a flow with at least one request) that recorded no HTTP request at all — the
//   service never answered, or every request was cut before it ended;
// - a script that sent no HTTP request (its calls were never reached, or not awaited: a port from k6
//   that half works must not pass silently, issue 13);
// - a run whose every iteration threw (iterations > 0 and each one ended by an exception).
import type { Step } from '../plan/types.ts';
import type { RunRecord } from './run-record.ts';

function total(record: RunRecord, metric: string): number {
  let n = 0;
  for (const t of record.totals) if (t.metric === metric) n += t.count;
  return n;
}

/** HTTP requests that ended on their own: those the stop cut (`cut_at_stop`) never completed. */
function completedRequests(record: RunRecord): number {
  let n = 0;
  for (const t of record.totals) if (t.metric === 'http_reqs' && t.tags.error !== 'cut_at_stop') n += t.count;
  return n;
}

function hasRequest(steps: Step[]): boolean {
  return steps.some((s) => s.kind === 'request' || (s.kind === 'group' && hasRequest(s.steps)));
}

/** Why the run counts as failed although it completed, or null when it measured something. */
export function emptyRunProblem(record: RunRecord): string | null {
  const requestPlan = Object.values(record.plan.scenarios).some((s) => s.flow !== null && hasRequest(s.flow));
  if (requestPlan && completedRequests(record) === 0) {
    return 'no HTTP request completed (0 http_reqs): the target never answered, or every request was cut at the stop';
  }
  if (record.plan.scriptPath && total(record, 'http_reqs') === 0 && total(record, 'iteration_errors') === 0) {
    return 'the script sent no HTTP request — check that its http calls are reached and awaited';
  }
  const iterations = total(record, 'iterations');
  // Unhandled rejections are counted as iteration errors but did not end an iteration.
  const errors = record.totals
    .filter((t) => t.metric === 'iteration_errors' && t.tags.error !== 'UnhandledRejection')
    .reduce((n, t) => n + t.count, 0);
  if (iterations > 0 && errors >= iterations) {
    return `every iteration threw an error (${errors} of ${iterations}): see the errors above`;
  }
  return null;
}

/**
 * Marks a completed run that measured nothing as failed, so history and exit code agree. A run with a
 * threshold that already failed on measured data (requests cut at the stop are data: failed, with
 * their time so far) is left to the gate, exit 99: nothing passed for want of data, and the failed
 * thresholds and the cut_at_stop count say what happened.
 */
export function failEmptyRun(record: RunRecord): RunRecord {
  if (record.status !== 'completed') return record;
  if (record.thresholds.some((t) => !t.ok && !t.noData)) return record;
  const problem = emptyRunProblem(record);
  if (problem === null) return record;
  return { ...record, status: 'failed', statusReason: problem };
}
