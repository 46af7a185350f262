// Incremental HTTP/1.1 response parser.
//
// Hand-written because it is the hot path: Node's llhttp binding is not exposed for responses read
// from our own raw sockets (only through http.ClientRequest, whose per-request overhead is what we
// avoid), and http-parser-js is a pure-JS port that is several times slower. The design keeps the
// per-byte work in native code: heads are found with Buffer.indexOf and decoded once as latin1;
// bodies are only counted (and sliced without copying when the caller keeps them).
//
// One parser per connection, reused for every response: start() arms it for the next response,
// feed() consumes bytes up to the end of that response (so pipelined responses in one chunk are
// split by the caller), finish() tells it the peer closed. feed() and finish() never throw: any
// problem becomes state ERROR with an errorKind.

export const ParseState = {
  IDLE: 0,
  HEAD: 1,
  BODY: 2,
  COMPLETE: 3,
  ERROR: 4,
} as const;
export type ParseStateValue = (typeof ParseState)[keyof typeof ParseState];

export type ParseErrorKind = 'malformed' | 'body_too_large' | 'closed_early';

export interface ParserLimits {
  /** Max bytes of the status line + header section (and of a trailer section). */
  maxHeaderBytes: number;
  /** Bodies larger than this fail with body_too_large. */
  maxBodyBytes: number;
}

export const DEFAULT_MAX_HEADER_BYTES = 64 * 1024;
export const DEFAULT_MAX_BODY_BYTES = 100 * 1024 * 1024;

// Body framing (RFC 9112 §6.3) and chunked sub-states.
const B_NONE = 0;
const B_LENGTH = 1;
const B_EOF = 2;
const B_CHUNK_SIZE = 3;
const B_CHUNK_DATA = 4;
const B_CHUNK_CRLF = 5;
const B_TRAILERS = 6;

const CR = 13;
const LF = 10;
const HEAD_END = Buffer.from('\r\n\r\n', 'latin1');
const HTTP_PREFIX = Buffer.from('HTTP/', 'latin1');
const MAX_CHUNK_LINE = 4096;
const CRLF = Buffer.from('\r\n', 'latin1');
const BAD_VALUE_RE = /[\x00-\x08\x0a-\x1f\x7f]/;
/** 1 for the bytes of an RFC 9110 token (header names). */
const TOKEN = new Uint8Array(256);
for (const c of "!#$%&'*+-.^_`|~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz") TOKEN[c.charCodeAt(0)] = 1;

export class ResponseParser {
  state: ParseStateValue = ParseState.IDLE;
  status = 0;
  statusText = '';
  httpVersion = '';
  /**
   * The header section (after the status line) as latin1 text, kept only when start() was told
   * keepHeaders; `headers` decodes it on first read.
   */
  headText = '';
  /** The body, when start() was told to keep it, once COMPLETE. */
  body: Buffer | null = null;
  /** Body bytes seen so far (de-chunked), kept or not. */
  bodyBytes = 0;
  /** Bytes consumed for the current response, 1xx interim responses included. */
  bytesRead = 0;
  /** Whether the connection can carry another response after this one. */
  keepAlive = true;
  errorKind: ParseErrorKind | null = null;
  errorMessage = '';

  readonly maxHeaderBytes: number;
  readonly maxBodyBytes: number;

  private isHead = false;
  private keepBody = false;
  private keepHeaders = true;
  private headPending: Buffer | null = null;
  private framing = B_NONE;
  private remaining = 0;
  private line = '';
  private trailerBytes = 0;
  private parts: Buffer[] | null = null;

  constructor(limits: Partial<ParserLimits> = {}) {
    this.maxHeaderBytes = limits.maxHeaderBytes ?? DEFAULT_MAX_HEADER_BYTES;
    this.maxBodyBytes = limits.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  }

  /** The current response's headers (decoded from headText at each call: callers keep the result). */
  get headers(): Record<string, string> {
    return decodeHeaders(this.headText);
  }

