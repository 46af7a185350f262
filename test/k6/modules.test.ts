// The k6 modules' pure parts: gjson selectors, base64 variants, hashes, the cookie jar, k6 option
// mapping and the summary-export shape.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { gjsonGet } from '../../src/k6/http/gjson.ts';
import { b64decode, b64encode } from '../../src/k6/modules/encoding.ts';
import crypto from '../../src/k6/modules/crypto.ts';
import { CookieJar, responseCookies } from '../../src/k6/http/cookies.ts';
import { mapK6Options } from '../../src/k6/options.ts';
import { buildK6SummaryExport, type K6SummaryData } from '../../src/k6/summary.ts';
import { canonicalHeader } from '../../src/k6/http/response.ts';

test('gjson subset: paths, indexes, # and escaped dots', () => {
  const v = { a: { b: 1 }, items: [{ id: 1, n: 'x' }, { id: 2 }], 'dot.key': 5 };
  assert.equal(gjsonGet(v, 'a.b'), 1);
  assert.equal(gjsonGet(v, 'items.1.id'), 2);
  assert.equal(gjsonGet(v, 'items.#'), 2);
  assert.deepEqual(gjsonGet(v, 'items.#.id'), [1, 2]);
  assert.deepEqual(gjsonGet(v, 'items.#.n'), ['x']);
  assert.equal(gjsonGet(v, 'dot\\.key'), 5);
  assert.equal(gjsonGet(v, 'a.missing.deeper'), undefined);
  assert.equal(gjsonGet(v, 'items.x'), undefined);
});

test("base64 in k6's four variants, round trips and string output", () => {
  const input = 'hello?>~';
  assert.equal(b64encode(input), 'aGVsbG8/Pn4=');
  assert.equal(b64encode(input, 'rawstd'), 'aGVsbG8/Pn4');
  assert.equal(b64encode(input, 'url'), 'aGVsbG8_Pn4=');
  assert.equal(b64encode(input, 'rawurl'), 'aGVsbG8_Pn4');
  for (const v of ['std', 'rawstd', 'url', 'rawurl'] as const) assert.equal(b64decode(b64encode(input, v), v, 's'), input, v);
  assert.ok(b64decode('aGk=') instanceof ArrayBuffer);
});

