// `http` for scripts: k6's http module, asynchronous (Node has no blocking calls):
//   const res = await http.get('http://127.0.0.1:3000/api', { tags: { name: 'api' } });
import { prepareRequest } from '../http/encode.ts';
import type { HttpResponse } from '../http/types.ts';
import { ResponseRecorder } from '../response-metrics.ts';
import { normaliseUrlName } from '../../metrics/tags.ts';
import { jsonPath } from '../flow/checks-captures.ts';
import { currentIteration } from './context.ts';

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
export class Response {
  readonly status: number;
  /** Body as text (binary: a Buffer) or null when discarded. */
  readonly body: string | Buffer | null;
  readonly timings: { blocked: number; connecting: number; tls_handshaking: number; sending: number; waiting: number; receiving: number; duration: number };
  /** '' when the request succeeded at the transport level, otherwise the failure kind. */
  readonly error: string;
  readonly url: string;
  readonly #res: HttpResponse;
  constructor(url: string, res: HttpResponse, binary: boolean) {
    this.url = url;
    this.#res = res;
    this.status = res.status;
    this.body = res.body ? (binary ? res.body : res.body.toString('utf8')) : null;
    const t = res.timings;
    this.timings = { blocked: t.blocked, connecting: t.connecting, tls_handshaking: t.tlsHandshaking, sending: t.sending, waiting: t.waiting, receiving: t.receiving, duration: t.duration };
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

async function request(method: string, url: string, body: Body, params: RequestParams = {}): Promise<Response> {
  const ctx = currentIteration(`http.${method.toLowerCase()}()`);
  const sc = ctx.scenario;
  const ready = ctx.intendedStart ?? sc.now();
  ctx.intendedStart = null;
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
  const name = sc.guard.value('name', params.tags?.name ?? normaliseUrlName(req.url));
  const extra = params.tags ? JSON.stringify(params.tags) : '';
  const key = `${req.method} ${name} ${ctx.group} ${extra} ${params.expectedStatuses ?? ''}`;
  let recorder = sc.recorders.get(key);
  if (!recorder) {
    const tags = { ...sc.baseTags, ...(params.tags ?? {}), name, method: req.method, group: ctx.group };
    sc.recorders.set(key, (recorder = new ResponseRecorder(sc.registry, tags, params.expectedStatuses ?? null)));
  }
  const keepBody = params.responseType ? params.responseType !== 'none' : !sc.http.discardResponseBodies;
  const res = await ctx.vu.client.send(req, { keepBody, requestTimeoutMs: params.timeout ?? sc.http.timeoutMs });
  if (res.error?.kind !== 'aborted') recorder.record(res, ready);
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
