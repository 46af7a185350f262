// Failed requests by kind: transport failures by their `error` tag (reset, request_timeout …),
// unexpected statuses as "HTTP <status>". Requests the run itself cut off (`cut_at_stop`, when a
// phase stops with requests still in flight after its grace; `aborted` in older records) are not the
// target's failures and are counted apart: they show as latency (their time so far), not as errors.
import type { FindingType } from '../../record/findings.ts';
import type { RunRecord } from '../../record/run-record.ts';
import { pointsIn, type WindowSpec } from './window.ts';
import { percent } from '../../analysis/format.ts';

export interface Failures {
  /** Failed requests, those the run cut at its stop excluded. */
  total: number;
  /** Requests the run cut at its stop (`cut_at_stop`, or `aborted` in older records). */
  aborted: number;
  /** Kind → count, most frequent first. */
  byKind: Array<[kind: string, count: number]>;
}

function kindOf(tags: Record<string, string>): string {
  return tags.error ?? `HTTP ${tags.status ?? '?'}`;
}

/** Whole run from the totals, or a window of seconds from the per-second series. */
export function failuresOf(run: RunRecord, tags: Record<string, string> = {}, window?: WindowSpec): Failures {
  const counts = new Map<string, number>();
  const add = (t: Record<string, string>, n: number) => counts.set(kindOf(t), (counts.get(kindOf(t)) ?? 0) + n);
  if (window) {
    for (const p of pointsIn(run, 'http_req_errors', { ...window, tags })) add(p.tags, p.sum);
  } else {
    for (const t of run.totals) {
      if (t.metric !== 'http_req_errors' || t.sum === 0) continue;
      if (Object.entries(tags).some(([k, v]) => t.tags[k] !== v)) continue;
      add(t.tags, t.sum);
    }
  }
  const aborted = (counts.get('aborted') ?? 0) + (counts.get('cut_at_stop') ?? 0);
  counts.delete('aborted');
  counts.delete('cut_at_stop');
  const byKind = [...counts].sort((a, b) => b[1] - a[1]);
  return { total: byKind.reduce((s, [, n]) => s + n, 0), aborted, byKind };
}

export function summariseKinds(f: Failures, requests: number, limit = 4): string {
  return f.byKind
    .slice(0, limit)
    .map(([k, n]) => `${k} ${n}${requests ? ` (${percent(n / requests)})` : ''}`)
    .join(', ');
}

interface KindInfo {
  type: FindingType;
  cause: string;
  fix: string;
}

const CONNECT: KindInfo = {
  type: 'infrastructure',
  cause:
    'new connections were refused or not accepted in time: a full listen backlog / accept queue, a connection limit (max ' +
    "connections, ulimit -n, a proxy's limit) or a process that restarted under load",
  fix:
    "raise the listen backlog (net.core.somaxconn and the server's backlog), the file-descriptor and connection limits, and put a " +
    'queue or load shedding (fast 503) in front instead of refusing connections',
};

/** What a failure kind usually means, for root causes and recommendations. */
export const KIND_INFO: Record<string, KindInfo> = {
  connect_refused: CONNECT,
  connect_timeout: CONNECT,
  reset: {
    type: 'network',
    cause:
      'the server (or a proxy) reset connections with requests in flight: a crash or restart of a worker, a proxy/load-balancer ' +
      'timeout, or the kernel dropping connections when the accept queue overflows',
    fix:
      'find who resets (server logs, proxy logs, `ss -s`/netstat counters for listen overflows); align proxy and server timeouts; ' +
      'size the accept queue',
  },
  closed_early: {
    type: 'network',
    cause:
      "the server closed connections before a complete response: a keep-alive timeout shorter than the client's idle time racing " +
      'with new requests, a per-connection request limit, or a worker exiting mid-response',
    fix:
      'keep the server\'s keep-alive timeout above any proxy/client idle timeout, announce closes with "Connection: close", and ' +
      'check worker crashes',
  },
  request_timeout: {
    type: 'application',
    cause:
      'responses did not complete within the request timeout: requests queue behind a saturated resource (CPU, a connection pool, a ' +
      'lock, a slow downstream)',
    fix:
      "find the saturated resource (profile under load), bound queues with timeouts shorter than the client's, and shed load early " +
      'rather than timing out late',
  },
  malformed: {
    type: 'application',
    cause: 'responses that are not valid HTTP/1.1 (a bug in the server or a proxy under load)',
    fix: 'capture a failing exchange and fix the component that writes it',
  },
  body_too_large: {
    type: 'application',
    cause: 'response bodies larger than the client accepts',
    fix: 'paginate or stream large responses',
  },
  tls: {
    type: 'infrastructure',
    cause: 'TLS handshakes failed under load (session or handshake limits, certificate problems)',
    fix: "check the TLS terminator's limits and enable session resumption",
  },
  dns: {
    type: 'infrastructure',
    cause: 'name resolution failed under load',
    fix: 'cache DNS lookups on the client side and check the resolver',
  },
  other: { type: 'application', cause: 'requests failed for an unclassified reason', fix: 'inspect the error messages in the run record' },
};

export function kindInfo(kind: string): KindInfo {
  const known = KIND_INFO[kind];
  if (known) return known;
  const status = Number(kind.replace(/^HTTP /, ''));
  if (status === 429 || status === 503) {
    return {
      type: 'infrastructure',
      cause:
        `the service (or a proxy in front of it) rejected requests with ${status}: rate limiting or overload protection engaged at ` +
        `this load`,
      fix: 'raise the limit if the load is legitimate, or add capacity; check the limit is per client, not global',
    };
  }
  if (status === 502 || status === 504) {
    return {
      type: 'infrastructure',
      cause: `a proxy or gateway answered ${status}: the upstream was unreachable or too slow for the proxy's timeout`,
      fix: "check the upstream's health and the proxy's upstream timeouts and connection limits",
    };
  }
  if (status >= 500) {
    return {
      type: 'application',
      cause:
        `the application answered ${status} under load: an unhandled error, typically a timeout or exhausted pool in a dependency ` +
        `(database, downstream service) surfacing as a server error`,
      fix: 'read the server logs for the failing requests; look for pool exhaustion and dependency timeouts at this load',
    };
  }
  if (status >= 400) {
    return {
      type: 'application',
      cause: `requests were answered ${status}: usually the test's data (ids, auth tokens) or a client-side contract, not load`,
      fix: 'check the requests the plan sends; if they are valid, check why the service rejects them under load',
    };
  }
  return KIND_INFO.other!;
}
