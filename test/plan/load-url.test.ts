import { test } from 'node:test';
import assert from 'node:assert/strict';
import { planFromUrl } from '../../src/plan/load-url.ts';
import { applyOverrides, optionsFromFlags } from '../../src/plan/overrides.ts';
import { loadPlan } from '../../src/plan/index.ts';
import { PlanError } from '../../src/plan/errors.ts';
import { HTTP_DEFAULTS } from '../../src/plan/defaults.ts';

function messageOf(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    assert.ok(error instanceof PlanError, `expected PlanError, got ${error}`);
    return error.message;
  }
  assert.fail('expected a PlanError');
}

const URL_ = 'http://127.0.0.1:8080/api/items?page=1';

test('a bare URL → one GET, 1 VU, 1 iteration', () => {
  const plan = planFromUrl(URL_);
  assert.deepEqual(plan, {
    source: URL_,
    scriptPath: null,
    target: 'http://127.0.0.1:8080',
    scenarios: {
      default: {
        executor: 'per-vu-iterations',
        vus: 1,
        iterations: 1,
        maxDurationMs: 600_000,
        startTimeMs: 0,
        gracefulStopMs: 5_000, // a URL run waits 5 s for unanswered requests (defaults.ts URL_GRACEFUL_STOP_MS)
        exec: 'default',
        tags: {},
        env: {},
        flow: [
          {
            kind: 'request',
            method: 'GET',
            url: URL_,
            headers: {},
            body: null,
            name: null,
            tags: {},
            checks: [],
            capture: {},
            expectedStatuses: null,
          },
        ],
      },
    },
    thresholds: {},
    http: { ...HTTP_DEFAULTS },
    feeders: [],
    tags: {},
    workers: 0,
    env: {},
  });
});

test('flags: shortcuts, headers, body, thresholds, insecure, timeout, workers, env', () => {
  const plan = planFromUrl('https://[::1]:8443/login', {
    vus: 10,
    duration: '30s',
    headers: ['Content-Type: application/json', 'X-Token:abc:def'],
    body: '{"a":1}',
    thresholds: ['http_req_duration:p(95)<200', 'http_req_duration{name:x}: p(99) < 500', 'http_req_failed:rate<0.01'],
    insecure: true,
    timeout: '5s',
    workers: 4,
    env: ['A=1', 'B=x=y'],
  });
  const s = plan.scenarios.default!;
  assert.ok(s.executor === 'constant-vus');
  assert.deepEqual([s.vus, s.durationMs], [10, 30_000]);
  const step = s.flow![0]!;
  assert.ok(step.kind === 'request');
  assert.equal(step.method, 'POST'); // a body implies POST, as curl does
  assert.deepEqual(step.headers, { 'Content-Type': 'application/json', 'X-Token': 'abc:def' });
  assert.equal(step.body, '{"a":1}');
  assert.deepEqual(Object.fromEntries(Object.entries(plan.thresholds).map(([k, v]) => [k, v.map((t) => t.expression)])), {
    http_req_duration: ['p(95)<200'],
    'http_req_duration{name:x}': ['p(99) < 500'],
    http_req_failed: ['rate<0.01'],
  });
  assert.equal(plan.http.insecureSkipTLSVerify, true);
  assert.equal(plan.http.timeoutMs, 5000);
  assert.equal(plan.workers, 4);
  assert.deepEqual(plan.env, { A: '1', B: 'x=y' });
  assert.equal(plan.target, 'https://[::1]:8443');
});

test('--rate and --iterations shortcuts', () => {
  const rate = planFromUrl(URL_, { rate: 100, duration: '10s' }).scenarios.default!;
  assert.ok(rate.executor === 'constant-arrival-rate');
  assert.deepEqual([rate.rate, rate.durationMs, rate.preAllocatedVUs, rate.maxVUs], [100, 10_000, 10, 1000]);
  const iterations = planFromUrl(URL_, { vus: 2, iterations: 50, method: 'delete' }).scenarios.default!;
  assert.ok(iterations.executor === 'shared-iterations');
  assert.deepEqual([iterations.vus, iterations.iterations], [2, 50]);
  assert.equal(iterations.flow![0]!.kind === 'request' && iterations.flow![0]!.method, 'DELETE');
});

