// One HTTP/1.1 connection slot to one origin: it owns at most one socket at a time, opens it on
// demand, pipelines requests FIFO, measures k6-style phase timings and turns every failure into a
// resolved HttpResponse with `error` set. After any failure the socket is destroyed; the next
// send (or a request still queued) opens a new one.

import net from 'node:net';
import type { TLSSocket } from 'node:tls';
import { performance } from 'node:perf_hooks';
import { ParseState, ResponseParser } from './parser.ts';
import { classifyError, errorMessage, type ConnectPhase } from './failure.ts';
import { LazyHeadersResponse } from './response.ts';
import type { ClientOptions, FailureKind, HttpResponse, PreparedRequest, SendOptions, TlsAgreement } from './types.ts';
import { tlsConnectOptions } from './tls-options.ts';
import { hostOverride } from './resolver.ts';

/** The read buffer shared by all plain-TCP connections of this thread (see openSocket). */
const SHARED_READ_BUFFER = Buffer.allocUnsafe(64 * 1024);
const EMPTY = Buffer.alloc(0);

/** Where to connect, derived once per URL origin. */
export interface Origin {
  /** `protocol//host:port`, the pool key. */
  key: string;
  /** Host name or IP without IPv6 brackets. */
  host: string;
  port: number;
  tls: boolean;
  /** SNI name; undefined when host is an IP literal. */
  servername: string | undefined;
}

export function originOf(url: URL): Origin {
  const isTls = url.protocol === 'https:';
  const port = url.port === '' ? (isTls ? 443 : 80) : Number(url.port);
  const host = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
  return {
    key: `${url.protocol}//${url.hostname}:${port}`,
    host,
    port,
    tls: isTls,
    servername: isTls && net.isIP(host) === 0 ? host : undefined,
  };
}

// Requests safe to send again when a reused connection died before any response byte
// (the keep-alive race: the server closed an idle connection as we wrote to it). RFC 9110 §9.2.2.
const IDEMPOTENT = new Set(['GET', 'HEAD', 'OPTIONS', 'TRACE', 'PUT', 'DELETE']);

const P_NONE = 0;
const P_CONNECTING = 1;
const P_OPEN = 2;

/**
 * One request while the connection has it. A connection keeps the last settled one and reuses it
 * for its next request: in steady traffic a request allocates no exchange (at thousands of
 * connections, each request object lived a whole round trip and was promoted to the old space).
 */
class Exchange {
  req!: PreparedRequest;
  keepBody = false;
  keepHeaders = true;
  startedAt = 0;
  deadline = Infinity;
  resolve: (res: HttpResponse) => void = noop;
  blocked = 0;
  connecting = 0;
  tlsHandshaking = 0;
  writeStartAt = 0;
  flushedAt = 0;
  firstByteAt = 0;
  seq = 0;
  bytesSent = 0;
  bytesReceived = 0;
  /** This exchange's send opened the connection it was written on. */
  openedConnection = false;
  /** Written on a connection opened for an earlier exchange (set at write time). */
  reused = false;
  retried = false;

  init(req: PreparedRequest, opts: SendOptions, startedAt: number, resolve: (res: HttpResponse) => void): this {
    this.req = req;
    this.keepBody = opts.keepBody;
    this.keepHeaders = opts.keepHeaders ?? true;
    this.startedAt = startedAt;
    const t = opts.requestTimeoutMs;
    this.deadline = t > 0 && Number.isFinite(t) ? startedAt + t : Infinity;
    this.resolve = resolve;
    this.blocked = 0;
    this.bytesSent = 0;
    this.bytesReceived = 0;
    this.retried = false;
    resetForRetry(this);
    this.retried = false;
    return this;
  }
}

function noop(): void {}

export class Http1Connection {
  readonly origin: Origin;
  readonly opts: ClientOptions;
  readonly onOpened: () => void;
  private readonly parser: ResponseParser;
  private readonly maxInFlight: number;