  /** Arm for the next response. isHead: the request was HEAD (no body whatever the headers say). */
  start(isHead: boolean, keepBody: boolean, keepHeaders = true): void {
    this.state = ParseState.HEAD;
    this.isHead = isHead;
    this.keepBody = keepBody;
    this.keepHeaders = keepHeaders;
    this.bytesRead = 0;
    this.resetMessage();
  }

  /**
   * Consume bytes of the current response from chunk[offset..]. Returns how many were consumed:
   * fewer than available only when the response completed (the rest belongs to the next one)
   * or on error.
   */
  feed(chunk: Buffer, offset = 0, end = chunk.length): number {
    let off = offset;
    try {
      while (off < end) {
        if (this.state === ParseState.HEAD) off = this.feedHead(chunk, off, end);
        else if (this.state === ParseState.BODY) off = this.feedBody(chunk, off, end);
        else break;
      }
    } catch (err) {
      // Defensive: a bug here must fail one response, not the process.
      this.fail('malformed', `parser error: ${(err as Error).message}`);
    }
    const consumed = off - offset;
    this.bytesRead += consumed;
    return consumed;
  }

  /** The peer closed its side: ends a close-delimited body, anything else is closed_early. */
  finish(): void {
    if (this.state === ParseState.BODY && this.framing === B_EOF) {
      this.keepAlive = false;
      this.complete();
    } else if (this.state === ParseState.HEAD) {
      this.fail(
        'closed_early',
        this.bytesRead === 0 ? 'connection closed before any response byte' : 'connection closed in the middle of the response head',
      );
    } else if (this.state === ParseState.BODY) {
      this.fail('closed_early', `connection closed after ${this.bodyBytes} body bytes, before the end of the body`);
    }
  }

  private resetMessage(): void {
    this.status = 0;
    this.statusText = '';
    this.httpVersion = '';
    this.headText = '';
    this.body = null;
    this.bodyBytes = 0;
    this.keepAlive = true;
    this.errorKind = null;
    this.errorMessage = '';
    this.headPending = null;
    this.framing = B_NONE;
    this.remaining = 0;
    this.line = '';
    this.trailerBytes = 0;
    this.parts = null;
  }

  private fail(kind: ParseErrorKind, message: string): void {
    this.state = ParseState.ERROR;
    this.errorKind = kind;
    this.errorMessage = message;
    this.parts = null;
    this.headPending = null;
  }

  private complete(): void {
    this.state = ParseState.COMPLETE;
    const parts = this.parts;
    if (parts !== null) {
      this.body = parts.length === 1 ? parts[0]! : Buffer.concat(parts, this.bodyBytes);
      this.parts = null;
    } else if (this.keepBody) {
      this.body = Buffer.alloc(0);
    }
  }

  // ---- head ----

  private feedHead(chunk: Buffer, off: number, end: number): number {
    const pending = this.headPending;
    if (pending === null) {
      // Tolerate stray CRLFs between messages (some servers add one after a body).
      while (off < end && (chunk[off] === CR || chunk[off] === LF)) off++;
      if (off === end) return off;
      if (!prefixMatches(chunk, off, end)) {
        this.fail('malformed', 'response does not start with "HTTP/"');
        return off;
      }
      // Bound the search so garbage without a blank line costs at most maxHeaderBytes.
      const limit = Math.min(end, off + this.maxHeaderBytes + 4);
      // Searched in place (no subarray per response); a match past `limit` is not ours: the
      // buffer may be a shared read buffer holding older bytes after `end`.
      const at = chunk.indexOf(HEAD_END, off);
      if (at >= 0 && at + 4 <= limit) {
        this.onHead(chunk, off, at);
        return at + 4;
      }
      if (limit - off >= this.maxHeaderBytes + 4) return this.headTooLarge(limit);
      this.headPending = Buffer.from(chunk.subarray(off, end));
      return end;
    }
    // Head split across chunks: join only the bounded part we need (heads are small, this is rare).
    const take = Math.min(end - off, this.maxHeaderBytes + 4 - pending.length);
    const joined = Buffer.concat([pending, chunk.subarray(off, off + take)]);
    if (!prefixMatches(joined, 0, joined.length)) {
      this.fail('malformed', 'response does not start with "HTTP/"');
      return off;
    }
    const idx = joined.indexOf(HEAD_END, Math.max(0, pending.length - 3));
    if (idx >= 0) {
      this.headPending = null;
      this.onHead(joined, 0, idx);
      return off + (idx + 4 - pending.length);
    }
    if (joined.length >= this.maxHeaderBytes + 4) return this.headTooLarge(off + take);
    this.headPending = joined;
    return off + take;
  }

