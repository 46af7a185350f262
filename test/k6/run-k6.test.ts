// k6 scripts run unchanged by `speedguard run`: each script in test/k6/scripts has its expected
// result here (checks passed and failed, request counts, groups, thresholds, exit code), read from
// the k6-shaped --summary-export the run writes, against a loopback server playing the endpoints.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runCli, type CliResult } from '../helpers/cli.ts';
import { startK6Server, type K6TestServer } from './k6-server.ts';

const SCRIPTS = fileURLToPath(new URL('./scripts/', import.meta.url));
let server: K6TestServer;
const out = mkdtempSync(join(tmpdir(), 'k6-run-'));

before(async () => {
  server = await startK6Server();
});
after(() => server.close());

interface Export {
  metrics: Record<string, Record<string, number | Record<string, boolean>>>;
  root_group: Group;
}
interface Group {
  name: string;
  path: string;
  groups: Record<string, Group>;
  checks: Record<string, { name: string; path: string; passes: number; fails: number }>;
}

let runs = 0;
async function runScript(name: string, extra: string[] = []): Promise<CliResult & { exp: Export | null }> {
  const file = join(out, `summary-${runs++}.json`);
  const r = await runCli(
    ['run', join(SCRIPTS, name), '-e', `BASE=${server.url}`, '--no-history', '-q', '--summary-export', file, ...extra],
    { timeoutMs: 60_000 },
  );
  let exp: Export | null = null;
  try {
    exp = JSON.parse(readFileSync(file, 'utf8')) as Export;
  } catch {
    /* not written (bad input) */
  }
  return { ...r, exp };
}

/** Every check in the export: "path" → [passes, fails]. */
function checks(g: Group, acc: Record<string, [number, number]> = {}): Record<string, [number, number]> {
  for (const c of Object.values(g.checks)) acc[c.path] = [c.passes, c.fails];
  for (const sub of Object.values(g.groups)) checks(sub, acc);
  return acc;
}

const count = (e: Export, metric: string) => e.metrics[metric]?.count as number;

test('the HTTP verbs, headers, timings, form and JSON bodies, html(), clickLink and submitForm', async () => {
  const r = await runScript('verbs.js');
  assert.equal(r.code, 0, r.stderr);
  const c = checks(r.exp!.root_group);
  for (const m of ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'PURGE']) assert.deepEqual(c[`::${m} echoed`], [2, 0], m);
  for (const name of [
    'json body sent',
    'header canonical',
    'timings present',
    'proto',
    'HEAD has no body',
    'object body is a form',
    'title via find',
    'links counted',
    'attribute read',
    'clickLink followed',
    'submitForm posted the form',
  ]) {
    assert.deepEqual(c[`::${name}`], [2, 0], name);
  }
  assert.equal(count(r.exp!, 'http_reqs'), 24);
  assert.equal(r.exp!.metrics.checks!.value, 1);
});

test('cookies (jar, jar.set, request cookies with replace), redirects and basic auth', async () => {
  const r = await runScript('session.js');
  assert.equal(r.code, 0, r.stderr);
  const c = checks(r.exp!.root_group);
  const expected = {
    '::cookies::jar sends the session': [4, 0],
    '::cookies::jar holds it': [4, 0],
    '::cookies::jar.set cookie sent': [4, 0],
    '::cookies::replace: true overrides the jar': [4, 0],
    '::cookies::response cookies': [4, 0],
    '::redirects::followed to the end': [4, 0],
    '::redirects::redirects: 0 stops': [4, 0],
    '::auth::basic auth accepted': [4, 0],
    '::auth::wrong password refused': [4, 0],
  };
  assert.deepEqual(c, expected);
  // Per iteration: 5 cookie requests, 4 + 1 redirect hops, 2 auth requests (k6 counts every hop).
  assert.equal(count(r.exp!, 'http_reqs'), 4 * 12);
});

test('custom metrics with tags and thresholds on sub-metrics; an empty threshold is named', async () => {
  const r = await runScript('metrics-thresholds.js');
  assert.equal(r.code, 0, r.stderr);
  const m = r.exp!.metrics;
  assert.equal(m['items_seen']!.count, 15);
  assert.equal(m['items_seen{kind:a}']!.count, 10);
  assert.deepEqual(m['items_seen{kind:a}']!.thresholds, { 'count==10': false });
  assert.deepEqual(m['http_reqs{name:fast}']!.thresholds, { 'count==5': false });
  assert.deepEqual(m['http_req_failed{name:missing}']!.thresholds, { 'rate==1': false }, '404s are failed requests');
  assert.equal(m['ok_rate']!.value, 1);
  assert.equal(m['waiting_time']!.avg !== undefined, true);
  assert.ok((m['last_size']!.value as number) > 0);
  assert.match(r.stderr, /threshold never_recorded: count<10 passed on no data/);
  assert.doesNotMatch(r.stdout + JSON.stringify(m), /k6_test_abort/);
});

