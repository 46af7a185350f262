// One fault server per FailureKind: the request resolves (never rejects) with the right error.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { EventEmitter } from 'node:events';
import { createHttpClient } from '../../../src/engine/http/client.ts';
import { prepareRequest } from '../../../src/engine/http/encode.ts';
import { classifyError } from '../../../src/engine/http/failure.ts';
import type { HttpResponse } from '../../../src/engine/http/types.ts';
import { SEND, assertOk, assertSaneTimings, closeServer, listen, once, rawServer } from './helpers.ts';

function assertFailed(res: HttpResponse, kind: string): void {
  assert.ok(res.error !== null, `expected ${kind}, got status ${res.status}`);
  assert.equal(res.error.kind, kind, res.error.message);
  assert.ok(res.error.message.length > 0 && !res.error.message.includes('\n'));
  assert.equal(res.body, null);
}

test('connection refused', async () => {
  const probe = net.createServer();
  const port = await listen(probe);
  await closeServer(probe);
  const client = createHttpClient({});
  const res = await client.send(prepareRequest('GET', `http://127.0.0.1:${port}/`), SEND);
  assertFailed(res, 'connect_refused');
  assert.equal(res.status, 0);
  assert.equal(client.connectionsOpened, 0);
  assert.ok(res.timings.endedAt >= res.timings.startedAt);
  client.close();
});

test('reset in the middle of a response', async (t) => {
  const server = rawServer((socket) => {
    socket.write('HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n' + 'x'.repeat(1000), () => socket.resetAndDestroy());
  });
  const port = await listen(server);
  const client = createHttpClient({});
  t.after(() => {
    client.close();
    return closeServer(server);
  });
  const res = await client.send(prepareRequest('GET', `http://127.0.0.1:${port}/`), SEND);
  assertFailed(res, 'reset');
  // The next send opens a new connection (and fails the same way here).
  assertFailed(await client.send(prepareRequest('GET', `http://127.0.0.1:${port}/`), SEND), 'reset');
  assert.equal(client.connectionsOpened, 2);
});

test('request timeout: the server never answers', async (t) => {
  const server = rawServer(() => {});
  const port = await listen(server);
  const client = createHttpClient({});
  t.after(() => {
    client.close();
    return closeServer(server);
  });
  const res = await client.send(prepareRequest('GET', `http://127.0.0.1:${port}/`), { keepBody: false, requestTimeoutMs: 150 });
  assertFailed(res, 'request_timeout');
  assert.ok(res.timings.endedAt - res.timings.startedAt >= 149, `ended after ${res.timings.endedAt - res.timings.startedAt} ms`);
  assert.ok(res.timings.waiting > 100, `waiting ${res.timings.waiting}`);
  assertSaneTimings(res.timings, { newConnection: true });
});

test('malformed responses', async (t) => {
  const replies = ['HELLO WORLD\r\n\r\n', 'HTTP/1.1 abc OK\r\n\r\n', 'HTTP/1.1 200 OK\r\nContent-Length: x\r\n\r\n'];
  const server = rawServer((socket) => socket.write(replies.shift() ?? ''));
  const port = await listen(server);
  const client = createHttpClient({});
  t.after(() => {
    client.close();
    return closeServer(server);
  });
  for (let i = 0; i < 3; i++) {
    assertFailed(await client.send(prepareRequest('GET', `http://127.0.0.1:${port}/`), SEND), 'malformed');
  }
  assert.equal(client.connectionsOpened, 3, 'a connection is never reused after a failure');
});

/** Writes a 100 MB body (content-length or chunked) with back-pressure, reusing one buffer. */
function bigBodyServer(total: number, chunked: boolean): net.Server {
  const block = Buffer.alloc(64 * 1024, 0x61);
  const chunkHead = Buffer.from(`${block.length.toString(16)}\r\n`);
  return rawServer((socket) => {
    socket.write(`HTTP/1.1 200 OK\r\n${chunked ? 'Transfer-Encoding: chunked' : `Content-Length: ${total}`}\r\n\r\n`);
    let sent = 0;
    const pump = (): void => {
      while (sent < total && !socket.destroyed) {
        sent += block.length;
        const ok = chunked ? (socket.write(chunkHead), socket.write(block), socket.write('\r\n')) : socket.write(block);
        if (!ok) {
          socket.once('drain', pump);
          return;
        }
      }
      if (chunked && sent >= total) socket.write('0\r\n\r\n');
    };
    pump();
  });
}

