import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ParseState, ResponseParser } from '../../../src/engine/http/parser.ts';
import { b, parsePieces, splitAt } from './parse-helpers.ts';

const one = (s: string, opts = {}) => parsePieces([b(s)], opts);
const bytewise = (s: string, opts = {}) => parsePieces(splitAt(b(s), [...Array(s.length).keys()]), opts);

test('content-length body, status line, headers', () => {
  const raw = 'HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 5\r\n\r\nhello';
  for (const out of [one(raw), bytewise(raw)]) {
    assert.equal(out.responses.length, 1);
    const r = out.responses[0]!;
    assert.equal(r.status, 200);
    assert.equal(r.statusText, 'OK');
    assert.equal(r.httpVersion, '1.1');
    assert.deepEqual(r.headers, { 'content-type': 'text/plain', 'content-length': '5' });
    assert.equal(r.body, 'hello');
    assert.equal(r.bodyBytes, 5);
    assert.equal(r.bytesRead, raw.length);
    assert.equal(r.keepAlive, true);
  }
});

test('headers: case-insensitive names, repeated joined, set-cookie joined by newline, OWS trimmed', () => {
  const out = one(
    'HTTP/1.1 200 OK\r\nX-A: 1\r\nx-a:2\r\nSet-Cookie: a=1; Path=/\r\nset-cookie: b=2, c\r\n' +
      'X-Space: \t v \t\r\nContent-Length: 0\r\n\r\n',
  );
  assert.deepEqual(out.responses[0]!.headers, {
    'x-a': '1, 2',
    'set-cookie': 'a=1; Path=/\nb=2, c',
    'x-space': 'v',
    'content-length': '0',
  });
});

test('header names that are Object.prototype keys stay plain own properties', () => {
  const out = one('HTTP/1.1 200 OK\r\n__proto__: x\r\nconstructor: y\r\nconstructor: z\r\nContent-Length: 0\r\n\r\n');
  const h = out.responses[0]!.headers;
  assert.equal(Object.getPrototypeOf(h), Object.prototype);
  assert.equal(Object.getOwnPropertyDescriptor(h, '__proto__')?.value, 'x');
  assert.equal(h.constructor as unknown, 'y, z');
});

test('status line without reason phrase; HTTP/1.0 closes unless keep-alive', () => {
  const a = one('HTTP/1.1 404\r\nContent-Length: 0\r\n\r\n').responses[0]!;
  assert.equal(a.status, 404);
  assert.equal(a.statusText, '');
  const c = one('HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n').responses[0]!;
  assert.equal(c.keepAlive, false);
  const d = one('HTTP/1.0 200 OK\r\nConnection: Keep-Alive\r\nContent-Length: 0\r\n\r\n').responses[0]!;
  assert.equal(d.keepAlive, true);
  const e = one('HTTP/1.1 200 OK\r\nConnection: foo, Close\r\nContent-Length: 0\r\n\r\n').responses[0]!;
  assert.equal(e.keepAlive, false);
});

test('chunked with extensions and trailers, any split', () => {
  const raw =
    'HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n' +
    '5;name=value\r\nhello\r\n1 ; ext\r\n \r\n00005\r\nworld\r\n0\r\nX-Trailer: t\r\nX-Other: u\r\n\r\n';
  for (const out of [one(raw), bytewise(raw)]) {
    const r = out.responses[0]!;
    assert.equal(out.responses.length, 1);
    assert.equal(r.body, 'hello world');
    assert.equal(r.bodyBytes, 11);
    assert.equal(r.bytesRead, raw.length);
    assert.equal(r.headers['x-trailer'], undefined, 'trailers are not merged into headers');
  }
});

test('chunked with no trailers and a zero-length body', () => {
  const out = one('HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n0\r\n\r\n');
  assert.equal(out.responses[0]!.body, '');
  assert.equal(out.responses[0]!.bodyBytes, 0);
});

test('transfer-encoding wins over content-length and the connection is not reused', () => {
  const out = one('HTTP/1.1 200 OK\r\nContent-Length: 100\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nok\r\n0\r\n\r\n');
  assert.equal(out.responses[0]!.body, 'ok');
  assert.equal(out.responses[0]!.keepAlive, false);
});

test('transfer-encoding not ending in chunked is close-delimited', () => {
  const out = one('HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\nabc', { eof: true });
  assert.equal(out.responses[0]!.body, 'abc');
});