  /** The current socket; events of any other (dropped) socket are ignored. */
  socket: net.Socket | null = null;
  phase = P_NONE;
  /** Not yet written (waiting for the socket or for a pipelining slot). */
  private queue: Exchange[] = [];
  /** Written, waiting for their response, in order. inflight[0] is the one the parser reads. */
  private inflight: Exchange[] = [];
  /** The exchange whose send opened the current socket: it gets the connect/TLS timings. */
  private trigger: Exchange | null = null;
  /** The exchange the parser is reading (inflight[0] once its response started). */
  private parserOwner: Exchange | null = null;
  tcpStartAt = 0;
  connectedAt = 0;
  /** Of the current socket (https): every response on it carries it. */
  private tlsAgreement: TlsAgreement | null = null;
  private writeSeq = 0;
  /** writeSeq of each write that carries the write callback, oldest first (writes complete in order). */
  private readonly callbackSeqs: number[] = [];
  private closed = false;
  /** A settled exchange kept for the next send. */
  private spare: Exchange | null = null;
  /**
   * Callbacks run synchronously and often send the next request at once. Inside a method that is
   * still changing this connection's state (failing it, closing it, finishing a response) they
   * wait in `deferred` ([done, res, done, res, …]) until the outermost such method returns.
   */
  private depth = 0;
  private readonly deferred: unknown[] = [];
  private ndeferred = 0;
  private flushing = false;

  // One request timer per connection, armed at the earliest deadline and re-armed when it fires,
  // so steady traffic creates no timer per request.
  private timer: NodeJS.Timeout | null = null;
  private timerAt = Infinity;
  private connectTimer: NodeJS.Timeout | null = null;
  private readonly onTimerBound = (): void => this.onTimer();
  private readonly onConnectTimeoutBound = (): void => this.onConnectTimeout();

  constructor(origin: Origin, opts: ClientOptions, onOpened: () => void) {
    this.origin = origin;
    this.opts = opts;
    this.onOpened = onOpened;
    this.parser = new ResponseParser({ maxBodyBytes: opts.maxBodyBytes });
    this.maxInFlight = opts.keepAlive ? Math.max(1, Math.floor(opts.pipelining) || 1) : 1;
  }

  /** `done` runs once with the response (synchronously when the connection is closed). */
  send(req: PreparedRequest, opts: SendOptions, done: (res: HttpResponse) => void): void {
    const spare = this.spare;
    this.spare = null;
    const ex = (spare ?? new Exchange()).init(req, opts, performance.now(), done);
    if (this.closed) {
      this.settle(ex, ex.startedAt, 'aborted', 'client closed');
      return;
    }
    this.queue.push(ex);
    if (ex.deadline < this.timerAt) this.armTimer(ex.deadline);
    this.pump();
  }

  /** Stop everything: in-flight and queued requests resolve with kind 'cut_at_stop' (recorded), later sends with 'aborted'. */
  close(): void {
    this.depth++;
    try {
      this.closeNow();
    } finally {
      this.leave();
    }
  }

  private closeNow(): void {
    this.closed = true;
    this.clearTimer();
    const t = performance.now();
    const inflight = this.inflight;
    const queue = this.queue;
    this.inflight = [];
    this.queue = [];
    this.dropSocket();
    for (const ex of inflight) this.settle(ex, t, 'cut_at_stop', 'the run stopped while the request was in flight');
    for (const ex of queue) this.settle(ex, t, 'cut_at_stop', 'the run stopped before the request was sent');
  }

  private leave(): void {
    if (--this.depth > 0 || this.flushing) return;
    const d = this.deferred;
    if (this.ndeferred === 0) return;
    // A callback may re-enter (send, close) and defer more: this loop runs those too, in order.
    // Slots are overwritten, never pushed and truncated, so steady traffic allocates nothing.
    this.flushing = true;
    try {
      for (let i = 0; i < this.ndeferred; i += 2) {
        const done = d[i] as (res: HttpResponse) => void;
        const res = d[i + 1] as HttpResponse;
        d[i] = d[i + 1] = null;
        done(res);
      }
    } finally {
      this.ndeferred = 0;
      this.flushing = false;
    }
  }

  // ---- writing ----

  private pump(): void {
    if (this.phase === P_NONE) {
      if (this.queue.length > 0 && !this.closed) this.openSocket();
      return;
    }
    if (this.phase !== P_OPEN) return;
    while (this.queue.length > 0 && this.inflight.length < this.maxInFlight) {
      this.write(this.queue.shift()!);
    }
  }

