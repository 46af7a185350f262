// The client against real servers on 127.0.0.1: framing, keep-alive, pipelining, timings.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { EventEmitter } from 'node:events';
import { createHttpClient } from '../../../src/engine/http/client.ts';
import { originOf } from '../../../src/engine/http/connection.ts';
import { prepareRequest } from '../../../src/engine/http/encode.ts';
import { SEND, assertOk, assertSaneTimings, closeServer, listen, once, rawServer } from './helpers.ts';
import type { HttpResponse } from '../../../src/engine/http/types.ts';

test('keep-alive: 100 requests reuse one connection; connecting only on the first', async (t) => {
  const server = http.createServer((req, res) => res.end(`hello ${req.url}`));
  const port = await listen(server);
  const client = createHttpClient({});
  t.after(() => {
    client.close();
    return closeServer(server);
  });
  const req = prepareRequest('GET', `http://127.0.0.1:${port}/k`);
  for (let i = 0; i < 100; i++) {
    const res = await client.send(req, SEND);
    assertOk(res);
    assert.equal(res.body?.toString(), 'hello /k');
    assert.equal(res.bodyBytes, 8);
    assert.equal(res.reused, i > 0);
    assert.equal(res.bytesSent, req.encoded.length);
    assert.ok(res.bytesReceived > 8);
    assertSaneTimings(res.timings, { newConnection: i === 0 });
  }
  assert.equal(client.connectionsOpened, 1);
});

test('Connection: close from the server: each response closes, the next send reconnects', async (t) => {
  const server = http.createServer((_req, res) => {
    res.setHeader('connection', 'close');
    res.end('bye');
  });
  const port = await listen(server);
  const client = createHttpClient({});
  t.after(() => {
    client.close();
    return closeServer(server);
  });
  const req = prepareRequest('GET', `http://127.0.0.1:${port}/`);
  for (let i = 0; i < 5; i++) {
    const res = await client.send(req, SEND);
    assertOk(res);
    assert.equal(res.body?.toString(), 'bye');
    assert.equal(res.reused, false);
    assertSaneTimings(res.timings, { newConnection: true });
  }
  assert.equal(client.connectionsOpened, 5);
});

test('keepAlive false: the client closes after each response', async (t) => {
  const server = http.createServer((_req, res) => res.end('x'));
  const port = await listen(server);
  const client = createHttpClient({ keepAlive: false });
  t.after(() => {
    client.close();
    return closeServer(server);
  });
  const req = prepareRequest('GET', `http://127.0.0.1:${port}/`);
  for (let i = 0; i < 3; i++) assertOk(await client.send(req, SEND));
  assert.equal(client.connectionsOpened, 3);
});

test('pipelining: 4 requests in flight on one connection, answered in order', async (t) => {
  // Answers only once 4 requests have arrived: without pipelining this would time out.
  const heads: string[] = [];
  const server = rawServer((socket, head, index) => {
    heads.push(head);
    if (index === 3) {
      const out = heads.map((h) => {
        const body = h.split(' ')[1]!;
        return `HTTP/1.1 200 OK\r\nContent-Length: ${body.length}\r\n\r\n${body}`;
      });
      socket.write(out.join(''));
    }
  });
  const port = await listen(server);
  const client = createHttpClient({ pipelining: 4 });
  t.after(() => {
    client.close();
    return closeServer(server);
  });
  const reqs = [0, 1, 2, 3].map((i) => prepareRequest('GET', `http://127.0.0.1:${port}/r${i}`));
  const results = await Promise.all(reqs.map((r) => client.send(r, { keepBody: true, requestTimeoutMs: 3000 })));
  assert.deepEqual(
    results.map((r) => r.body?.toString()),
    ['/r0', '/r1', '/r2', '/r3'],
  );
  assert.equal(client.connectionsOpened, 1);
  assert.equal(heads.length, 4);
  results.forEach((r, i) => {
    assertOk(r);
    assertSaneTimings(r.timings, { newConnection: i === 0 });
  });
});

