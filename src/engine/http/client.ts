// The HTTP/1.1 implementation of HttpClient: one per virtual user, one connection slot per origin.

import { Http1Connection, originOf, type Origin } from './connection.ts';
import { DEFAULT_MAX_BODY_BYTES } from './parser.ts';
import type { ClientOptions, HttpClient, HttpResponse, PreparedRequest, SendOptions } from './types.ts';

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
    // Most VUs talk to one origin: skip the map lookup for the last one used.
    let conn = this.last !== null && this.last.origin === origin ? this.last : this.connections.get(origin.key);
    if (conn === undefined) {
      conn = new Http1Connection(origin, this.opts, this.onOpened);
      // After close() the connection answers every send with 'aborted'.
      if (this.closed) conn.close();
      else this.connections.set(origin.key, conn);
    }
    this.last = conn;
    conn.send(req, opts, done);
  }

  close(): void {
    this.closed = true;
    for (const conn of this.connections.values()) conn.close();
  }
}

/** A client for one VU. Options not given take DEFAULT_CLIENT_OPTIONS. */
export function createHttpClient(opts: Partial<ClientOptions> = {}): HttpClient {
  return new Http1Client({ ...DEFAULT_CLIENT_OPTIONS, ...opts });
}