  private write(ex: Exchange): void {
    const t = performance.now();
    ex.writeStartAt = t;
    // Time before the write that was not spent connecting: DNS, a busy connection, a full pipeline.
    ex.blocked = Math.max(0, t - ex.startedAt - ex.connecting - ex.tlsHandshaking);
    ex.seq = ++this.writeSeq;
    ex.reused = !ex.openedConnection;
    ex.bytesSent += ex.req.encoded.length;
    this.inflight.push(ex);
    if (this.inflight.length === 1) this.startParser(ex);
    const socket = this.socket!;
    if (socket.writableLength === 0) {
      // Nothing queued before it (the steady state): written without a callback. With one, Node's
      // Writable allocates a tick record and runs a nextTick per write (afterWriteTick) even when
      // libuv wrote the bytes at once; without one it does neither (BENCHMARKS.md, request path).
      socket.write(ex.req.encoded);
      // libuv wrote the bytes to the kernel synchronously: flushed now. Waiting for a callback
      // would move event-loop time from "waiting" into "sending".
      if (socket.writableLength === 0) {
        ex.flushedAt = performance.now();
        return;
      }
      // Some of it is still queued: an empty write behind it calls back once it has gone.
      socket.write(EMPTY, this.onWritten);
    } else {
      socket.write(ex.req.encoded, this.onWritten);
    }
    this.callbackSeqs.push(ex.seq);
  }

  private startParser(ex: Exchange): void {
    this.parserOwner = ex;
    this.parser.start(ex.req.isHead, ex.keepBody, ex.keepHeaders);
  }

  // Replaced per socket in openSocket so a late callback from a dead socket is ignored.
  private onWritten: (err?: Error | null) => void = () => {};

  /** A write callback: that write and every earlier one have gone to the kernel. */
  private onFlushed(): void {
    const upTo = this.callbackSeqs.shift();
    if (upTo === undefined) return;
    let t = 0;
    for (const ex of this.inflight) {
      if (ex.seq > upTo) break;
      if (ex.flushedAt === 0) ex.flushedAt = t === 0 ? (t = performance.now()) : t;
    }
  }

  // ---- socket lifecycle ----

  private openSocket(): void {
    const o = this.origin;
    const t = performance.now();
    this.phase = P_CONNECTING;
    this.tcpStartAt = t;
    this.connectedAt = 0;
    this.tlsAgreement = null;
    this.trigger = this.queue[0] ?? null;
    this.writeSeq = 0;
    this.callbackSeqs.length = 0;
    // A hosts entry changes where the socket goes, not the name (Host header, SNI, certificate check).
    const dial = this.opts.hosts ? (hostOverride(this.opts.hosts, o.host, o.port) ?? o) : o;
    let s: net.Socket;
    try {
      s = o.tls
        ? // node:tls is loaded on the first TLS connection: it is ~11 ms of start-up a plain-HTTP run never uses.
          process.getBuiltinModule('node:tls').connect({
            host: dial.host,
            port: dial.port,
            servername: o.servername,
            rejectUnauthorized: !this.opts.insecureSkipTLSVerify,
            ALPNProtocols: ['http/1.1'],
            lookup: this.opts.lookup,
            ...(this.opts.tls ? tlsConnectOptions(this.opts.tls, o.host) : {}),
          })
        : net.connect({
            host: dial.host,
            port: dial.port,
            noDelay: true,
            lookup: this.opts.lookup,
            // Every plain-TCP socket of this thread reads into one shared buffer: without it libuv
            // hands each read a fresh 64 KB allocation, which with thousands of connections is
            // most of the generator's memory and GC time. Safe because onData consumes a chunk
            // synchronously and the parser copies whatever it keeps (head remainder, kept bodies).
            onread: { buffer: SHARED_READ_BUFFER, callback: onSocketRead },
          });
    } catch (err) {
      // Synchronous refusals (e.g. port 0): fail what waits instead of throwing out of send().
      this.failConnection(classifyError(err, 'tcp'), errorMessage(err), false);
      return;
    }
    this.socket = s;
    (s as OwnedSocket)[OWNER] = this;
    if (this.opts.connectTimeoutMs > 0 && Number.isFinite(this.opts.connectTimeoutMs)) {
      this.connectTimer = setTimeout(this.onConnectTimeoutBound, this.opts.connectTimeoutMs);
      this.connectTimer.unref();
    }
    // Shared handlers (module functions that find their connection on the socket), not closures:
    // a connection costs no listener objects of its own.
    s.once('lookup', onSocketLookup);
    s.once('connect', onSocketConnect);
    if (o.tls) {
      s.once('secureConnect', onSocketSecureConnect);
      // TLS sockets do not take onread: they deliver their own decrypted chunks.
      s.on('data', onSocketData);
    }
    s.on('end', onSocketEnd);
    s.on('error', onSocketError);
    s.on('close', onSocketClose);
    this.onWritten = (err?: Error | null) => {
      if (this.socket === s && !err) this.onFlushed();
    };
  }

