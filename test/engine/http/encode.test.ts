import { test } from 'node:test';
import assert from 'node:assert/strict';
import { InvalidRequestError, prepareRequest } from '../../../src/engine/http/encode.ts';

test('GET: host, default headers, path with query, no body', () => {
  const r = prepareRequest('get', 'http://example.test:8080/a/b?x=1&y=%20#frag', { Accept: 'text/html' });
  assert.equal(r.method, 'GET');
  assert.equal(r.isHead, false);
  assert.equal(r.body, null);
  assert.deepEqual(r.headers, {
    accept: 'text/html',
    host: 'example.test:8080',
    connection: 'keep-alive',
    'user-agent': 'speedguard/0.1',
  });
  assert.equal(
    r.encoded.toString('latin1'),
    'GET /a/b?x=1&y=%20 HTTP/1.1\r\nhost: example.test:8080\r\naccept: text/html\r\n' +
      'connection: keep-alive\r\nuser-agent: speedguard/0.1\r\n\r\n',
  );
});

test('default ports are left out of Host; IPv6 keeps brackets', () => {
  assert.equal(prepareRequest('GET', 'https://example.test:443/').headers.host, 'example.test');
  assert.equal(prepareRequest('GET', new URL('http://[::1]:9000/')).headers.host, '[::1]:9000');
});

test('POST body: content-length and body appended after the head', () => {
  const r = prepareRequest('POST', 'http://h.test/p', { 'Content-Type': 'application/json' }, '{"é":1}');
  assert.equal(r.headers['content-length'], '8');
  const text = r.encoded.toString('latin1');
  const split = text.indexOf('\r\n\r\n');
  assert.ok(split > 0);
  assert.deepEqual(r.encoded.subarray(split + 4), Buffer.from('{"é":1}'));
  assert.match(text, /content-length: 8\r\n/);
});

test('POST without body sends content-length: 0; bytes bodies are accepted', () => {
  assert.equal(prepareRequest('POST', 'http://h.test/').headers['content-length'], '0');
  assert.equal(prepareRequest('GET', 'http://h.test/').headers['content-length'], undefined);
  const r = prepareRequest('PUT', 'http://h.test/', {}, new Uint8Array([1, 2, 3]));
  assert.deepEqual(r.body, Buffer.from([1, 2, 3]));
  assert.equal(r.headers['content-length'], '3');
});

test('user headers override defaults (case-insensitive); HEAD is flagged', () => {
  const r = prepareRequest('HEAD', 'http://h.test/', { Connection: 'close', 'USER-AGENT': 'me', Host: 'other' });
  assert.equal(r.isHead, true);
  assert.equal(r.headers.connection, 'close');
  assert.equal(r.headers['user-agent'], 'me');
  assert.equal(r.headers.host, 'other');
  assert.equal(r.encoded.toString().match(/user-agent/gi)?.length, 1);
});

test('bad input is rejected with a message naming the problem', () => {
  const bad: [() => unknown, RegExp][] = [
    [() => prepareRequest('GET', 'ftp://h.test/'), /unsupported URL scheme "ftp:"/],
    [() => prepareRequest('GET', 'not a url'), /invalid URL/],
    [() => prepareRequest('GE T', 'http://h.test/'), /invalid HTTP method/],
    [() => prepareRequest('', 'http://h.test/'), /invalid HTTP method/],
    [() => prepareRequest('GET', 'http://h.test/', { 'X-A': 'a\r\nInjected: 1' }), /invalid value for header "X-A"/],
    [() => prepareRequest('GET', 'http://h.test/', { 'X-A': 'a\nb' }), /invalid value/],
    [() => prepareRequest('GET', 'http://h.test/', { 'Bad Name': 'x' }), /invalid header name "Bad Name"/],
    [() => prepareRequest('GET', 'http://h.test/', { 'X\r\nY': 'x' }), /invalid header name/],
    [() => prepareRequest('GET', 'http://h.test/', { 'x-a': '1', 'X-A': '2' }), /given twice/],
    [() => prepareRequest('POST', 'http://h.test/', { 'Content-Length': '3' }, 'ab'), /content-length is 3 but the body has 2/],
    [() => prepareRequest('POST', 'http://h.test/', { 'Transfer-Encoding': 'chunked' }, 'ab'), /transfer-encoding/],
    [() => prepareRequest('GET', 'http://u:p@h.test/'), /credentials/],
    [() => prepareRequest('GET', 'http://h.test/', { 'X-A': 'snowman ☃' }), /non-latin1/],
  ];
  for (const [fn, re] of bad) {
    assert.throws(fn, (err: unknown) => err instanceof InvalidRequestError && re.test(err.message) && !err.message.includes('\n'));
  }
});
