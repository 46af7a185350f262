// Response helpers shared by the handlers. sendJson does what a well-behaved API does: explicit
// Cache-Control, a validator (ETag) with 304 on If-None-Match, and gzip/br for bodies over 1 KB when
// the client accepts them. The one handler that skips all of this does so on purpose (README, #2).
import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { brotliCompressSync, constants as zlib, gzipSync } from 'node:zlib';

export class HttpError extends Error {
  readonly status: number;
  constructor(status: number, message: string) {
    super(message);
    this.name = 'HttpError';
    this.status = status;
  }
}

export interface SendOptions {
  /** The Cache-Control header value, e.g. "public, max-age=300" or "no-store". */
  cacheControl: string;
  /** Add an ETag and answer 304 to a matching If-None-Match (default true for 200 responses). */
  etag?: boolean;
}

/** Bodies smaller than this are sent as they are: compressing them saves nothing worth the CPU. */
export const COMPRESS_MIN_BYTES = 1024;

/** The encoding to use for a client's Accept-Encoding: gzip preferred, br next, else none. */
export function chooseEncoding(acceptEncoding: string | undefined): 'gzip' | 'br' | null {
  if (!acceptEncoding) return null;
  const accepted = new Set<string>();
  for (const part of acceptEncoding.split(',')) {
    const [token, ...params] = part.trim().toLowerCase().split(';');
    const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
    if (q !== undefined && Number(q.slice(2)) === 0) continue;
    if (token) accepted.add(token);
  }
  if (accepted.has('gzip') || accepted.has('*')) return 'gzip';
  if (accepted.has('br')) return 'br';
  return null;
}

export function sendJson(req: IncomingMessage, res: ServerResponse, status: number, body: unknown, options: SendOptions): void {
  const text = Buffer.from(JSON.stringify(body));
  const headers: Record<string, string | number> = {
    'content-type': 'application/json; charset=utf-8',
    'cache-control': options.cacheControl,
  };
  if (status === 200 && options.etag !== false) {
    const etag = `W/"${createHash('sha1').update(text).digest('base64url').slice(0, 22)}"`;
    headers.etag = etag;
    const ifNoneMatch = req.headers['if-none-match'];
    if (ifNoneMatch !== undefined && ifNoneMatch.split(',').some((t) => t.trim() === etag || t.trim() === '*')) {
      res.writeHead(304, headers);
      res.end();
      return;
    }
  }
  let payload: Buffer = text;
  if (text.length >= COMPRESS_MIN_BYTES) {
    headers.vary = 'Accept-Encoding';
    const encoding = chooseEncoding(req.headers['accept-encoding']);
    if (encoding === 'gzip') payload = gzipSync(text, { level: 6 });
    // Quality 4: brotli's default (11) costs far more CPU than it saves on dynamic responses.
    if (encoding === 'br') payload = brotliCompressSync(text, { params: { [zlib.BROTLI_PARAM_QUALITY]: 4 } });
    if (encoding !== null) headers['content-encoding'] = encoding;
  }
  headers['content-length'] = payload.length;
  res.writeHead(status, headers);
  res.end(req.method === 'HEAD' ? undefined : payload);
}

export function sendError(req: IncomingMessage, res: ServerResponse, status: number, message: string): void {
  sendJson(req, res, status, { error: message }, { cacheControl: 'no-store', etag: false });
}

/** A positive integer path or query parameter, or a 400/404 naming the parameter. */
export function parseId(value: string | undefined, what: string): number {
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < 1) throw new HttpError(404, `${what} ${JSON.stringify(value)} not found`);
  return n;
}

export function parseLimit(value: string | null, fallback: number, max: number, what = 'limit'): number {
  if (value === null) return fallback;
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < 1 || n > max) throw new HttpError(400, `${what} must be an integer from 1 to ${max}`);
  return n;
}
