// A run that measured nothing is not a success (issue 11 §1); a threshold that failed on data decides first:
// - a request plan (a flow with at least one request) in which no HTTP request got a response — the
//   service never answered, refused or reset every connection, or every request was cut at the stop
//   (a refused connection is an http_req of kind connect_refused, not a measurement of the service);
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

/** HTTP requests that got a response (any status, even one the connection's reset followed: a 431 to a huge
 *  header); the others have status 0 and carry the kind of their failure as `error`. */
function answeredRequests(record: RunRecord): { answered: number; failed: Map<string, number> } {
  let answered = 0;
  const failed = new Map<string, number>();
  for (const t of record.totals) {
    if (t.metric !== 'http_reqs') continue;
    if (t.tags.error === undefined || (t.tags.status ?? '0') !== '0') answered += t.count;
    else failed.set(t.tags.error, (failed.get(t.tags.error) ?? 0) + t.count);
  }
  return { answered, failed };
}

function hasRequest(steps: Step[]): boolean {
  return steps.some((s) => s.kind === 'request' || (s.kind === 'group' && hasRequest(s.steps)));
}

/** Why the run counts as failed although it completed, or null when it measured something. */
export function emptyRunProblem(record: RunRecord): string | null {
  const requestPlan = Object.values(record.plan.scenarios).some((s) => s.flow !== null && hasRequest(s.flow));
  const requests = requestPlan ? answeredRequests(record) : null;
  if (requests && requests.answered === 0) {
    const sent = [...requests.failed.values()].reduce((a, b) => a + b, 0);
    const kinds = [...requests.failed].map(([kind, n]) => `${kind}: ${n}`).join(', ');
    return (
      `no HTTP request completed (0 of ${sent} http_reqs got a response${kinds ? `; ${kinds}` : ''}): ` +
      'the target never answered, refused or reset every connection, or every request was cut at the stop'
    );
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
