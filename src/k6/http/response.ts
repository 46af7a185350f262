// k6's Response object, built from speedguard's HttpResponse (after redirects: the last hop).
import { createRequire } from 'node:module';
import type { FailureKind, HttpResponse } from '../../engine/http/types.ts';
import { responseTimings, type ResponseTimings } from '../../engine/script/http.ts';
import { responseCookies, type K6Cookie } from './cookies.ts';
import { gjsonGet } from './gjson.ts';

export type ResponseType = 'text' | 'binary' | 'none';

const NOT_PARSED = Symbol('not parsed');

// k6's error codes (k6 docs, javascript-api/error-codes): 1050 timeout, 12xx TCP, 13xx TLS, 11xx DNS.
const ERROR_CODES: Record<FailureKind, number> = {
  request_timeout: 1050,
  connect_timeout: 1211,
  connect_refused: 1212,
  reset: 1220,
  closed_early: 1000,
  malformed: 1000,
  body_too_large: 1000,
  tls: 1300,
  dns: 1100,
  aborted: 1000,
  cut_at_stop: 1000,
  other: 1000,
};

const canonical = new Map<string, string>();

/** Go's canonical header form, as k6 scripts read them: content-type → Content-Type. */
export function canonicalHeader(name: string): string {
  let c = canonical.get(name);
  if (c === undefined) {
    c = name.replace(/(^|-)([a-z])/g, (_, dash: string, ch: string) => dash + ch.toUpperCase());
    // Header names repeat: remember them (bounded, in case a target invents names).
    if (canonical.size < 1000) canonical.set(name, c);
  }
  return c;
}

export interface RequestInfo {
  method: string;
  url: string;
  headers: Record<string, string[]>;
  body: string;
  cookies: Record<string, Array<{ name: string; value: string; replace: boolean }>>;
}

export class Response {
  status: number;
  status_text: string;
  proto: string;
  url: string;
  body: string | ArrayBuffer | null;
  private readonly rawHeaders: Record<string, string>;
  private canonicalHeaders: Record<string, string> | null = null;
  timings: ResponseTimings;
  error: string;
  error_code: number;
  remote_ip: string;
  remote_port: number;
  /** k6's names: "tls1.2", "tls1.3" (http.TLS_1_2 …); empty over plain HTTP. */
  tls_version: string;
  /** The IANA name (k6's): "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"; empty over plain HTTP. */
  tls_cipher_suite: string;
  private readonly setCookie: string[];
  private parsedCookies: Record<string, K6Cookie[]> | null = null;
  private readonly describeRequest: () => RequestInfo;
  private requestInfo: RequestInfo | null = null;
  private parsedJson: unknown = NOT_PARSED;

  /** What was sent (last hop); built on first read. */
  get request(): RequestInfo {
    return (this.requestInfo ??= this.describeRequest());
  }

  /** Header names as Go writes them (Content-Type), built on first read. */
  get headers(): Record<string, string> {
    if (this.canonicalHeaders === null) {
      const out: Record<string, string> = {};
      for (const [k, v] of Object.entries(this.rawHeaders)) out[canonicalHeader(k)] = k === 'set-cookie' ? v.split('\n').join(', ') : v;
      this.canonicalHeaders = out;
    }
    return this.canonicalHeaders;
  }

  /** Parsed on first read: most scripts never look. */
  get cookies(): Record<string, K6Cookie[]> {
    return (this.parsedCookies ??= responseCookies(this.setCookie));
  }

  constructor(res: HttpResponse, url: URL, responseType: ResponseType, request: () => RequestInfo) {
    this.status = res.status;
    this.status_text = res.status ? `${res.status} ${res.statusText}` : '';
    this.proto = res.status ? `HTTP/${res.httpVersion || '1.1'}` : '';
    this.url = url.href;
    this.body =
      res.body === null || responseType === 'none'
        ? null
        : responseType === 'binary'
          ? (res.body.buffer.slice(res.body.byteOffset, res.body.byteOffset + res.body.byteLength) as ArrayBuffer)
          : res.body.toString('utf8');
    this.rawHeaders = res.headers;
    this.setCookie = setCookieLines(res);
    this.tls_version = res.tls ? res.tls.protocol.replace(/^TLSv(\d)$/, 'TLSv$1.0').replace('TLSv', 'tls') : '';
    this.tls_cipher_suite = res.tls?.cipher ?? '';
    this.timings = responseTimings(res);
    this.error = res.error ? res.error.message || res.error.kind : '';
    this.error_code = res.error ? ERROR_CODES[res.error.kind] : res.status >= 400 ? 1000 + res.status : 0;
    this.remote_ip = url.hostname.replace(/^\[|\]$/g, '');
    this.remote_port = Number(url.port) || (url.protocol === 'https:' ? 443 : 80);
    this.describeRequest = request;
  }