test('pipelining: Connection: close on the first response; requests behind it are resent on a new connection', async (t) => {
  let connections = 0;
  const server = rawServer((socket, head, index) => {
    if (index === 0) connections++;
    const path = head.split(' ')[1]!;
    if (connections === 1) {
      // First connection: answer only the first request, then close.
      if (index === 0) socket.end(`HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: ${path.length}\r\n\r\n${path}`);
      return;
    }
    socket.write(`HTTP/1.1 200 OK\r\nContent-Length: ${path.length}\r\n\r\n${path}`);
  });
  const port = await listen(server);
  const client = createHttpClient({ pipelining: 3 });
  t.after(() => {
    client.close();
    return closeServer(server);
  });
  const results = await Promise.all([0, 1, 2].map((i) => client.send(prepareRequest('GET', `http://127.0.0.1:${port}/p${i}`), SEND)));
  results.forEach((r) => assertOk(r));
  assert.deepEqual(
    results.map((r) => r.body?.toString()),
    ['/p0', '/p1', '/p2'],
  );
  assert.equal(client.connectionsOpened, 2);
});

test('without pipelining, concurrent sends queue on the connection and count as blocked', async (t) => {
  const server = http.createServer((req, res) => res.end(req.url));
  const port = await listen(server);
  const client = createHttpClient({ pipelining: 1 });
  t.after(() => {
    client.close();
    return closeServer(server);
  });
  await client.send(prepareRequest('GET', `http://127.0.0.1:${port}/warm`), SEND);
  const results = await Promise.all([1, 2, 3].map((i) => client.send(prepareRequest('GET', `http://127.0.0.1:${port}/${i}`), SEND)));
  assert.deepEqual(
    results.map((r) => r.body?.toString()),
    ['/1', '/2', '/3'],
  );
  assert.ok(results[2]!.timings.blocked > results[0]!.timings.blocked);
  assert.ok(results[2]!.timings.blocked >= results[1]!.timings.duration * 0.5);
  assert.equal(client.connectionsOpened, 1);
});

test('HEAD, 204 and 304 carry no body; the connection stays usable', async (t) => {
  const server = rawServer((socket, head) => {
    const [method, path] = head.split(' ');
    if (method === 'HEAD') socket.write('HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n');
    else if (path === '/204') socket.write('HTTP/1.1 204 No Content\r\n\r\n');
    else if (path === '/304') socket.write('HTTP/1.1 304 Not Modified\r\nContent-Length: 50\r\nETag: "x"\r\n\r\n');
    else socket.write('HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nbody');
  });
  const port = await listen(server);
  const client = createHttpClient({});
  t.after(() => {
    client.close();
    return closeServer(server);
  });
  const base = `http://127.0.0.1:${port}`;
  const head = await client.send(prepareRequest('HEAD', `${base}/`), SEND);
  assertOk(head);
  assert.equal(head.headers['content-length'], '1000');
  assert.equal(head.bodyBytes, 0);
  assert.deepEqual(head.body, Buffer.alloc(0));
  const r204 = await client.send(prepareRequest('GET', `${base}/204`), SEND);
  assertOk(r204, 204);
  const r304 = await client.send(prepareRequest('GET', `${base}/304`), SEND);
  assertOk(r304, 304);
  assert.equal(r304.headers.etag, '"x"');
  assert.equal(r304.bodyBytes, 0);
  const get = await client.send(prepareRequest('GET', `${base}/`), SEND);
  assertOk(get);
  assert.equal(get.body?.toString(), 'body');
  assert.equal(client.connectionsOpened, 1);
});

test('chunked bodies from node:http and with extensions and trailers', async (t) => {
  const server = http.createServer((_req, res) => {
    res.write('one,');
    res.write('two,');
    res.end('three');
  });
  const port = await listen(server);
  const raw = rawServer((socket) => {
    socket.write('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nTrailer: X-T\r\n\r\n3;a=b\r\nabc\r\n2\r\nde\r\n0\r\nX-T: 1\r\n\r\n');
  });
  const rawPort = await listen(raw);
  const client = createHttpClient({});
  t.after(() => {
    client.close();
    return Promise.all([closeServer(server), closeServer(raw)]);
  });
  const a = await client.send(prepareRequest('GET', `http://127.0.0.1:${port}/`), SEND);
  assertOk(a);
  assert.equal(a.headers['transfer-encoding'], 'chunked');
  assert.equal(a.body?.toString(), 'one,two,three');
  assert.equal(a.bodyBytes, 13);
  for (let i = 0; i < 2; i++) {
    const b = await client.send(prepareRequest('GET', `http://127.0.0.1:${rawPort}/`), SEND);
    assertOk(b);
    assert.equal(b.body?.toString(), 'abcde');
  }
  assert.equal(client.connectionsOpened, 2, 'one connection per origin');
});