test('a failed threshold exits 99', async () => {
  const r = await runScript('metrics-thresholds.js', ['--threshold', 'http_reqs:count>1000']);
  assert.equal(r.code, 99, r.stderr);
});

test("http.batch (array and object) and nested groups give k6's group tree", async () => {
  const r = await runScript('batch-groups.js');
  assert.equal(r.code, 0, r.stderr);
  const g = r.exp!.root_group;
  assert.deepEqual(Object.keys(g.groups), ['shop']);
  assert.deepEqual(Object.keys(g.groups.shop!.groups).sort(), ['browse', 'buy']);
  assert.equal(g.groups.shop!.groups.browse!.path, '::shop::browse');
  assert.deepEqual(checks(g), {
    '::root check': [2, 0],
    '::shop::browse::three answers': [2, 0],
    '::shop::browse::named answers': [2, 0],
    '::shop::buy::ordered': [2, 0],
  });
  assert.equal(count(r.exp!, 'http_reqs'), 12);
  assert.ok(r.exp!.metrics['group_duration'], 'group_duration recorded');
});

test('setup() data reaches every iteration and teardown()', async () => {
  const before = server.teardowns.length;
  const r = await runScript('lifecycle.js');
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(checks(r.exp!.root_group), { '::token from setup': [4, 0], '::setup ran as VU 0': [4, 0], '::__VU is 1-based': [4, 0] });
  assert.deepEqual(
    server.teardowns.slice(before).map((b) => JSON.parse(b)),
    [{ token: 'tok123', vu: 0 }],
  );
  assert.equal(count(r.exp!, 'http_reqs'), 4, 'setup and teardown requests are not part of the measured load');
});

test('two scenarios with exec, env, tags and a SharedArray read with open()', async () => {
  const r = await runScript('scenarios.js');
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(checks(r.exp!.root_group), {
    '::scenario env': [6, 0],
    '::scenario name': [6, 0],
    '::user from the shared array': [4, 0],
    '::shared array is read-only': [4, 0],
    '::iterationInTest is one number per iteration': [4, 0],
    '::scenario startTime is Unix ms': [4, 0],
    '::exec.instance counts this worker': [4, 0],
  });
  const m = r.exp!.metrics;
  assert.deepEqual(m['http_reqs{flow:browse}']!.thresholds, { 'count==6': false });
  assert.deepEqual(m['http_reqs{scenario:buy}']!.thresholds, { 'count==4': false });
});

test('--summary-trend-stats chooses the trend stats of the k6 export; a bad one is refused before the run', async () => {
  const r = await runScript('summary.js', ['-e', `OUT=${join(out, 'ignored.json')}`, '--summary-trend-stats', 'avg,p(99),count']);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(Object.keys(r.exp!.metrics.http_req_duration!).sort(), ['avg', 'count', 'p(99)', 'thresholds']);
  const bad = await runScript('summary.js', ['--summary-trend-stats', 'avg,p95']);
  assert.equal(bad.code, 2, bad.stderr);
  assert.match(bad.stderr, /--summary-trend-stats: "p95" is not a trend stat/);
});

test("handleSummary gets k6's data shape and writes stdout and files", async () => {
  const file = join(out, 'handled.json');
  const r = await runScript('summary.js', ['-e', `OUT=${file}`]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, 'reqs=3 passes=3 path=::g::status 200 ok=true\n');
  const data = JSON.parse(readFileSync(file, 'utf8')) as {
    metrics: Record<string, { type: string; contains: string; values: Record<string, number> }>;
    options: { summaryTrendStats: string[] };
  };
  assert.deepEqual(Object.keys(data.metrics.http_req_duration!.values), ['avg', 'min', 'med', 'max', 'p(90)', 'p(95)']);
  assert.equal(data.metrics.http_req_duration!.contains, 'time');
  assert.deepEqual(data.metrics.checks!.values, { rate: 1, passes: 3, fails: 0 });
  assert.deepEqual(data.options.summaryTrendStats, ['avg', 'min', 'med', 'max', 'p(90)', 'p(95)']);
});

test('helper functions calling http inside group, map, forEach and try/catch, across a local module', async () => {
  const r = await runScript('helpers.js');
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(checks(r.exp!.root_group), {
    '::login::logged in': [2, 0],
    '::map gave responses': [2, 0],
    '::error from a helper is caught': [2, 0],
  });
  // login + 3 (map) + 3 (forEach) + 1 (the failing page) per iteration
  assert.equal(count(r.exp!, 'http_reqs'), 2 * 8);
  assert.doesNotMatch(r.stderr, /still in flight|promise/);
});

