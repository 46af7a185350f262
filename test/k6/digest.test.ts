// Digest answers checked against the worked example of RFC 7616 §3.9.1 (the same request answered
// with SHA-256 and with MD5), and the parsing of challenges as servers send them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { digestAuthorization, digestChallenges } from '../../src/k6/http/digest.ts';

const NONCE = '7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v';
const OPAQUE = 'FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS';
const CNONCE = 'f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ';
// As a server offers both (RFC 7616 §3.9.1): two WWW-Authenticate headers, joined by the client.
const HEADER =
  `Digest realm="http-auth@example.org", qop="auth, auth-int", algorithm=SHA-256, nonce="${NONCE}", opaque="${OPAQUE}", ` +
  `Digest realm="http-auth@example.org", qop="auth, auth-int", algorithm=MD5, nonce="${NONCE}", opaque="${OPAQUE}"`;

const response = (header: string) => /response="([0-9a-f]+)"/.exec(header)![1];

test('the RFC 7616 example: SHA-256 preferred over MD5, both answers as the RFC gives them', () => {
  const challenges = digestChallenges(HEADER);
  assert.deepEqual(
    challenges.map((c) => c.algorithm),
    ['SHA-256', 'MD5'],
  );
  assert.equal(challenges[0]!.qop, 'auth, auth-int');
  const sha = digestAuthorization(challenges[0]!, 'Mufasa', 'Circle of Life', 'GET', '/dir/index.html', null, CNONCE);
  assert.equal(response(sha), '753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1');
  assert.match(sha, /qop=auth, nc=00000001, cnonce="f2\/wE4q74E6zIJEtWaHKaf5wv\/H5QzzpXusqGemxURZJ"/);
  assert.match(sha, new RegExp(`opaque="${OPAQUE.replace(/\//g, '\\/')}"`));
  const md5 = digestAuthorization(challenges[1]!, 'Mufasa', 'Circle of Life', 'GET', '/dir/index.html', null, CNONCE);
  assert.equal(response(md5), '8ca523f5e9506fed4657c9700eebdbec');
});

test('an RFC 2069 challenge (no qop) and an unknown algorithm', () => {
  const [old] = digestChallenges('Digest realm="r", nonce="n"');
  assert.equal(old!.algorithm, 'MD5');
  const header = digestAuthorization(old!, 'u', 'p', 'GET', '/x', null, 'c');
  assert.doesNotMatch(header, /qop=|nc=|cnonce=/);
  assert.deepEqual(digestChallenges('Digest realm="r", nonce="n", algorithm=SHA-1'), []);
  assert.deepEqual(digestChallenges('Basic realm="r"'), []);
});
