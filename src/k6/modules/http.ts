// The `k6/http` module. Its request functions return promises: the transform awaits them where the
// k6 script calls them, so the script reads as k6 code and runs as Node code.
import { runBatch, type BatchJob } from '../http/batch.ts';
import { CookieJar } from '../http/cookies.ts';
import {
  k6Request,
  requestContext,
  setResponseCallback,
  vuJar,
  type Body,
  type ExpectedStatuses,
  type FileData,
  type Params,
  type TaggedUrl,
} from '../http/request.ts';
import type { Response } from '../http/response.ts';
import './runtime.ts';

type Target = string | URL | TaggedUrl;
type BatchItem = string | [string, Target, Body?, Params?] | { method?: string; url: Target; body?: Body; params?: Params };

export const request = (method: string, url: Target, body?: Body, params?: Params) =>
  k6Request(String(method).toUpperCase(), url, body, params);
export const asyncRequest = request;
export const get = (url: Target, params?: Params) => k6Request('GET', url, null, params);
export const head = (url: Target, params?: Params) => k6Request('HEAD', url, null, params);
export const post = (url: Target, body?: Body, params?: Params) => k6Request('POST', url, body, params);
export const put = (url: Target, body?: Body, params?: Params) => k6Request('PUT', url, body, params);
export const patch = (url: Target, body?: Body, params?: Params) => k6Request('PATCH', url, body, params);
export const del = (url: Target, body?: Body, params?: Params) => k6Request('DELETE', url, body, params);
export const options = (url: Target, body?: Body, params?: Params) => k6Request('OPTIONS', url, body, params);

function job(item: BatchItem): BatchJob<Response> {
  const [method, target, body, params]: [string, Target, Body?, Params?] =
    typeof item === 'string'
      ? ['GET', item]
      : Array.isArray(item)
        ? [item[0], item[1], item[2], item[3]]
        : [item.method ?? 'GET', item.url, item.body, item.params];
  const href = typeof target === 'object' && !(target instanceof URL) ? target.url : String(target);
  let host = href;
  try {
    host = new URL(href).origin;
  } catch {
    /* the request itself reports the bad URL */
  }
  return { host, run: (connection) => k6Request(String(method).toUpperCase(), target, body, params, { connection }) };
}

/**
 * k6's http.batch: the requests in parallel, at most `batch` at once and `batchPerHost` per host
 * (k6/http/batch.ts); answers in the shape given (array or object).
 */
export async function batch(requests: BatchItem[] | Record<string, BatchItem>): Promise<Response[] | Record<string, Response>> {
  requestContext('http.batch()');
  if (Array.isArray(requests)) return runBatch(requests.map(job));
  const keys = Object.keys(requests);
  const answers = await runBatch(keys.map((k) => job(requests[k]!)));
  return Object.fromEntries(keys.map((k, i) => [k, answers[i]!]));
}

/** The VU's own cookie jar (the one requests use by default). */
export function cookieJar(): CookieJar {
  return vuJar(requestContext('http.cookieJar()'));
}

export function file(data: FileData['data'], filename?: string, contentType?: string): FileData {
  return { data, filename: filename ?? 'file', content_type: contentType ?? 'application/octet-stream' };
}

/** http.url`…${id}`: the request's name tag keeps `${}` in place of the values (one series). */
export function url(strings: TemplateStringsArray, ...values: unknown[]): TaggedUrl {
  let u = strings[0]!;
  let name = strings[0]!;
  values.forEach((v, i) => {
    u += String(v) + strings[i + 1]!;
    name += '${}' + strings[i + 1]!;
  });
  return { url: u, name };
}

/** Statuses (numbers or {min, max} ranges) counted as expected in http_req_failed. */
export function expectedStatuses(...list: Array<number | { min: number; max: number }>): ExpectedStatuses {
  const statuses: number[] = [];
  for (const s of list) {
    if (typeof s === 'number') statuses.push(s);
    else for (let v = s.min; v <= s.max; v++) statuses.push(v);
  }
  return { statuses };
}

export const TLS_1_0 = 'tls1.0';
export const TLS_1_1 = 'tls1.1';
export const TLS_1_2 = 'tls1.2';
export const TLS_1_3 = 'tls1.3';
export const OCSP_STATUS_GOOD = 'good';

export { CookieJar, setResponseCallback };

export default {
  request,
  asyncRequest,
  get,
  head,
  post,
  put,
  patch,
  del,
  options,
  batch,
  cookieJar,
  CookieJar,
  file,
  url,
  expectedStatuses,
  setResponseCallback,
  TLS_1_0,
  TLS_1_1,
  TLS_1_2,
  TLS_1_3,
  OCSP_STATUS_GOOD,
};