  onReady(): void {
    const t = performance.now();
    if (this.origin.tls && this.socket !== null) {
      const s = this.socket as TLSSocket;
      this.tlsAgreement = { protocol: s.getProtocol() ?? '', cipher: s.getCipher()?.standardName ?? '' };
    }
    this.clearConnectTimer();
    this.phase = P_OPEN;
    const ex = this.trigger;
    this.trigger = null;
    if (ex !== null && this.queue.includes(ex)) {
      const tcpEnd = this.connectedAt > 0 ? this.connectedAt : t;
      ex.connecting = Math.max(0, tcpEnd - this.tcpStartAt);
      ex.tlsHandshaking = this.origin.tls ? Math.max(0, t - tcpEnd) : 0;
      ex.openedConnection = true;
    }
    this.pump();
  }

  private onConnectTimeout(): void {
    this.connectTimer = null;
    if (this.phase !== P_CONNECTING) return;
    const what = this.connectedAt > 0 ? 'TLS handshake' : 'TCP connect';
    this.failConnection('connect_timeout', `${what} to ${this.origin.key} took longer than ${this.opts.connectTimeoutMs} ms`, false);
  }

  private clearConnectTimer(): void {
    if (this.connectTimer !== null) {
      clearTimeout(this.connectTimer);
      this.connectTimer = null;
    }
  }

  /** Forget the current socket (its late events are ignored) and destroy it. */
  private dropSocket(): void {
    const s = this.socket;
    this.socket = null;
    this.phase = P_NONE;
    this.trigger = null;
    this.clearConnectTimer();
    this.onWritten = () => {};
    if (s !== null) s.destroy();
  }

  // ---- reading ----

  onData(chunk: Buffer, end: number): void {
    const t = performance.now();
    const parser = this.parser;
    const s = this.socket;
    let off = 0;
    while (off < end) {
      const ex = this.inflight[0];
      if (ex === undefined) {
        // Bytes nobody asked for (e.g. a 408 before an idle close): this socket cannot be trusted.
        this.dropSocket();
        this.pump();
        return;
      }
      if (ex.firstByteAt === 0) ex.firstByteAt = t;
      const n = parser.feed(chunk, off, end);
      off += n;
      ex.bytesReceived += n;
      const st = parser.state;
      if (st === ParseState.COMPLETE) {
        this.completeHead(t);
        if (this.socket !== s) return;
      } else if (st === ParseState.ERROR) {
        this.failConnection(parser.errorKind ?? 'malformed', parser.errorMessage, false);
        return;
      } else if (n === 0) {
        return; // cannot happen: the parser consumes or changes state; guards against a spin
      }
    }
  }

  onEnd(): void {
    const ex = this.inflight[0];
    if (ex === undefined) {
      // Idle keep-alive connection closed by the server: the next send reconnects.
      this.dropSocket();
      this.pump();
      return;
    }
    this.parser.finish();
    if (this.parser.state === ParseState.COMPLETE) this.completeHead(performance.now());
    else this.failConnection(this.parser.errorKind ?? 'closed_early', this.parser.errorMessage, true);
  }

  /** inflight[0]'s response is complete. */
  private completeHead(t: number): void {
    this.depth++;
    try {
      this.completeHeadNow(t);
    } finally {
      this.leave();
    }
  }

