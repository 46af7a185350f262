// The `k6` module's fail() and randomSeed(), k6/encoding and k6/crypto, as a k6 script uses them
// (k6 docs: k6/fail, k6/randomseed, k6-encoding, k6-crypto).
import http from 'k6/http';
import { check, fail, randomSeed } from 'k6';
import encoding, { b64decode, b64encode } from 'k6/encoding';
import crypto from 'k6/crypto';
import { Counter } from 'k6/metrics';

export const options = { vus: 1, iterations: 3 };
const passedFail = new Counter('passed_fail');

/** k6's Hasher: update() (not chainable in k6), then digest(). */
function hashed(algorithm, text) {
  const hasher = crypto.createHash(algorithm);
  hasher.update(text.slice(0, 4));
  hasher.update(text.slice(4));
  return hasher.digest('hex');
}

export default function () {
  randomSeed(42);
  const first = [Math.random(), Math.random()];
  randomSeed(42);
  const again = [Math.random(), Math.random()];
  check(first, { 'randomSeed repeats the sequence': (a) => a[0] === again[0] && a[1] === again[1] && a[0] !== a[1] });

  const res = http.post(`${__ENV.BASE}/echo`, b64encode('user:passwd'));
  check(res, {
    'b64 round trip through the server': (r) => b64decode(r.json('rawBody'), 'std', 's') === 'user:passwd',
    'b64 rawurl variant': () => encoding.b64encode('??>', 'rawurl') === 'Pz8-',
    'sha256 of the body': (r) => crypto.sha256(r.json('rawBody'), 'hex') === hashed('sha256', 'dXNlcjpwYXNzd2Q='),
    'md5 hex': () => crypto.md5('abc', 'hex') === '900150983cd24fb0d6963f7d28e17f72',
    'hmac sha256': () =>
      crypto.hmac('sha256', 'key', 'The quick brown fox jumps over the lazy dog', 'hex') ===
      'f7bc83f430538424b13298e6aa6fb143ef4d59a14946175997479dbc2d1a3cd8',
  });
  // fail() ends this iteration: nothing after it runs (k6 docs: "fail( [err] )").
  if (__ITER === 1) fail('the second iteration fails');
  passedFail.add(1);
}