test('100 MB body is counted without being kept when maxBodyBytes allows it', async (t) => {
  const total = 100 * 1024 * 1024;
  const server = bigBodyServer(total, false);
  const port = await listen(server);
  const client = createHttpClient({ maxBodyBytes: 200 * 1024 * 1024 });
  t.after(() => {
    client.close();
    return closeServer(server);
  });
  const res = await client.send(prepareRequest('GET', `http://127.0.0.1:${port}/`), { keepBody: false, requestTimeoutMs: 15_000 });
  assertOk(res);
  assert.equal(res.bodyBytes, total);
  assert.equal(res.body, null);
  assert.ok(res.bytesReceived > total);
  assert.ok(res.timings.receiving > 0);
});

test('body larger than maxBodyBytes fails body_too_large (declared length and chunked)', async (t) => {
  const total = 100 * 1024 * 1024;
  const declared = bigBodyServer(total, false);
  const chunked = bigBodyServer(total, true);
  const [p1, p2] = [await listen(declared), await listen(chunked)];
  const client = createHttpClient({ maxBodyBytes: 1024 * 1024 });
  t.after(() => {
    client.close();
    return Promise.all([closeServer(declared), closeServer(chunked)]);
  });
  const a = await client.send(prepareRequest('GET', `http://127.0.0.1:${p1}/`), { keepBody: true, requestTimeoutMs: 15_000 });
  assertFailed(a, 'body_too_large');
  assert.equal(a.status, 200, 'the status is kept when the head was read');
  const b = await client.send(prepareRequest('GET', `http://127.0.0.1:${p2}/`), { keepBody: true, requestTimeoutMs: 15_000 });
  assertFailed(b, 'body_too_large');
  assert.ok(b.bodyBytes <= 1024 * 1024 && b.bodyBytes > 0, `stopped after ${b.bodyBytes} bytes`);
});

test('slow drip: waiting and receiving reflect when bytes arrive', async (t) => {
  // Head after 100 ms, then one body byte every 50 ms (5 bytes).
  const server = rawServer((socket) => {
    setTimeout(() => {
      socket.write('HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n1');
      let n = 1;
      const timer = setInterval(() => {
        socket.write(String(++n));
        if (n === 5) clearInterval(timer);
      }, 50);
      socket.once('close', () => clearInterval(timer));
    }, 100);
  });
  const port = await listen(server);
  const client = createHttpClient({});
  t.after(() => {
    client.close();
    return closeServer(server);
  });
  const res = await client.send(prepareRequest('GET', `http://127.0.0.1:${port}/`), SEND);
  assertOk(res);
  assert.equal(res.body?.toString(), '12345');
  assert.ok(res.timings.waiting >= 90, `waiting ${res.timings.waiting}`);
  assert.ok(res.timings.receiving >= 180, `receiving ${res.timings.receiving}`);
  assertSaneTimings(res.timings, { newConnection: true });
});

test('half-close: the server ends its side after half a response', async (t) => {
  const server = rawServer((socket) => socket.end('HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n' + 'y'.repeat(50)));
  const port = await listen(server);
  const client = createHttpClient({});
  t.after(() => {
    client.close();
    return closeServer(server);
  });
  const res = await client.send(prepareRequest('GET', `http://127.0.0.1:${port}/`), SEND);
  assertFailed(res, 'closed_early');
  assert.equal(res.status, 200);
  assert.equal(res.bodyBytes, 50);
});

test('closed with no response at all on a fresh connection: closed_early, not retried', async (t) => {
  let accepted = 0;
  const server = rawServer((socket) => {
    accepted++;
    socket.end();
  });
  const port = await listen(server);
  const client = createHttpClient({});
  t.after(() => {
    client.close();
    return closeServer(server);
  });
  assertFailed(await client.send(prepareRequest('GET', `http://127.0.0.1:${port}/`), SEND), 'closed_early');
  assert.equal(accepted, 1);
});

