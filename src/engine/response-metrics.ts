// Turns one HTTP exchange into metric samples. This is on the request hot path: the series a
// request feeds are looked up once per (request, status, error kind) and cached, because building
// tag keys per request would cost more than the request itself at high rates.
import type { Accumulator } from '../metrics/accumulator.ts';
import type { MetricRegistry } from '../metrics/registry.ts';
import type { Tags } from '../metrics/tags.ts';
import type { HttpResponse } from './http/types.ts';

interface Bundle {
  reqs: Accumulator;
  failed: Accumulator;
  duration: Accumulator;
  latency: Accumulator;
  blocked: Accumulator;
  connecting: Accumulator;
  tls: Accumulator;
  sending: Accumulator;
  waiting: Accumulator;
  receiving: Accumulator;
  sent: Accumulator;
  received: Accumulator;
  errors: Accumulator | null;
  expected: boolean;
}

/** Whether a status counts as expected (k6's expected_response): by default 200–399. */
export function isExpectedStatus(status: number, expected: readonly number[] | null): boolean {
  return expected ? expected.includes(status) : status >= 200 && status < 400;
}

/** Per-request-kind cache of series bundles, keyed by status and error kind. */
export class ResponseRecorder {
  private readonly registry: MetricRegistry;
  private readonly baseTags: Tags;
  private readonly expected: readonly number[] | null;
  private readonly bundles = new Map<number | string, Bundle>();

  /** baseTags: scenario, name, method, group and user tags — everything except status. */
  constructor(registry: MetricRegistry, baseTags: Tags, expected: readonly number[] | null) {
    this.registry = registry;
    this.baseTags = baseTags;
    this.expected = expected;
  }

  /** Returns whether the exchange counts as failed (transport error or unexpected status). */
  record(res: HttpResponse, intendedStart: number): boolean {
    const key = res.error ? res.error.kind : res.status;
    let b = this.bundles.get(key);
    if (!b) this.bundles.set(key, (b = this.makeBundle(res)));
    const t = res.timings;
    const failed = res.error !== null || !b.expected;
    b.reqs.add(1);
    b.failed.add(failed ? 1 : 0);
    b.duration.add(t.duration);
    b.latency.add(t.endedAt - intendedStart);
    b.blocked.add(t.blocked);
    b.connecting.add(t.connecting);
    b.tls.add(t.tlsHandshaking);
    b.sending.add(t.sending);
    b.waiting.add(t.waiting);
    b.receiving.add(t.receiving);
    if (res.bytesSent) b.sent.add(res.bytesSent);
    if (res.bytesReceived) b.received.add(res.bytesReceived);
    if (b.errors) b.errors.add(1);
    return failed;
  }

  private makeBundle(res: HttpResponse): Bundle {
    const expected = res.error === null && isExpectedStatus(res.status, this.expected);
    const tags: Record<string, string> = { ...this.baseTags, status: String(res.status), expected_response: String(expected) };
    if (res.error) tags.error = res.error.kind;
    const r = this.registry;
    const get = (m: string) => r.get(m, tags).acc;
    // Byte counters carry only the scenario-level tags: per-status byte series add nothing.
    const scenarioTags = { scenario: this.baseTags.scenario ?? 'default' };
    return {
      reqs: get('http_reqs'),
      failed: get('http_req_failed'),
      duration: get('http_req_duration'),
      latency: get('http_req_latency'),
      blocked: get('http_req_blocked'),
      connecting: get('http_req_connecting'),
      tls: get('http_req_tls_handshaking'),
      sending: get('http_req_sending'),
      waiting: get('http_req_waiting'),
      receiving: get('http_req_receiving'),
      sent: r.get('data_sent', scenarioTags).acc,
      received: r.get('data_received', scenarioTags).acc,
      errors: res.error || !expected ? get('http_req_errors') : null,
      expected,
    };
  }
}