test('close-delimited body ends at EOF only', () => {
  const pieces = [b('HTTP/1.1 200 OK\r\nContent-Type: x\r\n\r\nsome'), b(' body')];
  const open = parsePieces(pieces);
  assert.equal(open.responses.length, 0);
  assert.equal(open.state, ParseState.BODY);
  const closed = parsePieces(pieces, { eof: true });
  assert.equal(closed.responses.length, 1);
  assert.equal(closed.responses[0]!.body, 'some body');
  assert.equal(closed.responses[0]!.keepAlive, false);
});

test('HEAD response has no body whatever content-length says; next response follows', () => {
  const raw = 'HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok';
  const out = one(raw, { head: (i: number) => i === 0 });
  assert.equal(out.responses.length, 2);
  assert.equal(out.responses[0]!.body, '');
  assert.equal(out.responses[0]!.bodyBytes, 0);
  assert.equal(out.responses[1]!.body, 'ok');
});

test('204 and 304 have no body (304 with a content-length too)', () => {
  const raw =
    'HTTP/1.1 204 No Content\r\n\r\nHTTP/1.1 304 Not Modified\r\nContent-Length: 50\r\n\r\n' +
    'HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nx';
  const out = bytewise(raw);
  assert.deepEqual(
    out.responses.map((r) => [r.status, r.body]),
    [
      [204, ''],
      [304, ''],
      [200, 'x'],
    ],
  );
});

test('1xx interim responses are skipped and their bytes counted', () => {
  const raw =
    'HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </a.css>; rel=preload\r\n\r\n' +
    'HTTP/1.1 201 Created\r\nContent-Length: 2\r\n\r\nhi';
  for (const out of [one(raw), bytewise(raw)]) {
    assert.equal(out.responses.length, 1);
    const r = out.responses[0]!;
    assert.equal(r.status, 201);
    assert.deepEqual(r.headers, { 'content-length': '2' });
    assert.equal(r.bytesRead, raw.length);
  }
});

test('101 Switching Protocols is malformed (never requested)', () => {
  const out = one('HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\r\n');
  assert.equal(out.errorKind, 'malformed');
});

test('pipelined responses in one buffer, with stray CRLF between', () => {
  const raw =
    'HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\naHTTP/1.1 201 OK\r\nTransfer-Encoding: chunked\r\n\r\n' +
    '1\r\nb\r\n0\r\n\r\n\r\nHTTP/1.1 202 OK\r\nContent-Length: 1\r\n\r\nc';
  const out = one(raw);
  assert.deepEqual(
    out.responses.map((r) => [r.status, r.body]),
    [
      [200, 'a'],
      [201, 'b'],
      [202, 'c'],
    ],
  );
  assert.equal(
    out.responses.reduce((n, r) => n + r.bytesRead, 0),
    raw.length,
  );
});

test('keepBody false counts but does not keep the body', () => {
  const out = one('HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello', { keepBody: false });
  assert.equal(out.responses[0]!.body, null);
  assert.equal(out.responses[0]!.bodyBytes, 5);
});

test('malformed: garbage, bad status, bad header lines, obs-fold, bad content-length', () => {
  const cases = [
    'hello world\r\n\r\n',
    'HTTP/1.1 2000 OK\r\n\r\n',
    'HTTP/2 200 OK\r\n\r\n',
    'HTTP/1.1 200 OK\r\nNo colon here\r\n\r\n',
    'HTTP/1.1 200 OK\r\nBad Name: x\r\n\r\n',
    'HTTP/1.1 200 OK\r\nX-A: 1\r\n  folded\r\n\r\n',
    'HTTP/1.1 200 OK\r\nContent-Length: abc\r\n\r\n',
    'HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nx',
    'HTTP/1.1 200 OK\r\nX: a\x01b\r\n\r\n',
    'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n',
    'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nabXY',
    'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\nab\r\n',
  ];
  for (const raw of cases) {
    for (const out of [one(raw), bytewise(raw)]) {
      assert.equal(out.state, ParseState.ERROR, JSON.stringify(raw));
      assert.equal(out.errorKind, 'malformed', JSON.stringify(raw));
      assert.ok(out.errorMessage.length > 0);
    }
  }
  // Identical repeated lengths are allowed.
  assert.equal(one('HTTP/1.1 200 OK\r\nContent-Length: 1, 1\r\n\r\nx').responses[0]!.body, 'x');
});