test("hashes and HMAC with k6's output encodings", () => {
  assert.equal(crypto.sha256('abc', 'hex'), 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  assert.equal(crypto.md5('abc', 'hex'), '900150983cd24fb0d6963f7d28e17f72');
  assert.equal(
    crypto.hmac('sha256', 'key', 'The quick brown fox jumps over the lazy dog', 'hex'),
    'f7bc83f430538424b13298e6aa6fb143ef4d59a14946175997479dbc2d1a3cd8',
  );
  const h = crypto.createHash('sha1');
  h.update('a');
  h.update('bc');
  assert.equal(h.digest('base64'), 'qZk+NkcGgWq6PiVxeFDCbJzQ2J0=');
  assert.equal((crypto.randomBytes(8) as ArrayBuffer).byteLength, 8);
  assert.throws(() => crypto.createHash('nope'), /unsupported algorithm "nope"/);
});

test('cookie jar: set, cookiesForURL, delete, clear; response cookies parsed', () => {
  const jar = new CookieJar();
  assert.equal(jar.isEmpty, true);
  jar.store('http://a.test/x', ['s=1; Path=/', 't=2; Path=/x']);
  assert.deepEqual(jar.cookiesForURL('http://a.test/x'), { s: ['1'], t: ['2'] });
  assert.deepEqual(jar.cookiesForURL('http://a.test/'), { s: ['1'] });
  jar.set('http://a.test/', 'u', 'v');
  assert.equal(jar.headerFor('http://a.test/'), 's=1; u=v');
  jar.delete('http://a.test/', 'u');
  assert.deepEqual(jar.cookiesForURL('http://a.test/'), { s: ['1'] });
  jar.clear('http://a.test/x');
  assert.deepEqual(jar.cookiesForURL('http://a.test/x'), {});
  const c = responseCookies(['sid=abc; Path=/; HttpOnly; Max-Age=60']);
  assert.equal(c.sid![0]!.value, 'abc');
  assert.equal(c.sid![0]!.http_only, true);
  assert.equal(c.sid![0]!.max_age, 60);
});

test("header names in Go's canonical form", () => {
  assert.equal(canonicalHeader('content-type'), 'Content-Type');
  assert.equal(canonicalHeader('x-request-id'), 'X-Request-Id');
  assert.equal(canonicalHeader('etag'), 'Etag');
});

test('k6 options map to plan options; unsupported ones are named', () => {
  const warnings: string[] = [];
  const o = mapK6Options(
    {
      vus: 5,
      duration: '10s',
      tags: { env: 'ci' },
      thresholds: { http_req_failed: ['rate<0.01'] },
      insecureSkipTLSVerify: true,
      noConnectionReuse: true,
      maxRedirects: 3,
      userAgent: 'x',
      rps: 10,
      hosts: { 'API.test': '127.0.0.1', 'web.test:443': '127.0.0.1:8443', 'v6.test': '[::1]:8080', 'cname.test': 'other.test' },
      dns: { ttl: 'inf', policy: 'onlyIPv4' },
      tlsVersion: { min: 'tls1.2', max: 'tls1.3' },
      tlsCipherSuites: ['TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256', 'TLS_AES_128_GCM_SHA256'],
      batchPerHost: 2,
      blockHostnames: ['*.cdn.test'],
      scenarios: { s: { executor: 'constant-vus', vus: 2, duration: '1s', options: { browser: {} } } },
    },
    (l) => warnings.push(l),
  );
  assert.equal(o.vus, 5);
  assert.deepEqual(o.http, {
    discardResponseBodies: false,
    insecureSkipTLSVerify: true,
    keepAlive: false,
    rps: 10,
    hosts: { 'api.test': '127.0.0.1', 'web.test:443': '127.0.0.1:8443', 'v6.test': '[::1]:8080' },
    dns: { ttl: 'inf', policy: 'onlyIPv4' },
    tls: { minVersion: 'TLSv1.2', maxVersion: 'TLSv1.3', ciphers: ['ECDHE-RSA-AES128-GCM-SHA256', 'TLS_AES_128_GCM_SHA256'] },
  });
  assert.deepEqual(Object.keys(o.thresholds!).sort(), ['http_req_failed', 'k6_test_abort']);
  assert.deepEqual(o.scenarios!.s, { executor: 'constant-vus', vus: 2, duration: '1s' });
  assert.deepEqual(warnings, [
    'k6 option hosts: entries that do not map to an IP address (and port) are ignored: cname.test',
    'scenario "s": option(s) not supported by speedguard, ignored: options',
    'k6 option(s) not supported by speedguard, ignored: blockHostnames',
  ]);
});

test('summary export: rate → value, thresholds true when failed, groups and checks keyed by name', () => {
  const data: K6SummaryData = {
    root_group: {
      name: '',
      path: '',
      id: 'r',
      groups: [{ name: 'g', path: '::g', id: 'g', groups: [], checks: [{ name: 'ok', path: '::g::ok', id: 'c', passes: 3, fails: 1 }] }],
      checks: [],
    },
    options: { summaryTrendStats: ['avg'], summaryTimeUnit: '', noColor: true },
    state: { isStdOutTTY: false, isStdErrTTY: false, testRunDurationMs: 1000 },
    metrics: {
      checks: { type: 'rate', contains: 'default', values: { rate: 0.75, passes: 3, fails: 1 }, thresholds: { 'rate>0.9': { ok: false } } },
      http_req_duration: { type: 'trend', contains: 'time', values: { avg: 12 }, thresholds: { 'avg<100': { ok: true } } },
    },
  };
  const e = buildK6SummaryExport(data) as {
    metrics: Record<string, Record<string, unknown>>;
    root_group: { groups: Record<string, { checks: Record<string, { passes: number }> }> };
  };
  assert.deepEqual(e.metrics.checks, { value: 0.75, passes: 3, fails: 1, thresholds: { 'rate>0.9': true } });
  assert.deepEqual(e.metrics.http_req_duration, { avg: 12, thresholds: { 'avg<100': false } });
  assert.equal(e.root_group.groups.g!.checks.ok!.passes, 3);
});
