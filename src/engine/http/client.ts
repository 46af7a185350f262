// The HTTP/1.1 implementation of HttpClient: one per virtual user, one connection slot per origin.

import { Http1Connection, originOf, type Origin } from './connection.ts';
import { DEFAULT_MAX_BODY_BYTES } from './parser.ts';
import type { ClientOptions, HttpClient, HttpResponse, PreparedRequest, SendOptions } from './types.ts';
import type { HttpSettings } from '../../plan/types.ts';
import { makeLookup } from './resolver.ts';

export const DEFAULT_CLIENT_OPTIONS: ClientOptions = {
  connectTimeoutMs: 10_000,
  insecureSkipTLSVerify: false,
  maxBodyBytes: DEFAULT_MAX_BODY_BYTES,
  keepAlive: true,
  pipelining: 1,
};

// Origins derived once per prepared request (URL getters are not free on the hot path) without
// adding a field to the shared PreparedRequest contract.
const originCache = new WeakMap<PreparedRequest, Origin>();

function originFor(req: PreparedRequest): Origin {
  let o = originCache.get(req);
  if (o === undefined) {
    o = originOf(req.url);
    originCache.set(req, o);
  }
  return o;
}

class Http1Client implements HttpClient {
  private readonly opts: ClientOptions;
  private readonly connections = new Map<string, Http1Connection>();
  private last: Http1Connection | null = null;
  private opened = 0;
  private closed = false;
  private readonly onOpened = (): void => {
    this.opened++;
  };

  constructor(opts: ClientOptions) {
    this.opts = opts;
  }

  get connectionsOpened(): number {
    return this.opened;
  }

  send(req: PreparedRequest, opts: SendOptions): Promise<HttpResponse> {
    const { promise, resolve } = Promise.withResolvers<HttpResponse>();
    this.sendWith(req, opts, resolve);
    return promise;
  }

  sendWith(req: PreparedRequest, opts: SendOptions, done: (res: HttpResponse) => void): void {
    const origin = originFor(req);
    if (opts.connection) {
      this.extra(origin, opts.connection).send(req, opts, done);
      return;
    }
    // Most VUs talk to one origin: skip the map lookup for the last one used.
    let conn = this.last !== null && this.last.origin === origin ? this.last : this.connections.get(origin.key);
    if (conn === undefined) conn = this.open(origin, origin.key);
    this.last = conn;
    conn.send(req, opts, done);
  }

  /** The origin's n-th extra connection (http.batch), kept for later batches as k6's pool keeps it. */
  private extra(origin: Origin, n: number): Http1Connection {
    const key = `${origin.key}#${n}`;
    return this.connections.get(key) ?? this.open(origin, key);
  }

  private open(origin: Origin, key: string): Http1Connection {
    const conn = new Http1Connection(origin, this.opts, this.onOpened);
    // After close() the connection answers every send with 'aborted'.
    if (this.closed) conn.close();
    else this.connections.set(key, conn);
    return conn;
  }

  close(): void {
    this.closed = true;
    for (const conn of this.connections.values()) conn.close();
  }
}

const fromSettings = new WeakMap<HttpSettings, Partial<ClientOptions>>();

/**
 * The client options a plan's HTTP settings give, made once per settings object: the resolver
 * (and its answer cache) is shared by every VU of the thread.
 */
export function clientOptionsFor(http: HttpSettings): Partial<ClientOptions> {
  let o = fromSettings.get(http);
  if (o === undefined) {
    o = {
      connectTimeoutMs: http.connectTimeoutMs,
      insecureSkipTLSVerify: http.insecureSkipTLSVerify,
      maxBodyBytes: http.maxBodyBytes,
      keepAlive: http.keepAlive,
      pipelining: http.pipelining,
      tls: http.tls,
      hosts: http.hosts,
      lookup: makeLookup(http.dns),
    };
    fromSettings.set(http, o);
  }
  return o;
}

/** A client for one VU. Options not given take DEFAULT_CLIENT_OPTIONS. */
export function createHttpClient(opts: Partial<ClientOptions> = {}): HttpClient {
  return new Http1Client({ ...DEFAULT_CLIENT_OPTIONS, ...opts });
}