  private completeHeadNow(t: number): void {
    const parser = this.parser;
    const ex = this.inflight.shift()!;
    const keep = parser.keepAlive && this.opts.keepAlive;
    this.settle(ex, t, null, '');
    if (!keep) {
      // Server said close (or we do not keep alive): anything pipelined behind will not be answered.
      this.failConnection('closed_early', 'the server closed the connection after an earlier response', true);
      return;
    }
    const next = this.inflight[0];
    if (next !== undefined) this.startParser(next);
    this.pump();
  }

  // ---- failures and timeouts ----

  /**
   * Destroy the socket and resolve what it carried. Exchanges that never got a byte on a reused
   * connection are re-queued once when idempotent; after a failure while connecting, everything
   * queued fails with the same kind (it was all waiting for that connection).
   */
  failConnection(kind: FailureKind, message: string, allowRetry: boolean): void {
    this.depth++;
    try {
      this.failConnectionNow(kind, message, allowRetry);
    } finally {
      this.leave();
    }
  }

  private failConnectionNow(kind: FailureKind, message: string, allowRetry: boolean): void {
    const t = performance.now();
    const wasConnecting = this.phase === P_CONNECTING;
    const trigger = this.trigger;
    if (wasConnecting && trigger !== null) trigger.connecting = Math.max(0, t - this.tcpStartAt);
    const inflight = this.inflight;
    this.inflight = [];
    this.dropSocket();
    const retry: Exchange[] = [];
    for (let i = 0; i < inflight.length; i++) {
      const ex = inflight[i]!;
      if (allowRetry && canRetry(ex, kind)) {
        resetForRetry(ex);
        retry.push(ex);
      } else {
        this.settle(ex, t, kind, message);
      }
    }
    if (wasConnecting) {
      const queue = this.queue;
      this.queue = [];
      for (const ex of queue) this.settle(ex, t, kind, message);
    }
    this.parserOwner = null;
    if (retry.length > 0) this.queue = retry.concat(this.queue);
    this.pump();
  }

  private armTimer(deadline: number): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timerAt = deadline;
    this.timer = setTimeout(this.onTimerBound, Math.max(1, deadline - performance.now()));
    this.timer.unref();
  }

  private clearTimer(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    this.timerAt = Infinity;
  }

  private onTimer(): void {
    this.depth++;
    try {
      this.onTimerNow();
    } finally {
      this.leave();
    }
  }

  private onTimerNow(): void {
    this.timer = null;
    this.timerAt = Infinity;
    const t = performance.now();
    if (this.queue.some((ex) => ex.deadline <= t)) {
      const keep: Exchange[] = [];
      for (const ex of this.queue) {
        if (ex.deadline <= t) this.settle(ex, t, 'request_timeout', 'no response before the request timeout (request never sent)');
        else keep.push(ex);
      }
      this.queue = keep;
    }
    if (this.inflight.some((ex) => ex.deadline <= t)) {
      // Responses come in order: a stuck one blocks everything pipelined behind it.
      this.failConnection('request_timeout', 'no complete response before the request timeout', false);
    }
    let next = Infinity;
    for (const ex of this.queue) if (ex.deadline < next) next = ex.deadline;
    for (const ex of this.inflight) if (ex.deadline < next) next = ex.deadline;
    if (next !== Infinity) this.armTimer(next);
  }

  // ---- results ----

  /** Resolve ex; status, headers and body come from the parser when it was reading ex's response. */
  private settle(ex: Exchange, end: number, kind: FailureKind | null, message: string): void {
    const p = this.parser;
    const withParser = ex === this.parserOwner;
    if (withParser) this.parserOwner = null;
    const w = ex.writeStartAt;
    const first = ex.firstByteAt;
    let flushed = ex.flushedAt;
    if (w > 0) {
      // The write callback can run after the first response byte was read; the flush was earlier.
      if (first > 0 && (flushed === 0 || flushed > first)) flushed = first;
      else if (flushed === 0) flushed = end; // failed before the write was flushed
    }
    const sending = w > 0 && flushed > 0 ? Math.max(0, flushed - w) : 0;
    const waiting = flushed > 0 ? Math.max(0, (first > 0 ? first : end) - flushed) : 0;
    const receiving = first > 0 ? Math.max(0, end - first) : 0;
    if (w === 0) ex.blocked = Math.max(0, end - ex.startedAt - ex.connecting - ex.tlsHandshaking);
    const ok = kind === null;
    const res = new LazyHeadersResponse(
      withParser ? p.status : 0,
      withParser ? p.statusText : '',
      withParser ? p.httpVersion : '',
      withParser ? p.headText : '',
      withParser && ok && ex.keepBody ? p.body : null,
      withParser ? p.bodyBytes : 0,
      ex.bytesReceived,
      ex.bytesSent,
      {
        blocked: ex.blocked,
        connecting: ex.connecting,
        tlsHandshaking: ex.tlsHandshaking,
        sending,
        waiting,
        receiving,
        // A cut request has no answer to time: its duration is how long it had been waiting (types.ts).
        duration: kind === 'cut_at_stop' ? end - ex.startedAt : sending + waiting + receiving,
        startedAt: ex.startedAt,
        endedAt: end,
      },
      ok ? null : { kind, message },
      ex.reused,
    );
    res.tls = this.tlsAgreement;
    // Recycled before the callback runs: the callback often sends the VU's next request at once.
    const done = ex.resolve;
    ex.resolve = noop;
    if (this.trigger === ex) this.trigger = null;
    this.spare = ex;
    if (this.depth > 0) {
      this.deferred[this.ndeferred++] = done;
      this.deferred[this.ndeferred++] = res;
    } else {
      done(res);
    }
  }
}

