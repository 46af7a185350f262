// Connection handling: connections opened far beyond the VUs (no keep-alive, or the server closing
// them), connections reset or closed mid-response, and connections refused or timing out.
//
// Severity: medium at most. The user-visible cost of failed requests is errors-under-load's to rate;
// this audit names the connection-level cause. Failures seen only when the service is overloaded on
// purpose (stress, spike, recovery) are low: they describe how it fails, not a defect at its load.
import { selectMetric } from '../record/select.ts';
import type { AssessmentRecord, PhaseRecord } from '../record/assessment-record.ts';
import type { Evidence, Severity } from '../record/findings.ts';
import type { Audit, AuditContext, AuditFinding } from './types.ts';
import { failuresOf, kindInfo } from './support/failures.ts';
import { ms, pct, round } from '../analysis/format.ts';
import { EXPECTED_LOAD_PHASES, phasesRun, requestsOf } from './support/record.ts';

/** Fewer requests than this cannot show a connection pattern. */
export const MIN_REQUESTS = 100;
/** More than one new connection per two requests: keep-alive is not working at all. */
export const CHURN_NO_KEEPALIVE = 0.5;
/** One per ten requests: connections are recycled far more often than a keep-alive client needs. */
export const CHURN_NOTABLE = 0.1;
/** …and well beyond what the VUs need: each VU keeps one connection per origin when reused. */
export const CHURN_VUS_FACTOR = 2;
/** A handful of failures is needed for a medium: one reset in a run can be a restart of the test host. */
export const MIN_FAILURES_FOR_MEDIUM = 3;

const RESET_KINDS = ['reset', 'closed_early'];
const CONNECT_KINDS = ['connect_refused', 'connect_timeout'];

function churnFinding(record: AssessmentRecord): AuditFinding | null {
  let worst: { phase: PhaseRecord; perRequest: number; conns: number; vus: number; requests: number } | null = null;
  for (const phase of phasesRun(record)) {
    const requests = requestsOf(phase.run);
    const conns = phase.run.connectionsOpened;
    const vus = Math.max(1, selectMetric(phase.run, 'vus_max')?.max ?? 1);
    if (requests < MIN_REQUESTS) continue;
    const perRequest = conns / requests;
    if (perRequest <= CHURN_NOTABLE || conns <= CHURN_VUS_FACTOR * vus) continue;
    if (!worst || perRequest > worst.perRequest) worst = { phase, perRequest, conns, vus, requests };
  }
  if (!worst) return null;
  const closing = record.inspection.filter((i) => /\bclose\b/i.test(i.headers.connection ?? ''));
  const keepAlive = record.inspection.find((i) => i.headers['keep-alive'])?.headers['keep-alive'];
  const connecting = selectMetric(worst.phase.run, 'http_req_connecting');
  const evidence: Evidence[] = [
    { label: 'connections opened', value: worst.conns, unit: 'count', phase: worst.phase.name },
    { label: 'requests', value: worst.requests, unit: 'count', phase: worst.phase.name },
    { label: 'new connections per request', value: round(worst.perRequest, 3), phase: worst.phase.name },
    { label: 'VUs (max)', value: worst.vus, unit: 'count', phase: worst.phase.name },
  ];
  if (connecting && connecting.count)
    evidence.push({ label: 'TCP connect p95', value: round(connecting.percentile(95)), unit: 'ms', phase: worst.phase.name });
  if (closing.length)
    evidence.push({
      label: 'responses with "Connection: close"',
      value: closing
        .map((i) => i.name)
        .slice(0, 5)
        .join(', '),
    });
  if (keepAlive) evidence.push({ label: 'Keep-Alive header', value: keepAlive });
  const none = worst.perRequest >= CHURN_NO_KEEPALIVE;
  const severity: Severity = none ? 'medium' : 'low';
  return {
    audit: 'connection-churn',
    title: none
      ? `No keep-alive: ` +
        `${worst.perRequest >= 0.95 ? 'a new connection for every request' : `${round(worst.perRequest, 2)} new connections per request`}`
      : `Connections recycled often: one new connection every ${round(1 / worst.perRequest, 0)} requests`,
    type: 'network',
    severity,
    confidence: worst.requests >= 1000 ? 0.85 : 0.7,
    component: 'HTTP layer',
    description:
      `In the ${worst.phase.name} phase, ${worst.conns} connections were opened for ${worst.requests} requests by at most ` +
      `${worst.vus} VUs. ` +
      'A keep-alive client reuses one connection per VU, so the server (or a proxy) is closing them.',
    evidence,
    location: null,
    rootCause: closing.length
      ? 'The server answers with "Connection: close", so every response ends its connection.'
      : none
        ? 'The server closes the connection after each response (keep-alive disabled, HTTP/1.0 behaviour, or a proxy configured to close).'
        : 'The server closes idle or long-lived connections: a keep-alive timeout shorter than the gaps between requests, or a maximum ' +
          'number of requests per connection.',
    impact: {
      responseTimeIncrease:
        connecting && connecting.count
          ? `Each new connection costs a TCP handshake (p95 ${ms(connecting.percentile(95))} here; more with TLS and real network ` +
            `round trips).`
          : 'Each new connection costs a TCP (and TLS) handshake.',
      resourceWaste: `${pct(worst.perRequest)} of requests pay connection setup; sockets pile up in TIME_WAIT on the closing side.`,
    },
    recommendation: {
      approach:
        "Enable HTTP keep-alive on the server and any proxy; set its idle timeout above the clients' (e.g. Node: " +
        "server.keepAliveTimeout > the load balancer's idle timeout) and raise any per-connection request limit.",
      expectedImprovement:
        'New connections per request close to 0; the handshake disappears from most requests (a round trip or more each).',
      effort: 'low',
      testingRequired: 'Re-run the phase and check connections opened ≈ VUs and http_req_connecting ≈ 0 for most requests.',
      rollbackPlan: 'Restore the previous keep-alive settings.',
    },
  };
}