test('exec.test.abort() stops the run with exit 108; test.fail() exits 110', async () => {
  const aborted = await runScript('abort.js');
  assert.equal(aborted.code, 108, aborted.stderr);
  assert.match(aborted.stderr, /test aborted by the script: enough/);
  assert.equal(count(aborted.exp!, 'http_reqs'), 3, 'no request after the abort');
  const failed = await runScript('fail.js');
  assert.equal(failed.code, 110, failed.stderr);
  assert.equal(count(failed.exp!, 'http_reqs'), 2, 'test.fail() lets the run continue');
});

test('remote imports, extensions and unsupported modules: one line with the fix, exit 2', async () => {
  for (const [script, pattern] of [
    ['remote.js', /remote module imports are not supported .*download the file next to the script/],
    ['extension.js', /k6\/x\/sql is a k6 extension/],
    ['websocket.js', /k6\/ws \(WebSocket\) is not supported by speedguard yet/],
  ] as const) {
    const r = await runScript(script);
    assert.equal(r.code, 2, `${script}: ${r.stderr}`);
    assert.match(r.stderr, pattern);
    assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
  }
});

test('a run that sent nothing is not a success; a promise given to check() is called out', async () => {
  const nothing = await runScript('nothing-sent.js');
  assert.equal(nothing.code, 1, nothing.stderr);
  assert.match(nothing.stderr, /run failed: the script sent no HTTP request — check that its http calls are reached and awaited/);
  const native = await runScript('native-no-requests.ts');
  assert.equal(native.code, 1, native.stderr);
  assert.match(native.stderr, /the script sent no HTTP request/);
  const promise = await runScript('promise-check.js');
  assert.match(promise.stderr, /check\(\) was given a promise/);
  assert.match(promise.stderr, /still in flight/);
});

test("k6 flags: -u/-i replace the script's execution, --tag tags every sample, --http-debug prints exchanges", async () => {
  const r = await runScript('verbs.js', [
    '-i',
    '1',
    '-u',
    '1',
    '--tag',
    'env=ci',
    '--threshold',
    'http_reqs{env:ci}:count==12',
    '--http-debug',
  ]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(count(r.exp!, 'http_reqs'), 12);
  assert.deepEqual(r.exp!.metrics['http_reqs{env:ci}']!.thresholds, { 'count==12': false });
  assert.match(r.stderr, /Request:\nPURGE http:\/\/127\.0\.0\.1:\d+\/echo HTTP\/1\.1\n/);
  assert.match(r.stderr, /Response:\nHTTP\/1\.1 200 OK\n/);
});

test('an exception in init code or setup() exits 107 with the script line; a syntax error exits 2 with file:line', async () => {
  const init = await runScript('init-throws.js');
  assert.equal(init.code, 107, init.stderr);
  assert.match(init.stderr, /the init code threw SyntaxError: .*JSON/);
  assert.match(init.stderr, /init-throws\.js:2:/);
  const setup = await runScript('setup-throws.js');
  assert.equal(setup.code, 107, setup.stderr);
  assert.match(setup.stderr, /setup\(\) threw: no test data/);
  const syntax = await runScript('syntax-error.js');
  assert.equal(syntax.code, 2, syntax.stderr);
  assert.match(syntax.stderr, /syntax-error\.js:3:\d+: Unexpected token/);
  assert.doesNotMatch(syntax.stderr, /\n\s+at /);
});

test('init code and module-level state are per VU (its own module instance), helpers included', async () => {
  const r = await runScript('per-vu-state.js');
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(checks(r.exp!.root_group), {
    '::init ran for this VU': [9, 0],
    '::per-VU data from init': [9, 0],
    "::module state is this VU's": [9, 0],
    "::helper module state is this VU's": [9, 0],
  });
  assert.equal(count(r.exp!, 'http_reqs'), 3, 'one login per VU');
});

test('http.url gives dynamic URLs one name tag; expectedStatuses and setResponseCallback decide http_req_failed', async () => {
  const ndjson = join(out, 'url-callbacks.ndjson');
  const r = await runScript('url-callbacks.js', ['--out', `json=${ndjson}`]);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(checks(r.exp!.root_group), { '::url built': [3, 0], '::still a 200': [1, 0] });
  // Failed: only the 200 that its own callback did not expect; the 404s were expected globally.
  assert.deepEqual(r.exp!.metrics.http_req_failed, { value: 1 / 6, passes: 1, fails: 5 });
  const names = new Map<string, number>();
  // k6's per-sample --out json: one Point per request.
  for (const line of readFileSync(ndjson, 'utf8').trim().split('\n')) {
    const p = JSON.parse(line) as { type: string; metric: string; data: { tags: Record<string, string>; value: number } };
    if (p.type === 'Point' && p.metric === 'http_reqs') names.set(p.data.tags.name!, (names.get(p.data.tags.name!) ?? 0) + p.data.value);
  }
  // Every interpolation becomes ${}, the base URL too (as in k6).
  assert.equal(names.get('${}/echo?id=${}'), 3);
});