test('close-delimited body ends at FIN; the next request reconnects', async (t) => {
  const server = rawServer((socket) => {
    socket.write('HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\nuntil ');
    setImmediate(() => socket.end('the end'));
  });
  const port = await listen(server);
  const client = createHttpClient({});
  t.after(() => {
    client.close();
    return closeServer(server);
  });
  const req = prepareRequest('GET', `http://127.0.0.1:${port}/`);
  for (let i = 0; i < 2; i++) {
    const res = await client.send(req, SEND);
    assertOk(res);
    assert.equal(res.body?.toString(), 'until the end');
    assertSaneTimings(res.timings, { newConnection: true });
  }
  assert.equal(client.connectionsOpened, 2);
});

test('1xx interim responses are skipped', async (t) => {
  const server = rawServer((socket) => {
    socket.write('HTTP/1.1 103 Early Hints\r\nLink: </s.css>; rel=preload\r\n\r\n');
    setImmediate(() => socket.write('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok'));
  });
  const port = await listen(server);
  const client = createHttpClient({});
  t.after(() => {
    client.close();
    return closeServer(server);
  });
  const res = await client.send(prepareRequest('GET', `http://127.0.0.1:${port}/`), SEND);
  assertOk(res);
  assert.equal(res.body?.toString(), 'ok');
  assert.equal(res.headers.link, undefined);
});

test('POST body reaches the server; keepBody false drops the response body but counts it', async (t) => {
  const server = http.createServer((req, res) => {
    const parts: Buffer[] = [];
    req.on('data', (c: Buffer) => parts.push(c));
    req.on('end', () => res.end(`${req.method} ${req.headers['content-length']} ${Buffer.concat(parts).toString()}`));
  });
  const port = await listen(server);
  const client = createHttpClient({});
  t.after(() => {
    client.close();
    return closeServer(server);
  });
  const req = prepareRequest('POST', `http://127.0.0.1:${port}/`, { 'content-type': 'text/plain' }, 'payload');
  const kept = await client.send(req, SEND);
  assert.equal(kept.body?.toString(), 'POST 7 payload');
  const dropped = await client.send(req, { keepBody: false, requestTimeoutMs: 5000 });
  assertOk(dropped);
  assert.equal(dropped.body, null);
  assert.equal(dropped.bodyBytes, 14);
});

test('a request the kernel cannot take at once: sending lasts until it has gone, not until the response', async (t) => {
  // The server reads nothing for 300 ms, so an 8 MB body fills the socket buffers and the write
  // completes later (the empty write queued behind it reports when); it answers 200 ms after the
  // body's end. Then a small request on the same connection is written at once.
  const HOLD_MS = 300;
  const THINK_MS = 200;
  const server = http.createServer((req, res) => {
    req.pause();
    let n = 0;
    setTimeout(() => {
      req.on('data', (c: Buffer) => (n += c.length));
      req.on('end', () => setTimeout(() => res.end(String(n)), THINK_MS));
      req.resume();
    }, HOLD_MS);
  });
  const port = await listen(server);
  const client = createHttpClient({});
  t.after(() => {
    client.close();
    return closeServer(server);
  });
  const body = Buffer.alloc(8 << 20, 97);
  const big = await client.send(prepareRequest('POST', `http://127.0.0.1:${port}/`, {}, body), SEND);
  assertOk(big);
  assert.equal(big.body?.toString(), String(body.length));
  assertSaneTimings(big.timings, { newConnection: true });
  assert.ok(big.timings.sending >= HOLD_MS * 0.8, `sending ${big.timings.sending} ms while the server held its reads for ${HOLD_MS} ms`);
  // Had the flush not been seen, sending would run to the first response byte and waiting be ~0.
  assert.ok(big.timings.waiting >= THINK_MS * 0.8, `waiting ${big.timings.waiting} ms while the server thought for ${THINK_MS} ms`);
  const small = await client.send(prepareRequest('POST', `http://127.0.0.1:${port}/`, {}, 'x'), SEND);
  assertOk(small);
  assert.equal(small.reused, true);
  assert.ok(small.timings.sending < big.timings.sending / 10, `small request: sending ${small.timings.sending} ms`);
});

test('exact byte counts: bytesSent is the encoded request, bytesReceived the raw response', async (t) => {
  const response = 'HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nabc';
  const server = rawServer((socket) => socket.write(response));
  const port = await listen(server);
  const client = createHttpClient({});
  t.after(() => {
    client.close();
    return closeServer(server);
  });
  const req = prepareRequest('GET', `http://127.0.0.1:${port}/`);
  const res = await client.send(req, SEND);
  assert.equal(res.bytesSent, req.encoded.length);
  assert.equal(res.bytesReceived, response.length);
});