function canRetry(ex: Exchange, kind: FailureKind): boolean {
  return (
    !ex.retried && ex.reused && ex.bytesReceived === 0 && (kind === 'reset' || kind === 'closed_early') && IDEMPOTENT.has(ex.req.method)
  );
}

function resetForRetry(ex: Exchange): void {
  ex.retried = true;
  ex.openedConnection = false;
  ex.reused = false;
  ex.writeStartAt = 0;
  ex.flushedAt = 0;
  ex.firstByteAt = 0;
  ex.seq = 0;
  ex.connecting = 0;
  ex.tlsHandshaking = 0;
}

// ---- shared socket event handlers ----

const OWNER = Symbol('speedguard.connection');
type OwnedSocket = net.Socket & { [OWNER]?: Http1Connection };

/** The connection that owns `s` while it is that connection's current socket, else null. */
function ownerOf(s: net.Socket): Http1Connection | null {
  const c = (s as OwnedSocket)[OWNER];
  return c !== undefined && c.socket === s ? c : null;
}

function onSocketRead(this: net.Socket, n: number, buf: Uint8Array): boolean {
  ownerOf(this)?.onData(buf as Buffer, n);
  return true; // keep reading
}

function onSocketData(this: net.Socket, chunk: Buffer): void {
  ownerOf(this)?.onData(chunk, chunk.length);
}

// connecting is measured from the end of DNS resolution (k6 counts DNS in blocked).
function onSocketLookup(this: net.Socket): void {
  const c = ownerOf(this);
  if (c !== null) c.tcpStartAt = performance.now();
}

function onSocketConnect(this: net.Socket): void {
  const c = ownerOf(this);
  if (c === null) return;
  c.connectedAt = performance.now();
  this.setNoDelay(true);
  c.onOpened();
  if (!c.origin.tls) c.onReady();
}

function onSocketSecureConnect(this: net.Socket): void {
  ownerOf(this)?.onReady();
}

function onSocketEnd(this: net.Socket): void {
  ownerOf(this)?.onEnd();
}

function onSocketError(this: net.Socket, err: Error): void {
  const c = ownerOf(this);
  if (c === null) return;
  const phase: ConnectPhase = c.phase === P_OPEN ? 'open' : c.connectedAt > 0 && c.origin.tls ? 'tls' : 'tcp';
  c.failConnection(classifyError(err, phase), errorMessage(err), true);
}

function onSocketClose(this: net.Socket): void {
  ownerOf(this)?.failConnection('closed_early', 'connection closed', true);
}