function failureFinding(record: AssessmentRecord, kinds: readonly string[], what: 'reset' | 'connect'): AuditFinding | null {
  const rows: Array<{ phase: PhaseRecord; kind: string; n: number; requests: number }> = [];
  for (const phase of phasesRun(record)) {
    const f = failuresOf(phase.run);
    const requests = requestsOf(phase.run);
    for (const [kind, n] of f.byKind) if (kinds.includes(kind)) rows.push({ phase, kind, n, requests });
  }
  if (rows.length === 0) return null;
  const atLoad = rows.filter((r) => EXPECTED_LOAD_PHASES.includes(r.phase.name));
  const atLoadCount = atLoad.reduce((s, r) => s + r.n, 0);
  const total = rows.reduce((s, r) => s + r.n, 0);
  const severity: Severity = atLoadCount >= MIN_FAILURES_FOR_MEDIUM ? 'medium' : 'low';
  const top = rows.reduce((a, b) => (b.n > a.n ? b : a));
  const info = kindInfo(top.kind);
  const phases = [...new Set(rows.map((r) => r.phase.name))];
  return {
    audit: 'connection-churn',
    title:
      what === 'reset'
        ? `${total} requests lost to connections reset or closed by the server (${phases.join(', ')})`
        : `${total} requests failed to connect (${phases.join(', ')})`,
    type: info.type,
    severity,
    confidence: total >= 10 ? 0.85 : 0.6,
    component: what === 'reset' ? 'HTTP layer' : 'service listener',
    description:
      rows.map((r) => `${r.phase.name}: ${r.kind} ${r.n} (${pct(r.n / Math.max(1, r.requests))} of ${r.requests} requests)`).join('; ') +
      '.' +
      (atLoadCount === 0 ? ' Only while the service was overloaded on purpose: this is how it fails past its capacity.' : ''),
    evidence: rows.map((r) => ({ label: `failed: ${r.kind}`, value: r.n, unit: 'count', phase: r.phase.name })),
    location: null,
    rootCause: `${info.cause[0]!.toUpperCase()}${info.cause.slice(1)}.`,
    impact: {
      userExperience:
        'Clients see connection errors instead of HTTP responses: no status, no Retry-After, and retries that add to the load.',
    },
    recommendation: {
      approach:
        `${info.fix[0]!.toUpperCase()}${info.fix.slice(1)}. Under overload, answer 503 with Retry-After rather than dropping ` +
        `connections.`,
      expectedImprovement:
        'No connection-level failures at the expected load; under overload, explicit 503s that clients can back off from.',
      effort: 'low',
      testingRequired: 'Re-run the phases above and check the error kinds: no reset/closed_early/connect errors at the expected load.',
      rollbackPlan: 'Restore the previous server/proxy limits and timeouts.',
    },
  };
}

export const connectionChurn: Audit = {
  id: 'connection-churn',
  effect: 'hygiene',
  title: 'Connection reuse and connection failures',
  run({ record }: AuditContext): AuditFinding[] {
    return [churnFinding(record), failureFinding(record, RESET_KINDS, 'reset'), failureFinding(record, CONNECT_KINDS, 'connect')].filter(
      (f): f is AuditFinding => f !== null,
    );
  },
};