  /** k6's clickLink: GET the href of the first element matching `selector` (default a[href]). */
  clickLink(args: { selector?: string; params?: unknown } = {}): Promise<Response> {
    const el = (this.html(args.selector ?? 'a[href]') as { first(): { attr(n: string): string | undefined } }).first();
    const href = el.attr('href');
    if (href === undefined)
      throw new Error(`clickLink: no element with an href matches ${JSON.stringify(args.selector ?? 'a[href]')} in ${this.url}`);
    return followUp('GET', new URL(href, this.url).href, null, args.params);
  }

  /** k6's submitForm: the form's fields (overridden by `fields`) sent to its action with its method. */
  submitForm(
    args: { formSelector?: string; fields?: Record<string, string>; submitSelector?: string; params?: unknown } = {},
  ): Promise<Response> {
    type Sel = {
      length: number;
      attr(n: string): string | undefined;
      val(): unknown;
      find(s: string): Sel;
      each(f: (i: number, el: unknown) => void): void;
      first(): Sel;
    };
    const form = (this.html(args.formSelector ?? 'form') as Sel).first();
    if (form.length === 0) throw new Error(`submitForm: no form matches ${JSON.stringify(args.formSelector ?? 'form')} in ${this.url}`);
    const fields: Record<string, string> = {};
    const doc = parseHtml('');
    form.find('input[name], select[name], textarea[name]').each((_i, el) => {
      const field = (doc as unknown as (e: unknown) => Sel)(el);
      const type = (field.attr('type') ?? '').toLowerCase();
      if ((type === 'checkbox' || type === 'radio') && field.attr('checked') === undefined) return;
      if (type === 'submit') return;
      fields[field.attr('name')!] = String(field.val() ?? '');
    });
    if (args.submitSelector) {
      const submit = form.find(args.submitSelector).first();
      if (submit.attr('name')) fields[submit.attr('name')!] = String(submit.val() ?? '');
    }
    Object.assign(fields, args.fields);
    const method = (form.attr('method') ?? 'GET').toUpperCase();
    const action = new URL(form.attr('action') ?? '', this.url);
    if (method === 'GET') {
      for (const [k, v] of Object.entries(fields)) action.searchParams.set(k, v);
      return followUp('GET', action.href, null, args.params);
    }
    return followUp(method, action.href, fields, args.params);
  }

  /** JSON.stringify(res) shows what k6 shows, the fields built on first read included. */
  toJSON(): Record<string, unknown> {
    const { status, status_text, proto, url, body, timings, error, error_code, remote_ip, remote_port, tls_version, tls_cipher_suite } =
      this;
    return {
      status,
      status_text,
      proto,
      url,
      body,
      headers: this.headers,
      cookies: this.cookies,
      timings,
      error,
      error_code,
      remote_ip,
      remote_port,
      tls_version,
      tls_cipher_suite,
      request: this.request,
    };
  }

  /** The parsed JSON body, or the value at a gjson path (see gjson.ts for the supported subset). */
  json(selector?: string): unknown {
    if (this.body === null) throw new Error(`the response from ${this.url} has no body (discardResponseBodies, or responseType: "none")`);
    // Parsed once: scripts often read several fields, each with its own json(selector) call.
    if (this.parsedJson === NOT_PARSED)
      this.parsedJson = JSON.parse(typeof this.body === 'string' ? this.body : Buffer.from(this.body).toString('utf8'));
    return selector === undefined ? this.parsedJson : gjsonGet(this.parsedJson, selector);
  }

  /** The body as an HTML document selection (cheerio: the jQuery-like API k6's Selection has). */
  html(selector?: string): unknown {
    if (this.body === null) throw new Error(`the response from ${this.url} has no body (discardResponseBodies, or responseType: "none")`);
    const doc = parseHtml(typeof this.body === 'string' ? this.body : Buffer.from(this.body).toString('utf8'));
    return selector === undefined ? doc.root() : doc.root().find(selector);
  }
}

// clickLink/submitForm send through k6/http's request, given here by request.ts (which imports this file).
let followUp: (method: string, url: string, body: Record<string, string> | null, params: unknown) => Promise<Response> = () => {
  throw new Error('k6/http is not loaded');
};
export function setFollowUp(f: typeof followUp): void {
  followUp = f;
}

type CheerioLoad = (html: string) => { root(): { find(s: string): unknown }; fn: Record<string, unknown> };
let load: CheerioLoad | null = null;

/** cheerio is loaded on the first html() call (html() is synchronous, so through require). */
function parseHtml(text: string): ReturnType<CheerioLoad> {
  load ??= (createRequire(import.meta.url)('cheerio') as { load: CheerioLoad }).load;
  const doc = load(text);
  // k6's Selection has size(); cheerio's has length.
  doc.fn.size ??= function size(this: { length: number }) {
    return this.length;
  };
  return doc;
}

export function setCookieLines(res: HttpResponse): string[] {
  const v = res.headers['set-cookie'];
  return v ? v.split('\n') : [];
}
