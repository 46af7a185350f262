// The HTTP client contract. The engine only talks to these types, so an HTTP/2 client can be
// added later behind the same `HttpClient` interface without touching executors or metrics.
import type { LookupFunction } from 'node:net';
import type { TlsSettings } from '../../plan/types.ts';

/** Why a request failed; every kind is counted separately in http_req_failed and the summary. */
export type FailureKind =
  | 'connect_refused' // ECONNREFUSED
  | 'connect_timeout' // TCP/TLS connect did not finish within connectTimeoutMs
  | 'reset' // ECONNRESET / EPIPE while a request was in flight
  | 'closed_early' // peer closed (FIN) before a complete response (includes half-close)
  | 'request_timeout' // no complete response within requestTimeoutMs
  | 'malformed' // the response could not be parsed as HTTP/1.1
  | 'body_too_large' // body exceeded maxBodyBytes
  | 'tls' // TLS handshake/verification failure
  | 'dns' // name resolution failed
  | 'cut_at_stop' // the run stopped (graceful stop over, Ctrl-C, abort) while the request was queued or in flight
  | 'aborted' // sent on a client already closed by the stop: it never started (not recorded)
  | 'other';

/** A request prepared once (URL parsed, head encoded) and sent many times. */
export interface PreparedRequest {
  method: string;
  url: URL;
  /** Lower-cased header names. Host, Content-Length are filled in by prepareRequest. */
  headers: Record<string, string>;
  body: Buffer | null;
  /** Encoded request (head + body) when nothing varies per send; the hot path writes it as is. */
  encoded: Buffer;
  /** HEAD requests have no response body whatever the headers say. */
  isHead: boolean;
}

/** Per-request phase timings in milliseconds (fractional; µs resolution), named as in k6. */
export interface RequestTimings {
  blocked: number; // waiting for a free connection (pool / pipelining queue)
  connecting: number; // TCP connect (0 on a reused connection)
  tlsHandshaking: number; // TLS handshake (0 on a reused connection)
  sending: number; // write start → write flushed
  waiting: number; // flushed → first response byte (TTFB)
  receiving: number; // first byte → last byte
  /**
   * sending + waiting + receiving (k6's http_req_duration). For a request cut at the stop
   * ('cut_at_stop'): the whole time since it was handed to the client, a lower bound of what it
   * would have taken (its phases so far may not have reached sending).
   */
  duration: number;
  /** performance.now() timestamp at which the request was handed to the client. */
  startedAt: number;
  /** performance.now() timestamp of the last byte (or of the failure). */
  endedAt: number;
}

export interface HttpResponse {
  /** 0 when the request failed before a status line was read. */
  status: number;
  statusText: string;
  httpVersion: string;
  /** Lower-cased names; repeated headers joined with ", " (set-cookie kept as array entries joined by "\n"). */
  headers: Record<string, string>;
  /** The body, only when the request asked for it (keepBody); otherwise null. */
  body: Buffer | null;
  /** Body bytes received (after de-chunking), counted even when discarded. */
  bodyBytes: number;
  /** Total bytes read from / written to the socket for this exchange (data_received / data_sent). */
  bytesReceived: number;
  bytesSent: number;
  timings: RequestTimings;
  /** Set when the request failed; status may still be set if the head was read. */
  error: { kind: FailureKind; message: string } | null;
  /** Whether this exchange reused an already-open connection. */
  reused: boolean;
  /** What the TLS handshake of the connection agreed (https only; null otherwise). */
  tls?: TlsAgreement | null;
}

export interface TlsAgreement {
  /** Node's names: "TLSv1.2", "TLSv1.3". */
  protocol: string;
  /** The IANA name, e.g. "TLS_AES_128_GCM_SHA256". */
  cipher: string;
}

export interface SendOptions {
  /** Keep the response body in memory (scripts that read it, captures, checks on body). */
  keepBody: boolean;
  /**
   * Keep the response headers (default true). Whoever reads `headers` pays for decoding them, on
   * first read; false skips even keeping their text (flows without header checks or captures).
   */
  keepHeaders?: boolean;
  /** Per-request timeout: from handing over to last byte. */
  requestTimeoutMs: number;
  /**
   * Which of the origin's connections carries the request (default 0). A VU has one connection per
   * origin; k6's http.batch sends in parallel over several (its batchPerHost).
   */
  connection?: number;
}

export interface ClientOptions {
  connectTimeoutMs: number;
  /** Skip certificate verification (local self-signed targets only; opt-in). */
  insecureSkipTLSVerify: boolean;
  /** Responses with a body larger than this fail with 'body_too_large' (default 100 MB). */
  maxBodyBytes: number;
  /** Keep connections open between requests (HTTP/1.1 keep-alive). */
  keepAlive: boolean;
  /** Max requests in flight on one connection (1 = no pipelining). */
  pipelining: number;
  /** TLS versions, cipher suites and client certificates (absent: Node's defaults). */
  tls?: TlsSettings | undefined;
  /** Host name (or name:port) → address (or address:port) connected to instead; TLS keeps the name. */
  hosts?: Record<string, string> | undefined;
  /** Resolves host names instead of the system resolver (DNS caching and policy). */
  lookup?: LookupFunction | undefined;
}

/** One client per VU: it owns that VU's connections (one per origin). */
export interface HttpClient {
  send(req: PreparedRequest, opts: SendOptions): Promise<HttpResponse>;
  /**
   * send() without a promise: `done` runs once with the response (never throws to the caller;
   * possibly synchronously, when the client is closed). The engine's request path uses it.
   */
  sendWith(req: PreparedRequest, opts: SendOptions, done: (res: HttpResponse) => void): void;
  /** Number of TCP connections opened so far (for churn / keep-alive analysis). */
  readonly connectionsOpened: number;
  /** Close every connection; queued and in-flight requests fail with 'cut_at_stop', later ones with 'aborted'. */
  close(): void;
}
