// The rest of issue 13's list, each through `speedguard run` as a user runs a k6 script, against a
// loopback server: the k6 module's fail() and randomSeed(), k6/encoding and k6/crypto, request
// params (timeout, jar, responseType) and the VU's cookie jar per iteration, the options that shape
// requests (maxRedirects, userAgent, noConnectionReuse, discardResponseBodies, tags,
// summaryTrendStats), abortOnFail, the time-based executors and top-level stages, k6's long flags,
// a vendored summary library in handleSummary, and what cannot work here (browser, gRPC, the
// externally-controlled executor).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { checksOf, countOf, runK6 } from './k6-export.ts';
import { startK6Server, type K6TestServer } from './k6-server.ts';

const SCRIPTS = fileURLToPath(new URL('./scripts/', import.meta.url));
let server: K6TestServer;

before(async () => {
  server = await startK6Server();
});
after(() => server.close());

const run = (name: string, extra: string[] = []) => runK6(join(SCRIPTS, name), ['-e', `BASE=${server.url}`, ...extra]);

/** Every check passed `n` times and failed none. */
function allPassed(c: Record<string, [number, number]>, n: number, names: string[]): void {
  assert.deepEqual(Object.keys(c).sort(), names.map((x) => `::${x}`).sort());
  for (const [name, v] of Object.entries(c)) assert.deepEqual(v, [n, 0], name);
}

test('fail() ends its iteration only; randomSeed repeats the sequence; k6/encoding and k6/crypto', async () => {
  const r = await run('k6-module.js');
  assert.equal(r.code, 0, r.stderr);
  allPassed(checksOf(r.exp!.root_group), 3, [
    'randomSeed repeats the sequence',
    'b64 round trip through the server',
    'b64 rawurl variant',
    'sha256 of the body',
    'md5 hex',
    'hmac sha256',
  ]);
  assert.equal(countOf(r.exp!, 'passed_fail'), 2, 'the code after fail() did not run in the failed iteration');
  assert.equal(countOf(r.exp!, 'http_reqs'), 3);
  assert.equal(countOf(r.exp!, 'iteration_errors'), 1, 'the failed iteration is counted as ended by an exception');
});

test("params timeout, jar and responseType, http.file; the VU's jar is emptied at each iteration unless noCookiesReset", async () => {
  const names = [
    'VU jar at the iteration start',
    'VU jar holds the login',
    'params.jar is used instead of the VU jar',
    'params.jar sends its cookies',
    'timeout: error and error_code 1050',
    'binary: the body is bytes',
    'binary: json() still reads it',
    'none: status kept, no body',
    'http.file: multipart with the file and the field',
  ];
  const reset = await run('params.js');
  assert.equal(reset.code, 0, reset.stderr);
  allPassed(checksOf(reset.exp!.root_group), 2, names);
  assert.equal(countOf(reset.exp!, 'http_reqs'), 2 * 9);
  const kept = await run('params.js', ['-e', 'NO_RESET=1']);
  assert.equal(kept.code, 0, kept.stderr);
  allPassed(checksOf(kept.exp!.root_group), 2, names);
});

test('maxRedirects, userAgent, noConnectionReuse, discardResponseBodies, tags and summaryTrendStats as script options', async () => {
  const before = server.connections;
  const r = await run('options.js');
  assert.equal(r.code, 0, r.stderr);
  allPassed(checksOf(r.exp!.root_group), 3, [
    'maxRedirects stops the chain',
    'userAgent sent',
    'responseType text keeps this body',
    'discardResponseBodies: no body',
  ]);
  // Per iteration: /redirect/3 and two redirects, then two requests.
  assert.equal(countOf(r.exp!, 'http_reqs'), 15);
  assert.equal(server.connections - before, 15, 'noConnectionReuse: one connection per request');
  const m = r.exp!.metrics;
  assert.deepEqual(m['http_reqs{team:shop}']!.thresholds, { 'count==15': false }, 'options.tags tag every sample');
  assert.deepEqual(m['checks{team:shop}']!.thresholds, { 'rate==1': false });
  assert.deepEqual(Object.keys(m.http_req_duration!).sort(), ['count', 'max', 'min']);
});