test('an idle connection closed by the server is replaced without an error', async (t) => {
  const closed = new EventEmitter();
  let served = 0;
  const server = rawServer((socket) => {
    served++;
    socket.on('close', () => closed.emit('close'));
    // No Connection: close header: the client learns it only from the FIN.
    socket.end('HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nx');
  });
  const port = await listen(server);
  const client = createHttpClient({});
  t.after(() => {
    client.close();
    return closeServer(server);
  });
  const req = prepareRequest('GET', `http://127.0.0.1:${port}/`);
  for (let i = 0; i < 3; i++) {
    const serverClosed = once(closed, 'close');
    const res = await client.send(req, SEND);
    assertOk(res);
    assert.equal(res.reused, false);
    await serverClosed; // the client has seen the FIN and dropped its socket
  }
  assert.equal(served, 3);
  assert.equal(client.connectionsOpened, 3);
});

test('keep-alive race: an idempotent request that got no byte on a reused connection is retried once', async (t) => {
  // Every connection answers its first request and dies on its second (as if closed while idle).
  const server = rawServer((socket, _head, index) => {
    if (index === 0) socket.write('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok');
    else socket.destroy();
  });
  const port = await listen(server);
  const client = createHttpClient({});
  t.after(() => {
    client.close();
    return closeServer(server);
  });
  const get = prepareRequest('GET', `http://127.0.0.1:${port}/`);
  assertOk(await client.send(get, SEND));
  const retried = await client.send(get, SEND);
  assertOk(retried);
  assert.equal(retried.reused, false);
  assert.equal(retried.bytesSent, 2 * get.encoded.length);
  assertSaneTimings(retried.timings, { newConnection: true });
  assert.equal(client.connectionsOpened, 2);
  // A POST is not idempotent: it fails instead of being sent twice.
  const post = await client.send(prepareRequest('POST', `http://127.0.0.1:${port}/`, {}, 'x'), SEND);
  assert.ok(post.error !== null && ['reset', 'closed_early'].includes(post.error.kind), JSON.stringify(post.error));
});

test('originOf: pool key, default ports, SNI only for names', () => {
  assert.deepEqual(originOf(new URL('https://Example.test/x')), {
    key: 'https://example.test:443',
    host: 'example.test',
    port: 443,
    tls: true,
    servername: 'example.test',
  });
  assert.deepEqual(originOf(new URL('http://[::1]:81/')), {
    key: 'http://[::1]:81',
    host: '::1',
    port: 81,
    tls: false,
    servername: undefined,
  });
  assert.equal(originOf(new URL('https://127.0.0.1/')).servername, undefined);
});

// sendWith's callback runs synchronously from the connection; sending the next request from inside
// it (what the engine's flows do) must find the connection in a consistent state.
for (const close of [false, true]) {
  test(`sendWith: each response's callback sends the next request at once (${close ? 'Connection: close' : 'keep-alive'})`, async (t) => {
    const server = http.createServer((req, res) => {
      if (close) res.setHeader('connection', 'close');
      res.end(`r ${req.url}`);
    });
    const port = await listen(server);
    const client = createHttpClient({});
    t.after(() => {
      client.close();
      return closeServer(server);
    });
    const req = prepareRequest('GET', `http://127.0.0.1:${port}/s`);
    const total = 50;
    const seen: HttpResponse[] = [];
    await new Promise<void>((resolve) => {
      const done = (res: HttpResponse): void => {
        assertOk(res);
        assert.equal(res.body?.toString(), 'r /s');
        seen.push(res);
        if (seen.length < total) client.sendWith(req, SEND, done);
        else resolve();
      };
      client.sendWith(req, SEND, done);
    });
    assert.equal(seen.length, total);
    assert.equal(client.connectionsOpened, close ? total : 1);
    assert.deepEqual(
      seen.map((r) => r.reused),
      seen.map((_, i) => !close && i > 0),
    );
    // After close(), a send is answered at once (synchronously) with 'aborted'.
    client.close();
    let aborted: HttpResponse | null = null;
    client.sendWith(req, SEND, (res) => {
      aborted = res;
    });
    assert.equal((aborted as HttpResponse | null)?.error?.kind, 'aborted');
  });
}