  private headTooLarge(off: number): number {
    this.fail('malformed', `response head exceeds ${this.maxHeaderBytes} bytes`);
    return off;
  }

  /**
   * The head is buf[start..end) (without the blank line). It is scanned as bytes: framing headers
   * (content-length, transfer-encoding, connection) are read in place and every line is checked,
   * but nothing is sliced, lower-cased or stored. The header section is kept as one latin1 string
   * only when the caller asked for headers, and decoded into a dictionary when first read.
   */
  /** Reads "HTTP/1.x ddd[ reason]" in buf[start..end); returns the status, or 0 after fail(). */
  private statusLine(buf: Buffer, start: number, end: number): number {
    const n = end - start;
    const d0 = buf[start + 9]! - 48;
    const d1 = buf[start + 10]! - 48;
    const d2 = buf[start + 11]! - 48;
    const minor = buf[start + 7];
    if (
      n < 12 ||
      buf[start + 5] !== 49 ||
      buf[start + 6] !== 46 ||
      (minor !== 48 && minor !== 49) ||
      buf[start + 8] !== 32 ||
      !(d0 >= 1 && d0 <= 9) ||
      !(d1 >= 0 && d1 <= 9) ||
      !(d2 >= 0 && d2 <= 9) ||
      (n > 12 && buf[start + 12] !== 32)
    ) {
      this.fail('malformed', `invalid status line ${JSON.stringify(buf.toString('latin1', start, Math.min(end, start + 80)))}`);
      return 0;
    }
    for (let k = start + 13; k < end; k++) {
      const c = buf[k]!;
      if ((c < 32 && c !== 9) || c === 127) {
        this.fail('malformed', `invalid status line ${JSON.stringify(buf.toString('latin1', start, Math.min(end, start + 80)))}`);
        return 0;
      }
    }
    const status = d0 * 100 + d1 * 10 + d2;
    this.status = status;
    this.httpVersion = minor === 49 ? '1.1' : '1.0';
    // The reason phrase is the same on almost every response: reuse the last string when it matches.
    if (n <= 13) this.statusText = '';
    else if (!sameLatin1(buf, start + 13, end, this.lastReason))
      this.statusText = this.lastReason = buf.toString('latin1', start + 13, end);
    else this.statusText = this.lastReason;
    return status;
  }

  private lastReason = '';

