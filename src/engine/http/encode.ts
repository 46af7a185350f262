// Builds a PreparedRequest: the URL is parsed and the whole request (head + body) encoded once,
// so the hot path only writes a ready Buffer.
import { InputError } from '../../errors.ts';

import type { PreparedRequest } from './types.ts';

/** Thrown for a request that cannot be sent as given (bad URL, method, header, body). */
export class InvalidRequestError extends InputError {
  override name = 'InvalidRequestError';
}

export type RequestBody = string | Uint8Array | null | undefined;

const DEFAULT_USER_AGENT = 'speedguard/0.1';
// RFC 9110 §5.6.2 token.
const TOKEN_RE = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
// Field values: no CR/LF/NUL (header injection), nothing outside latin1 (the head is sent as latin1).
const BAD_VALUE_RE = /[\r\n\0]|[^\u0000-\u00ff]/;
// Methods servers only know in upper case; 'get' is upper-cased so 'head' is really a HEAD.
const STANDARD_METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'TRACE', 'CONNECT']);
// Methods whose servers commonly answer 411 without a length even for an empty body.
const BODY_METHODS = new Set(['POST', 'PUT', 'PATCH']);

/**
 * Prepare a request once for many sends.
 * Header names are lower-cased; Host, Content-Length (with a body, or 0 for POST/PUT/PATCH),
 * `connection: keep-alive` and `user-agent: speedguard/0.1` are added unless given.
 */
export function prepareRequest(
  method: string,
  url: string | URL,
  headers: Record<string, string> | null | undefined = {},
  body: RequestBody = null,
): PreparedRequest {
  if (typeof method !== 'string' || !TOKEN_RE.test(method)) {
    throw new InvalidRequestError(`invalid HTTP method ${JSON.stringify(method)}: must be a token such as GET`);
  }
  const upper = method.toUpperCase();
  if (STANDARD_METHODS.has(upper)) method = upper;
  if (method === 'CONNECT') throw new InvalidRequestError('method CONNECT is not supported');

  let parsed: URL;
  try {
    parsed = typeof url === 'string' ? new URL(url) : new URL(url.href);
  } catch {
    throw new InvalidRequestError(`invalid URL ${JSON.stringify(String(url))}`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new InvalidRequestError(`unsupported URL scheme "${parsed.protocol}" in ${parsed.href}: only http: and https:`);
  }
  if (parsed.username !== '' || parsed.password !== '') {
    throw new InvalidRequestError(`credentials in URL ${parsed.origin} are not supported: send an authorization header`);
  }

  const out: Record<string, string> = {};
  for (const [rawName, rawValue] of Object.entries(headers ?? {})) {
    if (!TOKEN_RE.test(rawName)) throw new InvalidRequestError(`invalid header name ${JSON.stringify(rawName)}`);
    const value = String(rawValue).replace(/^[ \t]+|[ \t]+$/g, '');
    if (BAD_VALUE_RE.test(value)) {
      throw new InvalidRequestError(`invalid value for header "${rawName}": CR, LF, NUL or non-latin1 characters`);
    }
    const name = rawName.toLowerCase();
    if (Object.hasOwn(out, name)) throw new InvalidRequestError(`header "${rawName}" is given twice`);
    define(out, name, value);
  }
  if (Object.hasOwn(out, 'transfer-encoding')) {
    throw new InvalidRequestError('request header transfer-encoding is not supported: bodies are sent with content-length');
  }

  let bodyBuf: Buffer | null = null;
  if (body !== null && body !== undefined) {
    if (typeof body === 'string') bodyBuf = Buffer.from(body, 'utf8');
    else if (body instanceof Uint8Array)
      bodyBuf = Buffer.isBuffer(body) ? body : Buffer.from(body.buffer, body.byteOffset, body.byteLength);
    else throw new InvalidRequestError(`invalid request body: expected a string or bytes, got ${typeof body}`);
  }
  const isHead = method === 'HEAD';
  const bodyLength = bodyBuf?.length ?? 0;
  if (Object.hasOwn(out, 'content-length')) {
    if (out['content-length'] !== String(bodyLength)) {
      throw new InvalidRequestError(`header content-length is ${out['content-length']} but the body has ${bodyLength} bytes`);
    }
  } else if (bodyBuf !== null || BODY_METHODS.has(method)) {
    out['content-length'] = String(bodyLength);
  }
  if (!Object.hasOwn(out, 'host')) out.host = parsed.host;
  if (!Object.hasOwn(out, 'connection')) out.connection = 'keep-alive';
  if (!Object.hasOwn(out, 'user-agent')) out['user-agent'] = DEFAULT_USER_AGENT;

  // Host first (RFC 9112 §3.2 recommends it), then the rest in insertion order.
  let head = `${method} ${parsed.pathname}${parsed.search} HTTP/1.1\r\nhost: ${out.host}\r\n`;
  for (const name of Object.keys(out)) {
    if (name !== 'host') head += `${name}: ${out[name]}\r\n`;
  }
  head += '\r\n';
  const headLength = Buffer.byteLength(head, 'latin1');
  const encoded = Buffer.allocUnsafe(headLength + bodyLength);
  encoded.write(head, 0, 'latin1');
  if (bodyBuf !== null) bodyBuf.copy(encoded, headLength);

  return { method, url: parsed, headers: out, body: bodyBuf, encoded, isHead };
}

// A header named "__proto__" must become an own property, not the object's prototype.
function define(obj: Record<string, string>, name: string, value: string): void {
  if (name === '__proto__') Object.defineProperty(obj, name, { value, enumerable: true, writable: true, configurable: true });
  else obj[name] = value;
}
