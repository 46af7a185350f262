// One k6 http call: params → headers/body/cookies/auth, sent through speedguard's recorded send
// (so every hop is an http_reqs sample with k6's tags), redirects followed as k6 does, the
// response turned into k6's Response.
import { prepareRequest } from '../../engine/http/encode.ts';
import { iterationStore, type IterationContext } from '../../engine/script/context.ts';
import { sendRecorded } from '../../engine/script/http.ts';
import { parseDuration } from '../../plan/duration.ts';
import { perVu, perVuIfAny, scriptOptions } from '../modules/runtime.ts';
import { stopIfAborted } from '../modules/execution.ts';
import { authFlow, type AuthFlow } from './auth.ts';
import { compressBody } from './compression.ts';
import { CookieJar } from './cookies.ts';
import { Response, setCookieLines, setFollowUp, type ResponseType } from './response.ts';

export interface FileData {
  data: string | ArrayBuffer | ArrayBufferView;
  filename?: string;
  content_type?: string;
}

export interface ExpectedStatuses {
  statuses: number[];
}

export interface Params {
  headers?: Record<string, string | number>;
  tags?: Record<string, string | number>;
  timeout?: string | number;
  redirects?: number;
  cookies?: Record<string, string | { value: string; replace?: boolean }>;
  jar?: CookieJar | null;
  responseType?: ResponseType;
  auth?: 'basic' | 'digest' | 'ntlm';
  responseCallback?: ExpectedStatuses | null;
  /** Compress the body: "gzip", "deflate", "br", "zstd" or a comma-separated list (k6). */
  compression?: string;
}

/** A URL made with the http.url tagged template: the name tag keeps the placeholders. */
export interface TaggedUrl {
  url: string;
  name: string;
}

export type Body = string | ArrayBuffer | ArrayBufferView | Record<string, unknown> | null | undefined;

const REDIRECTS = new Set([301, 302, 303, 307, 308]);
let globalCallback: ExpectedStatuses | null | undefined;

export function setResponseCallback(cb: ExpectedStatuses | null): void {
  globalCallback = cb;
}

/** A VU's jar and the iteration that last used it. */
interface HeldJar {
  jar: CookieJar;
  iteration: IterationContext;
}

/**
 * The VU's own jar (made on first use). k6 empties it at the start of each iteration unless the
 * script sets noCookiesReset: a new iteration (a new context) gets a new jar.
 */
export function vuJar(ctx: IterationContext): CookieJar {
  const held = perVu<HeldJar>(ctx.vu, 'jar', () => ({ jar: new CookieJar(), iteration: ctx }));
  if (held.iteration !== ctx) {
    if (scriptOptions().noCookiesReset !== true) held.jar = new CookieJar();
    held.iteration = ctx;
  }
  return held.jar;
}

/** The VU's jar if it has one (most VUs of a load test never get a cookie). */
function existingVuJar(ctx: IterationContext): CookieJar | null {
  return perVuIfAny<HeldJar>(ctx.vu, 'jar') ? vuJar(ctx) : null;
}

function isFile(v: unknown): v is FileData {
  return typeof v === 'object' && v !== null && 'data' in v && ('filename' in v || 'content_type' in v);
}

function toBuffer(v: string | ArrayBuffer | ArrayBufferView): Buffer {
  if (typeof v === 'string') return Buffer.from(v, 'utf8');
  if (v instanceof ArrayBuffer) return Buffer.from(v);
  return Buffer.from(v.buffer, v.byteOffset, v.byteLength);
}