  private onHead(buf: Buffer, start: number, end: number): void {
    let lineEnd = buf.indexOf(CRLF, start);
    if (lineEnd < 0 || lineEnd > end) lineEnd = end;
    const status = this.statusLine(buf, start, lineEnd);
    if (status === 0) return;

    let contentLength = -1;
    let chunked = false;
    let hasTransferEncoding = false;
    let connClose = false;
    let connKeepAlive = false;
    const headersAt = lineEnd < end ? lineEnd + 2 : end;
    let pos = headersAt;
    while (pos < end) {
      const c0 = buf[pos]!;
      if (c0 === 32 || c0 === 9) {
        this.fail('malformed', 'obsolete line folding in response headers');
        return;
      }
      // Name: token characters up to the colon.
      let i = pos;
      while (i < end && TOKEN[buf[i]!] === 1) i++;
      const colon = i;
      let e = i;
      while (e < end && buf[e] !== CR) e++;
      if (e < end && (e + 1 >= end || buf[e + 1] !== LF)) e = end; // a bare CR: caught below as a bad character
      if (colon === e || buf[colon] !== 58 /* : */) {
        const line = buf.toString('latin1', pos, Math.min(e, pos + 80));
        if (line.indexOf(':') < 0) this.fail('malformed', `header line without a colon: ${JSON.stringify(line)}`);
        else this.fail('malformed', `invalid header name ${JSON.stringify(line.slice(0, line.indexOf(':')))}`);
        return;
      }
      if (colon === pos) {
        this.fail('malformed', 'invalid header name ""');
        return;
      }
      let vs = colon + 1;
      let ve = e;
      for (let k = vs; k < ve; k++) {
        const c = buf[k]!;
        if ((c < 32 && c !== 9) || c === 127) {
          this.fail('malformed', `invalid character in the value of header "${buf.toString('latin1', pos, colon)}"`);
          return;
        }
      }
      while (vs < ve && (buf[vs] === 32 || buf[vs] === 9)) vs++;
      while (ve > vs && (buf[ve - 1] === 32 || buf[ve - 1] === 9)) ve--;
      const nameLen = colon - pos;
      if (nameLen === 14 && nameIs(buf, pos, 'content-length')) {
        const n = parseContentLength(buf, vs, ve);
        if (n < 0 || (contentLength >= 0 && n !== contentLength)) {
          this.fail('malformed', `invalid content-length ${JSON.stringify(buf.toString('latin1', vs, Math.min(ve, vs + 80)))}`);
          return;
        }
        contentLength = n;
      } else if (nameLen === 17 && nameIs(buf, pos, 'transfer-encoding')) {
        hasTransferEncoding = true;
        // Only the final coding matters for framing; a later header line overrides earlier ones.
        let ls = ve;
        while (ls > vs && buf[ls - 1] !== 44 /* , */) ls--;
        while (ls < ve && (buf[ls] === 32 || buf[ls] === 9)) ls++;
        chunked = ve - ls === 7 && nameIs(buf, ls, 'chunked');
      } else if (nameLen === 10 && nameIs(buf, pos, 'connection')) {
        let ts = vs;
        while (ts < ve) {
          let te = ts;
          while (te < ve && buf[te] !== 44) te++;
          let a = ts;
          let b = te;
          while (a < b && (buf[a] === 32 || buf[a] === 9)) a++;
          while (b > a && (buf[b - 1] === 32 || buf[b - 1] === 9)) b--;
          if (b - a === 5 && nameIs(buf, a, 'close')) connClose = true;
          else if (b - a === 10 && nameIs(buf, a, 'keep-alive')) connKeepAlive = true;
          ts = te + 1;
        }
      }
      pos = e + 2;
    }

    if (status < 200) {
      if (status === 101) {
        this.fail('malformed', 'unexpected 101 Switching Protocols (no upgrade was requested)');
        return;
      }
      // Interim response (100 Continue, 103 Early Hints...): skip it, the final one follows.
      this.resetMessage();
      return;
    }

    this.headText = this.keepHeaders && headersAt < end ? buf.toString('latin1', headersAt, end) : '';
    this.keepAlive = this.httpVersion === '1.1' ? !connClose : connKeepAlive && !connClose;
    if (this.keepBody) this.parts = [];

    if (this.isHead || status === 204 || status === 304) {
      this.complete();
    } else if (hasTransferEncoding && this.httpVersion === '1.1') {
      // RFC 9112 §6.3: transfer-encoding overrides content-length; a message with both is suspect.
      if (contentLength >= 0) this.keepAlive = false;
      if (chunked) this.beginBody(B_CHUNK_SIZE);
      else this.beginEofBody();
    } else if (contentLength >= 0) {
      if (contentLength > this.maxBodyBytes) {
        this.fail('body_too_large', `content-length ${contentLength} exceeds maxBodyBytes ${this.maxBodyBytes}`);
      } else if (contentLength === 0) {
        this.complete();
      } else {
        this.remaining = contentLength;
        this.beginBody(B_LENGTH);
      }
    } else {
      this.beginEofBody();
    }
  }

  private beginBody(framing: number): void {
    this.framing = framing;
    this.state = ParseState.BODY;
  }