test('connect timeout: TLS handshake never answered', async (t) => {
  const server = rawServer(() => {}); // accepts TCP, never speaks TLS
  const port = await listen(server);
  const client = createHttpClient({ connectTimeoutMs: 150 });
  t.after(() => {
    client.close();
    return closeServer(server);
  });
  const res = await client.send(prepareRequest('GET', `https://127.0.0.1:${port}/`), SEND);
  assertFailed(res, 'connect_timeout');
  assert.match(res.error!.message, /TLS handshake/);
  // Loose bound: node timers run on the loop's cached clock and may fire a little early.
  assert.ok(res.timings.endedAt - res.timings.startedAt >= 100);
});

test('close() cuts in-flight requests (cut_at_stop, with the time they waited) and aborts later ones', async (t) => {
  const got = new EventEmitter();
  const server = rawServer(() => got.emit('request'));
  const port = await listen(server);
  const client = createHttpClient({});
  t.after(() => closeServer(server));
  const received = once(got, 'request');
  const pending = client.send(prepareRequest('GET', `http://127.0.0.1:${port}/`), SEND);
  await received;
  await new Promise((r) => setTimeout(r, 50));
  client.close();
  const cut = await pending;
  assertFailed(cut, 'cut_at_stop');
  // Its duration is the whole time since it was handed over, not the phases it reached.
  assert.equal(cut.timings.duration, cut.timings.endedAt - cut.timings.startedAt);
  assert.ok(cut.timings.duration >= 40, `duration ${cut.timings.duration}`);
  const later = await client.send(prepareRequest('GET', `http://127.0.0.1:${port}/`), SEND);
  assertFailed(later, 'aborted');
  assert.equal(later.timings.duration, 0);
});

test('unsolicited bytes on an idle connection drop it; the next send reconnects', async (t) => {
  const closed = new EventEmitter();
  const server = rawServer((socket, _head, index) => {
    socket.write('HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nx');
    if (index === 0) {
      socket.on('close', () => closed.emit('close'));
      setImmediate(() => socket.write('HTTP/1.1 408 Request Timeout\r\n\r\n'));
    }
  });
  const port = await listen(server);
  const client = createHttpClient({});
  t.after(() => {
    client.close();
    return closeServer(server);
  });
  const req = prepareRequest('GET', `http://127.0.0.1:${port}/`);
  const firstClosed = once(closed, 'close');
  assertOk(await client.send(req, SEND));
  await firstClosed; // the client dropped the connection that sent the stray 408
  const res = await client.send(req, SEND);
  assertOk(res);
  assert.equal(res.reused, false);
  assert.equal(client.connectionsOpened, 2);
});

test('classifyError maps socket, DNS and TLS codes', () => {
  const e = (code: string) => Object.assign(new Error(code), { code });
  assert.equal(classifyError(e('ENOTFOUND'), 'tcp'), 'dns');
  assert.equal(classifyError(e('EAI_AGAIN'), 'tcp'), 'dns');
  assert.equal(classifyError(e('ECONNREFUSED'), 'tcp'), 'connect_refused');
  assert.equal(classifyError(e('ECONNRESET'), 'open'), 'reset');
  assert.equal(classifyError(e('EPIPE'), 'open'), 'reset');
  assert.equal(classifyError(e('DEPTH_ZERO_SELF_SIGNED_CERT'), 'tls'), 'tls');
  assert.equal(classifyError(e('ERR_TLS_CERT_ALTNAME_INVALID'), 'tls'), 'tls');
  assert.equal(classifyError(e('ERR_SSL_WRONG_VERSION_NUMBER'), 'open'), 'tls');
  assert.equal(classifyError(e('ETIMEDOUT'), 'tcp'), 'connect_timeout');
  assert.equal(classifyError(e('EWHATEVER'), 'tls'), 'tls');
  assert.equal(classifyError(e('EWHATEVER'), 'open'), 'other');
});

test('a port nobody can connect to (0) fails the request instead of throwing', async () => {
  const client = createHttpClient({});
  const res = await client.send(prepareRequest('GET', 'http://127.0.0.1:0/'), SEND);
  assert.ok(res.error !== null);
  assert.equal(client.connectionsOpened, 0);
  client.close();
});