test('a threshold with abortOnFail stops the run early with exit 99', async () => {
  const t0 = Date.now();
  const r = await run('abort-on-fail.js');
  assert.equal(r.code, 99, r.stderr);
  assert.ok(Date.now() - t0 < 30_000, 'stopped long before its 60 s');
  assert.deepEqual(r.exp!.metrics.http_req_failed!.thresholds, { 'rate<0.5': true });
  assert.ok(countOf(r.exp!, 'http_reqs') < 400, `${countOf(r.exp!, 'http_reqs')} requests`);
});

test('constant-vus, ramping-vus, constant-arrival-rate and ramping-arrival-rate scenarios, each with its exec', async () => {
  const r = await run('executors.js');
  assert.equal(r.code, 0, r.stderr);
  const m = r.exp!.metrics;
  assert.deepEqual(m['iterations{scenario:rate}']!.thresholds, { 'count==20': false }, JSON.stringify(m['iterations{scenario:rate}']));
  const ramped = m['iterations{scenario:rampRate}']!;
  assert.deepEqual(ramped.thresholds, { 'count==10': false }, JSON.stringify(ramped));
  assert.deepEqual(m['iterations{scenario:steady}']!.thresholds, { 'count>0': false });
  assert.deepEqual(m['iterations{scenario:ramp}']!.thresholds, { 'count>0': false });
  const c = checksOf(r.exp!.root_group);
  assert.equal(c['::order 200']![0], 30);
  assert.equal(c['::browse 200']![1], 0);
});

test('top-level stages ramp the VUs; --vus/--duration and --iterations (long forms) replace them', async () => {
  const staged = await run('stages.js');
  assert.equal(staged.code, 0, staged.stderr);
  assert.equal(staged.exp!.metrics.vus_max!.value, 2);
  assert.ok(countOf(staged.exp!, 'iterations') > 0);
  const flat = await run('stages.js', ['--vus', '3', '--duration', '1s']);
  assert.equal(flat.code, 0, flat.stderr);
  assert.equal(flat.exp!.metrics.vus_max!.value, 3);
  const counted = await run('stages.js', ['--vus', '1', '--iterations', '4']);
  assert.equal(counted.code, 0, counted.stderr);
  assert.equal(countOf(counted.exp!, 'iterations'), 4);
});

test('handleSummary with a vendored summary library: the data has every field textSummary reads', async () => {
  const r = await run('text-summary.js');
  assert.equal(r.code, 0, r.stderr);
  const lines = r.stdout.split('\n');
  assert.ok(lines.includes(' █ shop'), r.stdout);
  assert.ok(lines.includes('   ✓ status 200 2/0'), r.stdout);
  assert.ok(lines.includes('   ✗ found 0/2'), r.stdout);
  assert.match(r.stdout, /^ ✓ http_req_duration: avg=[\d.]+ p\(99\)=[\d.]+ count=4$/m);
  assert.match(r.stdout, /^ ✓ http_reqs\{name:missing\}: count=2 rate=[\d.]+$/m);
  assert.match(r.stdout, /^ {3}checks: rate=0\.5 passes=2 fails=2$/m);
});

test('k6/browser, k6/net/grpc and the externally-controlled executor: one line with the fix, exit 2', async () => {
  for (const [script, pattern] of [
    ['browser.js', /k6\/browser \(browser testing\) is not supported by speedguard yet: keep browser scenarios on k6/],
    ['grpc.js', /k6\/net\/grpc \(gRPC\) is not supported by speedguard yet: keep gRPC scenarios on k6/],
    ['externally-controlled.js', /options\.scenarios\.ctl\.executor: the externally-controlled executor is driven through k6's REST API/],
  ] as const) {
    const r = await run(script);
    assert.equal(r.code, 2, `${script}: ${r.stderr}`);
    assert.match(r.stderr, pattern);
    assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
  }
});