  private beginEofBody(): void {
    this.keepAlive = false;
    this.beginBody(B_EOF);
  }

  // ---- body ----

  private feedBody(chunk: Buffer, off: number, end: number): number {
    switch (this.framing) {
      case B_LENGTH: {
        const take = Math.min(this.remaining, end - off);
        this.take(chunk, off, take);
        this.remaining -= take;
        if (this.remaining === 0) this.complete();
        return off + take;
      }
      case B_EOF: {
        const take = end - off;
        if (this.bodyBytes + take > this.maxBodyBytes) {
          this.fail('body_too_large', `body exceeds maxBodyBytes ${this.maxBodyBytes}`);
          return end;
        }
        this.take(chunk, off, take);
        return end;
      }
      case B_CHUNK_SIZE: {
        const next = this.readLine(chunk, off, end, MAX_CHUNK_LINE);
        if (next < 0) return end;
        this.onChunkSizeLine();
        return next;
      }
      case B_CHUNK_DATA: {
        const take = Math.min(this.remaining, end - off);
        this.take(chunk, off, take);
        this.remaining -= take;
        if (this.remaining === 0) {
          this.framing = B_CHUNK_CRLF;
          this.remaining = 2;
        }
        return off + take;
      }
      case B_CHUNK_CRLF: {
        const expected = this.remaining === 2 ? CR : LF;
        if (chunk[off] !== expected) {
          this.fail('malformed', 'chunk data not followed by CRLF');
          return off;
        }
        if (--this.remaining === 0) this.framing = B_CHUNK_SIZE;
        return off + 1;
      }
      case B_TRAILERS: {
        const next = this.readLine(chunk, off, end, this.maxHeaderBytes);
        this.trailerBytes += (next < 0 ? end : next) - off;
        if (this.trailerBytes > this.maxHeaderBytes + 2) {
          this.fail('malformed', `trailer section exceeds ${this.maxHeaderBytes} bytes`);
          return end;
        }
        if (next < 0) return end;
        const line = this.line;
        this.line = '';
        if (line.length === 0) {
          this.complete();
        } else if (line.charCodeAt(0) === 32 || line.charCodeAt(0) === 9 || line.indexOf(':') <= 0) {
          // Trailer fields are not merged into headers (few servers send them); only checked.
          this.fail('malformed', 'invalid trailer field');
        }
        return next;
      }
      default:
        this.fail('malformed', 'internal: unexpected body state');
        return off;
    }
  }

  private take(chunk: Buffer, off: number, n: number): void {
    this.bodyBytes += n;
    // Copied: the chunk may be the connection's shared read buffer, reused by the next read.
    if (this.parts !== null && n > 0) this.parts.push(Buffer.from(chunk.subarray(off, off + n)));
  }

  /**
   * Read a CRLF-terminated line into this.line (without the CRLF). Returns the offset after LF,
   * or -1 when the line continues in the next chunk (then the part read is kept).
   */
  private readLine(chunk: Buffer, off: number, end: number, max: number): number {
    const lf = chunk.indexOf(LF, off);
    if (lf < 0 || lf >= end) {
      this.line += chunk.toString('latin1', off, end);
      if (this.line.length > max) this.fail('malformed', `line exceeds ${max} bytes`);
      return -1;
    }
    const line = this.line + chunk.toString('latin1', off, lf);
    if (line.length > max + 1 || line.charCodeAt(line.length - 1) !== CR) {
      this.fail('malformed', line.length > max + 1 ? `line exceeds ${max} bytes` : 'bare LF in chunked framing');
      this.line = '';
      return lf + 1;
    }
    this.line = line.slice(0, -1);
    return lf + 1;
  }