test('errors name the flag', () => {
  assert.equal(
    messageOf(() => planFromUrl('ftp://x/')),
    'url: must be an http:// or https:// URL (got "ftp://x/")',
  );
  assert.equal(
    messageOf(() => planFromUrl('not a url')),
    'url: invalid URL "not a url"',
  );
  assert.equal(
    messageOf(() => planFromUrl(URL_, { vus: 0 })),
    '--vus: must be an integer >= 1 (got 0)',
  );
  assert.equal(
    messageOf(() => planFromUrl(URL_, { duration: 'soon' })),
    '--duration: must be a duration such as "30s", "1m30s", "500ms" or a number of milliseconds (got "soon")',
  );
  assert.equal(
    messageOf(() => planFromUrl(URL_, { rate: 10 })),
    '--rate: needs "duration" (how long to keep this rate)',
  );
  assert.equal(
    messageOf(() => planFromUrl(URL_, { headers: ['NoColon'] })),
    '--header: expected "Name: value" (got "NoColon")',
  );
  assert.equal(
    messageOf(() => planFromUrl(URL_, { thresholds: ['p(95)<200'] })),
    `--threshold: expected METRIC:EXPRESSION such as 'http_req_duration:p(95)<200' (got "p(95)<200")`,
  );
  assert.equal(
    messageOf(() => planFromUrl(URL_, { env: ['=x'] })),
    '--env: expected NAME=value (got "=x")',
  );
  assert.equal(
    messageOf(() => planFromUrl(URL_, { method: 'GE T' })),
    '--method: must be an HTTP method such as GET or POST (got "GE T")',
  );
  assert.match(
    messageOf(() => planFromUrl(URL_, { timeout: '0s' })),
    /^--timeout: must be longer than 0/,
  );
});

test('applyOverrides: execution shortcuts replace scenarios; maps merge', () => {
  const base = {
    vus: 5,
    scenarios: { a: { executor: 'constant-vus' as const, duration: '1s' } },
    thresholds: { x: ['p(95)<1'], y: ['p(95)<2'] },
    http: { timeout: '1s', keepAlive: false },
    env: { A: '1', B: '2' },
  };
  const merged = applyOverrides(base, optionsFromFlags({ duration: '9s', thresholds: ['y:p(99)<3'], timeout: '2s', env: ['B=3'] }));
  assert.deepEqual(merged, {
    vus: 5,
    duration: '9s',
    thresholds: { x: ['p(95)<1'], y: ['p(99)<3'] },
    http: { timeout: '2s', keepAlive: false },
    env: { A: '1', B: '3' },
  });
  assert.deepEqual(applyOverrides({ iterations: 10, vus: 2 }, { duration: '1s' }), { vus: 2, duration: '1s' });
  assert.equal(
    messageOf(() => applyOverrides(base, { vus: 3 })),
    '--vus: cannot change the VUs of a plan with scenarios; add --duration or --iterations to replace them',
  );
});

test('loadPlan dispatches on the input', async () => {
  const fixtures = new URL('../fixtures/', import.meta.url).pathname;
  assert.equal((await loadPlan(URL_, { vus: 2, duration: 1000 })).scenarios.default!.executor, 'constant-vus');
  assert.equal((await loadPlan(`${fixtures}plans/rate.yaml`)).scenarios.default!.executor, 'constant-arrival-rate');
  assert.equal(
    (await loadPlan(`${fixtures}plans/rate.yaml`, { rate: 50, duration: '2s' })).scenarios.default!.executor,
    'constant-arrival-rate',
  );
  assert.equal((await loadPlan(`${fixtures}scripts/basic.ts`)).scriptPath, `${fixtures}scripts/basic.ts`);
  await assert.rejects(
    loadPlan(`${fixtures}plans/rate.yaml`, { headers: ['A: b'] }),
    /^PlanError: --header: only applies when running a URL$/,
  );
  await assert.rejects(loadPlan('plan.txt'), /plan\.txt: not a URL or a plan file/);
});

test('a URL with user:password@ is refused at load (the engine sends no userinfo), without quoting the password', () => {
  assert.throws(
    () => planFromUrl('http://user:ZqPw123456@127.0.0.1:8080/'),
    (e: Error) => /^url: credentials in the URL/.test(e.message) && !e.message.includes('ZqPw123456'),
  );
});