/** k6's body rules: objects are form fields (multipart when one is a file), bytes and strings as is. */
function encodeBody(body: Body, headers: Record<string, string>): Buffer | string | null {
  if (body === null || body === undefined) return null;
  if (typeof body === 'string') return body;
  if (body instanceof ArrayBuffer || ArrayBuffer.isView(body)) return toBuffer(body);
  const has = (h: string) => Object.keys(headers).some((k) => k.toLowerCase() === h);
  const entries = Object.entries(body);
  if (entries.some(([, v]) => isFile(v))) {
    const boundary = `----speedguard${Math.random().toString(16).slice(2)}`;
    const parts: Buffer[] = [];
    for (const [k, v] of entries) {
      if (isFile(v)) {
        const head =
          `--${boundary}\r\nContent-Disposition: form-data; name="${k}"; filename="${v.filename ?? 'file'}"\r\nContent-Type: ` +
          `${v.content_type ?? 'application/octet-stream'}\r\n\r\n`;
        parts.push(Buffer.from(head), toBuffer(v.data), Buffer.from('\r\n'));
      } else parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${String(v)}\r\n`));
    }
    parts.push(Buffer.from(`--${boundary}--\r\n`));
    if (!has('content-type')) headers['Content-Type'] = `multipart/form-data; boundary=${boundary}`;
    return Buffer.concat(parts);
  }
  if (!has('content-type')) headers['Content-Type'] = 'application/x-www-form-urlencoded';
  return new URLSearchParams(entries.map(([k, v]) => [k, String(v)])).toString();
}

function timeoutMs(t: string | number | undefined, fallback: number): number {
  if (t === undefined) return fallback;
  if (typeof t === 'number') return t;
  return parseDuration(t);
}

function stringMap(m: Record<string, string | number> | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(m ?? {})) out[k] = String(v);
  return out;
}

/** The cookies a request sends: the jar's, then params.cookies (replace: true wins over the jar). */
function cookieHeader(url: string, jar: CookieJar | null, cookies: Params['cookies']): string {
  if ((!jar || jar.isEmpty) && cookies === undefined) return '';
  const fromJar = jar && !jar.isEmpty ? jar.cookiesForURL(url) : {};
  const pairs: string[] = [];
  const own = cookies ?? {};
  for (const [name, values] of Object.entries(fromJar)) {
    const p = own[name];
    if (p !== undefined && typeof p === 'object' && p.replace) continue;
    for (const v of values) pairs.push(`${name}=${v}`);
  }
  for (const [name, p] of Object.entries(own)) pairs.push(`${name}=${typeof p === 'object' ? p.value : p}`);
  return pairs.join('; ');
}

export function requestContext(what: string): IterationContext {
  const ctx = iterationStore.getStore();
  if (!ctx)
    throw new Error(
      `${what}: making HTTP requests in the init context is not supported (as in k6): make them in the default function, a scenario ` +
        `function or setup()`,
    );
  return ctx;
}

/** How http.batch sends one of its requests: over which of the VU's connections to the host. */
export interface BatchSlot {
  connection: number;
}

export async function k6Request(
  method: string,
  target: string | URL | TaggedUrl,
  body: Body,
  params: Params = {},
  slot?: BatchSlot,
): Promise<Response> {
  const ctx = requestContext(`http.${method.toLowerCase()}()`);
  await stopIfAborted((ms) => ctx.vu.sleep(ms));
  const sc = ctx.scenario;
  const opts = scriptOptions();
  const tagged = typeof target === 'object' && !(target instanceof URL) ? target : null;
  let url = new URL(tagged ? tagged.url : String(target));
  const tags = stringMap(params.tags);
  if (tagged && tags.name === undefined) tags.name = tagged.name;
  const headers = stringMap(params.headers);
  let auth: AuthFlow | null = null;
  if (url.username || url.password) {
    auth = authFlow(params.auth, decodeURIComponent(url.username), decodeURIComponent(url.password));
    if (auth.first) headers.Authorization = auth.first;
    url.username = '';
    url.password = '';
  }
  if (opts.userAgent !== undefined && !Object.keys(headers).some((h) => h.toLowerCase() === 'user-agent'))
    headers['User-Agent'] = String(opts.userAgent);
  if (opts.noConnectionReuse) headers.Connection = 'close';
  let payload = encodeBody(body, headers);
  if (params.compression) payload = compressBody(payload, params.compression, headers);
  // The VU's own jar is made when a cookie first arrives: most VUs of a load test never get one.
  const ownJar = params.jar === undefined;
  let jar = params.jar === null ? null : (params.jar ?? existingVuJar(ctx));
  const responseType: ResponseType = params.responseType ?? (sc.http.discardResponseBodies ? 'none' : 'text');
  const callback = params.responseCallback !== undefined ? params.responseCallback : globalCallback;
  const expected = callback === undefined ? undefined : callback === null ? [] : callback.statuses;
  const maxRedirects = params.redirects ?? (typeof opts.maxRedirects === 'number' ? opts.maxRedirects : 10);
  const timeout = timeoutMs(params.timeout, sc.http.timeoutMs);
  const userCookie = Object.keys(headers).find((h) => h.toLowerCase() === 'cookie');

  // k6 judges the first exchange of a digest/NTLM handshake apart (unless the script set no callback).
  let firstExpected = auth && expected?.length !== 0 ? auth.firstExpected(expected) : undefined;
  let round = 0;
  for (let hop = 0; ; hop++) {
    const sendHeaders = { ...headers };
    const cookie = cookieHeader(url.href, jar, params.cookies);
    if (cookie) sendHeaders[userCookie ?? 'Cookie'] = userCookie ? `${headers[userCookie]}; ${cookie}` : cookie;
    const req = prepareRequest(method, url, sendHeaders, payload);
    const res = await sendRecorded(ctx, req, {
      tags: Object.keys(tags).length ? tags : undefined,
      expectedStatuses: firstExpected ?? expected,
      keepBody: responseType !== 'none',
      timeoutMs: timeout,
      connection: slot?.connection,
      pace: hop === 0 && round === 0,
    });
    firstExpected = undefined;
    const answer = auth && !res.error && res.status === 401 ? auth.answer(res, round++, method, url, payload) : undefined;
    if (answer !== undefined) {
      headers.Authorization = answer;
      hop--;
      continue;
    }
    if (!res.error && res.headers['set-cookie'] !== undefined && (jar || ownJar)) {
      jar ??= vuJar(ctx);
      jar.store(url.href, setCookieLines(res));
    }
    const location = res.headers.location;
    if (!res.error && REDIRECTS.has(res.status) && location && hop < maxRedirects) {
      url = new URL(location, url);
      // As Go's client (and so k6): 301/302/303 turn a request into a GET without a body.
      if (res.status === 303 || ((res.status === 301 || res.status === 302) && method !== 'GET' && method !== 'HEAD')) {
        method = 'GET';
        payload = null;
        for (const h of Object.keys(headers)) if (/^content-(type|length)$/i.test(h)) delete headers[h];
      }
      continue;
    }
    // k6's `throw: true` option: a request that failed (no response) throws instead of returning.
    if (res.error && opts.throw === true) throw new Error(`request failed: ${method} ${url.href}: ${res.error.message || res.error.kind}`);
    const sent = payload;
    const at = url;
    return new Response(res, url, responseType, () => {
      const requestHeaders: Record<string, string[]> = {};
      for (const [k, v] of Object.entries(sendHeaders)) requestHeaders[k] = [v];
      return {
        method: req.method,
        url: at.href,
        headers: requestHeaders,
        body: sent === null ? '' : typeof sent === 'string' ? sent : sent.toString('latin1'),
        cookies: {},
      };
    });
  }
}

setFollowUp((method, url, body, params) => k6Request(method, url, body, params as Params | undefined));