  private onChunkSizeLine(): void {
    const line = this.line;
    this.line = '';
    let i = 0;
    while (i < line.length && isHex(line.charCodeAt(i))) i++;
    const rest = trimOws(line.slice(i));
    if (i === 0 || (rest.length > 0 && rest.charCodeAt(0) !== 59) /* ; */ || BAD_VALUE_RE.test(rest)) {
      this.fail('malformed', `invalid chunk size line ${JSON.stringify(line.slice(0, 80))}`);
      return;
    }
    const digits = line.slice(0, i).replace(/^0+/, '');
    if (digits.length > 13) {
      this.fail('body_too_large', 'chunk size too large');
      return;
    }
    const size = digits.length === 0 ? 0 : parseInt(digits, 16);
    if (size === 0) {
      this.framing = B_TRAILERS;
      return;
    }
    if (this.bodyBytes + size > this.maxBodyBytes) {
      this.fail('body_too_large', `body exceeds maxBodyBytes ${this.maxBodyBytes}`);
      return;
    }
    this.remaining = size;
    this.framing = B_CHUNK_DATA;
  }
}

function prefixMatches(buf: Buffer, off: number, end: number): boolean {
  const n = Math.min(HTTP_PREFIX.length, end - off);
  for (let i = 0; i < n; i++) if (buf[off + i] !== HTTP_PREFIX[i]) return false;
  return true;
}

function isHex(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 70) || (c >= 97 && c <= 102);
}

function trimOws(s: string): string {
  let a = 0;
  let b = s.length;
  while (a < b && (s.charCodeAt(a) === 32 || s.charCodeAt(a) === 9)) a++;
  while (b > a && (s.charCodeAt(b - 1) === 32 || s.charCodeAt(b - 1) === 9)) b--;
  return a === 0 && b === s.length ? s : s.slice(a, b);
}

/** A content-length value in buf[a..b), possibly a list of identical values ("5, 5"); -1 when invalid. */
function parseContentLength(buf: Buffer, a: number, b: number): number {
  let n = -1;
  let k = a;
  while (k <= b) {
    let e = k;
    while (e < b && buf[e] !== 44 /* , */) e++;
    let x = k;
    let y = e;
    while (x < y && (buf[x] === 32 || buf[x] === 9)) x++;
    while (y > x && (buf[y - 1] === 32 || buf[y - 1] === 9)) y--;
    if (y === x || y - x > 15) return -1;
    let v = 0;
    for (let i = x; i < y; i++) {
      const d = buf[i]! - 48;
      if (d < 0 || d > 9) return -1;
      v = v * 10 + d;
    }
    if (n >= 0 && v !== n) return -1;
    n = v;
    k = e + 1;
  }
  return n;
}

/** Whether buf at `at` holds `lower` (ASCII, lower case), compared case-insensitively. */
function nameIs(buf: Buffer, at: number, lower: string): boolean {
  for (let i = 0; i < lower.length; i++) {
    let c = buf[at + i]!;
    if (c >= 65 && c <= 90) c += 32;
    if (c !== lower.charCodeAt(i)) return false;
  }
  return true;
}

function sameLatin1(buf: Buffer, a: number, b: number, s: string): boolean {
  if (b - a !== s.length) return false;
  for (let i = 0; i < s.length; i++) if (buf[a + i] !== s.charCodeAt(i)) return false;
  return true;
}

/**
 * Decode a header section already checked by the parser (lines "Name: value" joined by CRLF):
 * lower-cased names, OWS trimmed, repeated headers joined with ", " (set-cookie with "\n", as its
 * values may contain commas).
 */
export function decodeHeaders(text: string): Record<string, string> {
  const headers: Record<string, string> = {};
  let pos = 0;
  while (pos < text.length) {
    let e = text.indexOf('\r\n', pos);
    if (e < 0) e = text.length;
    const colon = text.indexOf(':', pos);
    addHeader(headers, text.slice(pos, colon).toLowerCase(), trimOws(text.slice(colon + 1, e)));
    pos = e + 2;
  }
  return headers;
}

function addHeader(headers: Record<string, string>, name: string, value: string): void {
  if (Object.hasOwn(headers, name)) {
    headers[name] += (name === 'set-cookie' ? '\n' : ', ') + value;
  } else if (name === '__proto__') {
    Object.defineProperty(headers, name, { value, enumerable: true, writable: true, configurable: true });
  } else {
    headers[name] = value;
  }
}
