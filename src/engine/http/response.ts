// The response object a send resolves with. Headers stay one latin1 string until something reads
// `headers` (a check, a capture, a script): most load-test requests never look at them, and
// building a dictionary per response was a tenth of the generator's CPU (issue 10).
import { decodeHeaders } from './parser.ts';
import type { FailureKind, HttpResponse, RequestTimings, TlsAgreement } from './types.ts';

export class LazyHeadersResponse implements HttpResponse {
  // Fields as documented on HttpResponse (types.ts).
  status: number;
  statusText: string;
  httpVersion: string;
  body: Buffer | null;
  bodyBytes: number;
  bytesReceived: number;
  bytesSent: number;
  timings: RequestTimings;
  error: { kind: FailureKind; message: string } | null;
  reused: boolean;
  tls: TlsAgreement | null = null;
  private headText: string;
  private decoded: Record<string, string> | null = null;

  constructor(
    status: number,
    statusText: string,
    httpVersion: string,
    headText: string,
    body: Buffer | null,
    bodyBytes: number,
    bytesReceived: number,
    bytesSent: number,
    timings: RequestTimings,
    error: { kind: FailureKind; message: string } | null,
    reused: boolean,
  ) {
    this.status = status;
    this.statusText = statusText;
    this.httpVersion = httpVersion;
    this.headText = headText;
    this.body = body;
    this.bodyBytes = bodyBytes;
    this.bytesReceived = bytesReceived;
    this.bytesSent = bytesSent;
    this.timings = timings;
    this.error = error;
    this.reused = reused;
  }

  /** Decoded once, on first read; the same object afterwards (callers may add to it). */
  get headers(): Record<string, string> {
    if (this.decoded === null) this.decoded = decodeHeaders(this.headText);
    return this.decoded;
  }

  set headers(h: Record<string, string>) {
    this.decoded = h;
  }
}