test('garbage is detected from the first bytes, without waiting for a blank line', () => {
  const out = one('<html>no status line at all');
  assert.equal(out.errorKind, 'malformed');
});

test('head larger than maxHeaderBytes is malformed, in one piece or split', () => {
  const raw = 'HTTP/1.1 200 OK\r\nX-Big: ' + 'a'.repeat(2000) + '\r\nContent-Length: 0\r\n\r\n';
  for (const pieces of [[b(raw)], splitAt(b(raw), [10, 500, 1000, 1500])]) {
    const out = parsePieces(pieces, { maxHeaderBytes: 1024 });
    assert.equal(out.errorKind, 'malformed');
    assert.match(out.errorMessage, /exceeds 1024/);
  }
  assert.equal(parsePieces([b(raw)], { maxHeaderBytes: 4096 }).responses.length, 1);
  // Without a blank line at all, the parser gives up after maxHeaderBytes.
  const endless = parsePieces(splitAt(b('HTTP/1.1 200 OK\r\nX: ' + 'b'.repeat(5000)), [100, 2000]), { maxHeaderBytes: 1024 });
  assert.equal(endless.errorKind, 'malformed');
});

test('maxBodyBytes: declared length, chunked and close-delimited bodies', () => {
  const lim = { maxBodyBytes: 10 };
  assert.equal(one('HTTP/1.1 200 OK\r\nContent-Length: 11\r\n\r\n', lim).errorKind, 'body_too_large');
  assert.equal(one('HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n0123456789', lim).responses[0]!.bodyBytes, 10);
  const chunked = 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n6\r\nabcdef\r\n6\r\nghijkl\r\n0\r\n\r\n';
  assert.equal(bytewise(chunked, lim).errorKind, 'body_too_large');
  assert.equal(one('HTTP/1.1 200 OK\r\n\r\n' + 'x'.repeat(11), lim).errorKind, 'body_too_large');
  assert.equal(one('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nffffffffffffffff\r\n').errorKind, 'body_too_large');
});

test('finish() before the end: closed_early, with a message saying where', () => {
  const none = new ResponseParser();
  none.start(false, false);
  none.finish();
  assert.equal(none.errorKind, 'closed_early');
  assert.match(none.errorMessage, /before any response byte/);
  const half = parsePieces([b('HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n12345')], { eof: true });
  assert.equal(half.errorKind, 'closed_early');
  assert.match(half.errorMessage, /after 5 body bytes/);
  const midHead = parsePieces([b('HTTP/1.1 200 OK\r\nX-')], { eof: true });
  assert.equal(midHead.errorKind, 'closed_early');
});

test('a body spanning many pieces is kept intact without losing bytes', () => {
  const body = Buffer.alloc(100_000, 7);
  body.write('start', 0);
  body.write('end', body.length - 3);
  const raw = Buffer.concat([b(`HTTP/1.1 200 OK\r\nContent-Length: ${body.length}\r\n\r\n`), body]);
  const pieces = splitAt(
    raw,
    Array.from({ length: 60 }, (_, i) => i * 1777 + 3),
  );
  const out = parsePieces(pieces);
  assert.equal(out.responses[0]!.bodyBytes, body.length);
  assert.equal(out.responses[0]!.body, body.toString('latin1'));
});

test('feed(chunk, off, end) ignores bytes after end (a shared read buffer holds older data there)', () => {
  const p = new ResponseParser();
  p.start(false, true, true);
  const raw = Buffer.from('HTTP/1.1 200 OK\r\nContent-Length: 2\r\nX-A: b');
  // Stale bytes that would complete the head, and another response, if they were read.
  const shared = Buffer.concat([raw, Buffer.from('\r\n\r\nokHTTP/1.1 500 No\r\n\r\n')]);
  assert.equal(p.feed(shared, 0, raw.length), raw.length);
  assert.equal(p.state, ParseState.HEAD, 'the head is not complete within end');
  const rest = Buffer.from('\r\n\r\nok');
  const shared2 = Buffer.concat([rest, Buffer.from('\r\n\r\nHTTP/1.1 500 No\r\n\r\n')]);
  assert.equal(p.feed(shared2, 0, rest.length), rest.length);
  assert.equal(p.state, ParseState.COMPLETE);
  assert.equal(p.status, 200);
  assert.deepEqual(p.headers, { 'content-length': '2', 'x-a': 'b' });
  assert.equal(p.body?.toString(), 'ok');
});
