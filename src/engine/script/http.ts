// `http` for scripts: k6's http module, asynchronous (Node has no blocking calls):
//   const res = await http.get('http://127.0.0.1:3000/api', { tags: { name: 'api' } });
import { prepareRequest } from '../http/encode.ts';
import type { HttpResponse, PreparedRequest } from '../http/types.ts';
import { ResponseRecorder } from '../response-metrics.ts';
import { normaliseUrlName } from '../../metrics/tags.ts';
import { jsonPath } from '../flow/checks-captures.ts';
import { currentIteration, type IterationContext } from './context.ts';

export interface RequestParams {
  headers?: Record<string, string>;
  /** Extra tags; `name` groups dynamic URLs into one series (k6's tags.name). */
  tags?: Record<string, string>;
  /** Request timeout in ms (default: the plan's http.timeout). */
  timeout?: number;
  /** 'text' keeps the body (default unless discardResponseBodies); 'none' discards it. */
  responseType?: 'text' | 'binary' | 'none';
  /** Statuses counted as expected (default 200–399). */
  expectedStatuses?: number[];
}

export type Body = string | Uint8Array | Record<string, unknown> | null | undefined;

/** What a script gets back: k6's Response shape, plus our error kind. */
/** A response's phases in ms, named as k6 names them (res.timings), for native and k6 scripts alike. */
export interface ResponseTimings {
  blocked: number;
  connecting: number;
  tls_handshaking: number;
  sending: number;
  waiting: number;
  receiving: number;
  duration: number;
}

export function responseTimings(res: HttpResponse): ResponseTimings {
  const t = res.timings;
  return {
    blocked: t.blocked,
    connecting: t.connecting,
    tls_handshaking: t.tlsHandshaking,
    sending: t.sending,
    waiting: t.waiting,
    receiving: t.receiving,
    duration: t.duration,
  };
}

export class Response {
  readonly status: number;
  /** Body as text (binary: a Buffer) or null when discarded. */
  readonly body: string | Buffer | null;
  readonly timings: ResponseTimings;
  /** '' when the request succeeded at the transport level, otherwise the failure kind. */
  readonly error: string;
  readonly url: string;
  readonly #res: HttpResponse;
  constructor(url: string, res: HttpResponse, binary: boolean) {
    this.url = url;
    this.#res = res;
    this.status = res.status;
    this.body = res.body ? (binary ? res.body : res.body.toString('utf8')) : null;
    this.timings = responseTimings(res);
    this.error = res.error ? res.error.kind : '';
  }
  /** Response headers, lower-cased names; decoded when first read (k6's res.headers). */
  get headers(): Record<string, string> {
    return this.#res.headers;
  }
  /** Parsed JSON body, or the value at a dotted path in it. */
  json(path?: string): unknown {
    if (this.body === null) throw new Error(`response from ${this.url} has no body (it was discarded: set responseType: 'text')`);
    const v: unknown = JSON.parse(this.body.toString());
    return path ? jsonPath(v, path) : v;
  }
}

// --http-debug (k6's flag): every exchange on stderr; "full" adds the bodies.
// Read on first use: the CLI sets it after this module may have been imported.
let httpDebug: string | null = null;
const debugMode = () => (httpDebug ??= process.env.SPEEDGUARD_HTTP_DEBUG ?? '');

function printExchange(req: PreparedRequest, res: HttpResponse, full: boolean): void {
  let out = `Request:\n${req.method} ${req.url.href} HTTP/1.1\n`;
  for (const [k, v] of Object.entries(req.headers)) out += `${k}: ${v}\n`;
  if (full && req.body) out += `\n${req.body.toString('utf8')}\n`;
  out += res.error
    ? `Response: (failed: ${res.error.kind} ${res.error.message})\n`
    : `Response:\nHTTP/${res.httpVersion} ${res.status} ${res.statusText}\n`;
  for (const [k, v] of Object.entries(res.headers)) out += `${k}: ${v}\n`;
  if (full && res.body) out += `\n${res.body.toString('utf8')}\n`;
  process.stderr.write(out + '\n');
}

export interface SendSpec {
  /** Extra tags; `name` groups dynamic URLs into one series. */
  tags?: Record<string, string> | undefined;
  expectedStatuses?: readonly number[] | null | undefined;
  keepBody: boolean;
  timeoutMs: number;
  /** Which of the VU's connections to the origin carries it (http.batch sends over several). */
  connection?: number | undefined;
  /** Wait for the run's rps slot first (default true); k6 waits once per call, not per redirect hop. */
  pace?: boolean;
}

/**
 * Sends one request for the running iteration and records it (k6's http_* metrics). The API
 * layers (this native one, the k6 one) build the request; this is the one place that sends.
 */
export async function sendRecorded(ctx: IterationContext, req: PreparedRequest, spec: SendSpec): Promise<HttpResponse> {
  const sc = ctx.scenario;
  if (sc.pacer && spec.pace !== false) await sc.pacer.take(ctx.vu);
  const ready = ctx.intendedStart ?? sc.now();
  ctx.intendedStart = null;
  const name = sc.guard.value('name', spec.tags?.name ?? normaliseUrlName(req.url));
  const extra = spec.tags ? JSON.stringify(spec.tags) : '';
  const vuTags = ctx.vu.vuTagCount > 0 ? JSON.stringify(ctx.vu.tags) : '';
  const key = `${req.method} ${name} ${ctx.group} ${extra} ${spec.expectedStatuses ?? ''} ${vuTags}`;
  let recorder = sc.recorders.get(key);
  if (!recorder) {
    const tags = { ...sc.baseTags, ...ctx.vu.tags, ...(spec.tags ?? {}), name, method: req.method, group: ctx.group };
    sc.recorders.set(key, (recorder = new ResponseRecorder(sc.registry, tags, spec.expectedStatuses ?? null)));
  }
  ctx.pending = (ctx.pending ?? 0) + 1;
  try {
    const res = await ctx.vu.client.send(req, {
      keepBody: spec.keepBody || debugMode() === 'full',
      requestTimeoutMs: spec.timeoutMs,
      connection: spec.connection,
    });
    // 'aborted': sent after the stop closed the client, it never started. A request cut at the stop
    // ('cut_at_stop') is recorded: failed, with its time so far.
    if (res.error?.kind !== 'aborted') recorder.record(res, ready);
    if (debugMode()) printExchange(req, res, debugMode() === 'full');
    return res;
  } finally {
    ctx.pending--;
  }
}

async function request(method: string, url: string, body: Body, params: RequestParams = {}): Promise<Response> {
  const ctx = currentIteration(`http.${method.toLowerCase()}()`);
  const sc = ctx.scenario;
  const headers = { ...(params.headers ?? {}) };
  let payload: string | Uint8Array | null = null;
  if (body !== null && body !== undefined) {
    if (typeof body === 'string' || body instanceof Uint8Array) payload = body;
    else {
      payload = JSON.stringify(body);
      if (!Object.keys(headers).some((h) => h.toLowerCase() === 'content-type')) headers['content-type'] = 'application/json';
    }
  }
  const req = prepareRequest(method, url, headers, payload);
  const keepBody = params.responseType ? params.responseType !== 'none' : !sc.http.discardResponseBodies;
  const res = await sendRecorded(ctx, req, {
    tags: params.tags,
    expectedStatuses: params.expectedStatuses,
    keepBody,
    timeoutMs: params.timeout ?? sc.http.timeoutMs,
  });
  return new Response(url, res, params.responseType === 'binary');
}

export const http = {
  request,
  get: (url: string, params?: RequestParams) => request('GET', url, null, params),
  head: (url: string, params?: RequestParams) => request('HEAD', url, null, params),
  del: (url: string, body?: Body, params?: RequestParams) => request('DELETE', url, body, params),
  options: (url: string, body?: Body, params?: RequestParams) => request('OPTIONS', url, body, params),
  post: (url: string, body?: Body, params?: RequestParams) => request('POST', url, body, params),
  put: (url: string, body?: Body, params?: RequestParams) => request('PUT', url, body, params),
  patch: (url: string, body?: Body, params?: RequestParams) => request('PATCH', url, body, params),
};
