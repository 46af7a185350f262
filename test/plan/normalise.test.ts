import { test } from 'node:test';
import assert from 'node:assert/strict';
import { normalisePlan, type NormaliseOptions } from '../../src/plan/normalise.ts';
import { PlanError } from '../../src/plan/errors.ts';
import type { Plan } from '../../src/plan/types.ts';

const fixtures = new URL('../fixtures/', import.meta.url).pathname;
const ctx: NormaliseOptions = { file: 'plan.yaml', source: '/plans/plan.yaml', baseDir: fixtures, mode: 'flow' };
const flow = [{ request: { url: 'http://127.0.0.1:1/x' } }];

const build = (input: object, options: Partial<NormaliseOptions> = {}): Plan => normalisePlan(input, { ...ctx, ...options });
function errorOf(input: unknown, options: Partial<NormaliseOptions> = {}): PlanError {
  try {
    normalisePlan(input, { ...ctx, ...options });
  } catch (error) {
    assert.ok(error instanceof PlanError, `expected a PlanError, got ${error}`);
    assert.ok(!error.message.includes('\n'), 'one line');
    return error;
  }
  assert.fail('expected a PlanError');
}

const common = { startTimeMs: 0, gracefulStopMs: 30_000, exec: 'default', tags: {}, env: {} };

test('vus + duration → constant-vus "default" scenario with k6 defaults', () => {
  const plan = build({ vus: 10, duration: '30s', flow });
  assert.deepEqual(Object.keys(plan.scenarios), ['default']);
  const { flow: steps, ...scenario } = plan.scenarios.default!;
  assert.deepEqual(scenario, { executor: 'constant-vus', vus: 10, durationMs: 30_000, ...common });
  assert.equal(steps!.length, 1);
});

test('duration alone → constant-vus with 1 VU', () => {
  const s = build({ duration: 1000, flow }).scenarios.default!;
  assert.equal(s.executor, 'constant-vus');
  assert.equal(s.executor === 'constant-vus' && s.vus, 1);
  assert.equal(s.executor === 'constant-vus' && s.durationMs, 1000);
});

test('vus + iterations → shared-iterations; duration becomes maxDuration (k6)', () => {
  const { flow: _, ...a } = build({ vus: 5, iterations: 100, flow }).scenarios.default!;
  assert.deepEqual(a, { executor: 'shared-iterations', vus: 5, iterations: 100, maxDurationMs: 600_000, ...common });
  const b = build({ vus: 5, iterations: 100, duration: '20s', flow }).scenarios.default!;
  assert.equal(b.executor === 'shared-iterations' && b.maxDurationMs, 20_000);
});

test('stages → ramping-vus, vus sets startVUs', () => {
  const { flow: _, ...s } = build({
    vus: 3,
    stages: [
      { duration: '10s', target: 20 },
      { duration: '5s', target: 0 },
    ],
    flow,
  }).scenarios.default!;
  assert.deepEqual(s, {
    executor: 'ramping-vus',
    startVUs: 3,
    stages: [
      { durationMs: 10_000, target: 20 },
      { durationMs: 5000, target: 0 },
    ],
    gracefulRampDownMs: 30_000,
    ...common,
  });
  const t = build({ stages: [{ duration: '10s', target: 20 }], flow }).scenarios.default!;
  assert.equal(t.executor === 'ramping-vus' && t.startVUs, 1);
});

test('rate + duration → constant-arrival-rate with the VU pool sized from the rate', () => {
  const { flow: _, ...s } = build({ rate: 200, duration: '1m', flow }).scenarios.default!;
  assert.deepEqual(s, {
    executor: 'constant-arrival-rate',
    rate: 200,
    timeUnitMs: 1000,
    durationMs: 60_000,
    preAllocatedVUs: 20,
    maxVUs: 2000,
    ...common,
  });
  const small = build({ rate: 5, duration: '1s', flow }).scenarios.default!;
  assert.deepEqual(small.executor === 'constant-arrival-rate' && [small.preAllocatedVUs, small.maxVUs], [10, 50]);
  const odd = build({ rate: 30, duration: '1s', flow }).scenarios.default!;
  assert.deepEqual(odd.executor === 'constant-arrival-rate' && [odd.preAllocatedVUs, odd.maxVUs], [10, 300]);
  const huge = build({ rate: 50_000, duration: '1s', flow }).scenarios.default!;
  assert.deepEqual(huge.executor === 'constant-arrival-rate' && [huge.preAllocatedVUs, huge.maxVUs], [5000, 10_000]);
  const capped = build({ rate: 200, vus: 50, duration: '1s', flow }).scenarios.default!;
  assert.deepEqual(capped.executor === 'constant-arrival-rate' && [capped.preAllocatedVUs, capped.maxVUs], [50, 50]);
});

test('no shortcuts and no scenarios → 1 iteration of 1 VU (k6); vus alone → 1 iteration per VU', () => {
  const { flow: _, ...s } = build({ flow }).scenarios.default!;
  assert.deepEqual(s, { executor: 'per-vu-iterations', vus: 1, iterations: 1, maxDurationMs: 600_000, ...common });
  const v = build({ vus: 4, flow }).scenarios.default!;
  assert.equal(v.executor === 'per-vu-iterations' && v.vus, 4);
});

test('explicit scenarios get k6 defaults per executor', () => {
  const plan = build({
    flow,
    scenarios: {
      a: { executor: 'shared-iterations' },
      b: { executor: 'per-vu-iterations', vus: 2, iterations: 3, maxDuration: '1m' },
      c: { executor: 'ramping-vus', stages: [{ duration: '1s', target: 2 }] },
      d: { executor: 'constant-arrival-rate', rate: 50, timeUnit: '500ms', duration: '10s' },
      e: { executor: 'constant-arrival-rate', rate: 10, duration: '10s', preAllocatedVUs: 7 },
      f: { executor: 'ramping-arrival-rate', startRate: 5, stages: [{ duration: '10s', target: 300 }] },
      g: { executor: 'ramping-arrival-rate', stages: [{ duration: '10s', target: 300 }], maxVUs: 5 },
      h: { executor: 'constant-vus', duration: '2s', startTime: '10s', gracefulStop: '0s', tags: { t: 1 }, env: { X: true } },
    },
  });
  const strip = (name: string) => {
    const { flow: _, startTimeMs, gracefulStopMs, exec, tags, env, ...rest } = plan.scenarios[name]!;
    return rest;
  };
  assert.deepEqual(strip('a'), { executor: 'shared-iterations', vus: 1, iterations: 1, maxDurationMs: 600_000 });
  assert.deepEqual(strip('b'), { executor: 'per-vu-iterations', vus: 2, iterations: 3, maxDurationMs: 60_000 });
  assert.deepEqual(strip('c'), {
    executor: 'ramping-vus',
    startVUs: 1,
    stages: [{ durationMs: 1000, target: 2 }],
    gracefulRampDownMs: 30_000,
  });
  // 50 per 500 ms = 100/s → preAllocated max(10, 10) = 10, maxVUs 1000
  assert.deepEqual(strip('d'), {
    executor: 'constant-arrival-rate',
    rate: 50,
    timeUnitMs: 500,
    durationMs: 10_000,
    preAllocatedVUs: 10,
    maxVUs: 1000,
  });
  // k6 rule: maxVUs defaults to preAllocatedVUs
  assert.deepEqual(strip('e'), {
    executor: 'constant-arrival-rate',
    rate: 10,
    timeUnitMs: 1000,
    durationMs: 10_000,
    preAllocatedVUs: 7,
    maxVUs: 7,
  });
  // sized from the peak rate (300/s)
  assert.deepEqual(strip('f'), {
    executor: 'ramping-arrival-rate',
    startRate: 5,
    timeUnitMs: 1000,
    stages: [{ durationMs: 10_000, target: 300 }],
    preAllocatedVUs: 30,
    maxVUs: 3000,
  });
  assert.deepEqual(strip('g'), {
    executor: 'ramping-arrival-rate',
    startRate: 0,
    timeUnitMs: 1000,
    stages: [{ durationMs: 10_000, target: 300 }],
    preAllocatedVUs: 5,
    maxVUs: 5,
  });
  const h = plan.scenarios.h!;
  assert.deepEqual([h.startTimeMs, h.gracefulStopMs, h.tags, h.env], [10_000, 0, { t: '1' }, { X: 'true' }]);
  // scenarios without their own flow share the top-level one
  assert.equal(plan.scenarios.a!.flow, plan.scenarios.b!.flow);
});

test('plan-level defaults: http, thresholds shape, tags, env, workers', () => {
  const plan = build({
    flow,
    thresholds: {
      http_req_duration: ['p(95)<200', { threshold: ' p(99)<500 ', abortOnFail: true, delayAbortEval: '10s' }],
      'http_req_duration{name:list}': ['p(95)<100 over 30s'],
    },
    tags: { env: 'ci' },
    env: { N: 1 },
  });
  assert.deepEqual(plan.http, {
    timeoutMs: 60_000,
    connectTimeoutMs: 10_000,
    insecureSkipTLSVerify: false,
    discardResponseBodies: true,
    keepAlive: true,
    pipelining: 1,
    maxBodyBytes: 104_857_600,
  });
  assert.deepEqual(plan.thresholds, {
    http_req_duration: [
      { expression: 'p(95)<200', abortOnFail: false, delayAbortEvalMs: 0 },
      { expression: 'p(99)<500', abortOnFail: true, delayAbortEvalMs: 10_000 },
    ],
    'http_req_duration{name:list}': [{ expression: 'p(95)<100 over 30s', abortOnFail: false, delayAbortEvalMs: 0 }],
  });
  assert.deepEqual(
    [plan.tags, plan.env, plan.workers, plan.feeders, plan.scriptPath, plan.source],
    [{ env: 'ci' }, { N: '1' }, 0, [], null, '/plans/plan.yaml'],
  );
  assert.equal('target' in plan, false);
});

test('flow steps: defaults, json body, relative URLs, sleeps, groups, captures, checks', () => {
  const plan = build({
    target: 'http://127.0.0.1:3000/',
    flow: [
      { request: { url: '/a' } },
      { request: { method: 'post', url: 'b', json: { id: '${__VU}' }, headers: { 'X-A': 1 } } },
      { request: { method: 'PUT', url: '/c', json: [1], headers: { 'Content-Type': 'application/vnd+json' } } },
      { request: { url: 'https://other.test/d', body: 'x=1', name: 'd', expectedStatuses: [200, 404], tags: { k: 'v' } } },
      { sleep: '1s' },
      { sleep: 250 },
      { sleep: ['500ms', '2s'] },
      {
        group: {
          name: 'g',
          steps: [
            {
              request: {
                url: '/e',
                capture: { tok: { json: 'data.token' }, h: { header: 'ETag' }, r: { regex: 'id=(\\d+)' }, all: { regex: 'x\\d' } },
                checks: [{ status: 200 }, { name: 'fast', maxDuration: '200ms' }, { bodyIncludes: 'ok', headerPresent: 'ETag' }],
              },
            },
            { request: { url: '/f/${tok}?e=${env.E}&r=${r}' } },
          ],
        },
      },
    ],
  });
  assert.equal(plan.target, 'http://127.0.0.1:3000');
  const steps = plan.scenarios.default!.flow!;
  assert.deepEqual(steps[0], {
    kind: 'request',
    method: 'GET',
    url: 'http://127.0.0.1:3000/a',
    headers: {},
    body: null,
    name: null,
    tags: {},
    checks: [],
    capture: {},
    expectedStatuses: null,
  });
  assert.deepEqual(steps[1], {
    ...steps[0],
    method: 'POST',
    url: 'http://127.0.0.1:3000/b',
    headers: { 'X-A': '1', 'content-type': 'application/json' },
    body: '{"id":"${__VU}"}',
  });
  assert.equal(steps[2]!.kind === 'request' && JSON.stringify(steps[2]!.headers), '{"Content-Type":"application/vnd+json"}');
  assert.deepEqual(steps[3], {
    ...steps[0],
    url: 'https://other.test/d',
    body: 'x=1',
    name: 'd',
    expectedStatuses: [200, 404],
    tags: { k: 'v' },
  });
  assert.deepEqual(steps.slice(4, 7), [
    { kind: 'sleep', minMs: 1000, maxMs: 1000 },
    { kind: 'sleep', minMs: 250, maxMs: 250 },
    { kind: 'sleep', minMs: 500, maxMs: 2000 },
  ]);
  const group = steps[7]!;
  assert.equal(group.kind, 'group');
  assert.ok(group.kind === 'group');
  assert.equal(group.name, 'g');
  const e = group.steps[0]!;
  assert.ok(e.kind === 'request');
  assert.deepEqual(e.capture, {
    tok: { json: 'data.token' },
    h: { header: 'ETag' },
    r: { regex: 'id=(\\d+)', group: 1 },
    all: { regex: 'x\\d', group: 0 },
  });
  assert.deepEqual(e.checks, [
    { name: 'status is 200', status: 200 },
    { name: 'fast', maxDurationMs: 200 },
    { name: 'body includes "ok" and header ETag present', bodyIncludes: 'ok', headerPresent: 'ETag' },
  ]);
});

test('error: shortcuts together with scenarios (k6 rule)', () => {
  const error = errorOf({ vus: 5, duration: '10s', flow, scenarios: { a: { executor: 'constant-vus', duration: '1s' } } });
  assert.equal(
    error.message,
    'plan.yaml: vus: cannot be combined with "scenarios" (use either the vus/duration/iterations/stages/rate shortcuts or scenarios)',
  );
  assert.equal(error.file, 'plan.yaml');
  assert.equal(error.path, 'vus');
});

test('error: conflicting shortcuts', () => {
  assert.equal(
    errorOf({ iterations: 5, stages: [{ duration: '1s', target: 1 }], flow }).message,
    'plan.yaml: stages: cannot be combined with "iterations"',
  );
  assert.match(
    errorOf({ duration: '5s', stages: [{ duration: '1s', target: 1 }], flow }).message,
    /^plan\.yaml: stages: cannot be combined with "duration"/,
  );
  assert.match(errorOf({ rate: 5, iterations: 5, flow }).message, /^plan\.yaml: iterations: cannot be combined with "rate"/);
  assert.equal(errorOf({ rate: 5, flow }).message, 'plan.yaml: rate: needs "duration" (how long to keep this rate)');
  assert.equal(errorOf({ vus: 10, iterations: 5, flow }).message, 'plan.yaml: iterations: must be at least vus (10) for shared-iterations');
});

test('error: unknown executor names the executor and the choices', () => {
  const error = errorOf({ flow, scenarios: { browse: { executor: 'constant-vu', duration: '1s' } } });
  assert.equal(
    error.message,
    'plan.yaml: scenarios.browse.executor: must be one of: shared-iterations, per-vu-iterations, constant-vus, ramping-vus, ' +
      'constant-arrival-rate, ramping-arrival-rate (got "constant-vu")',
  );
});

test('error: typo’d fields are named, with a suggestion', () => {
  assert.equal(errorOf({ vuss: 1, flow }).message, 'plan.yaml: vuss: unknown field, did you mean "vus"?');
  assert.equal(
    errorOf({ flow, scenarios: { b: { executor: 'constant-arrival-rate', rate: 1, duration: '1s', maxVU: 3 } } }).message,
    'plan.yaml: scenarios.b.maxVU: unknown field, did you mean "maxVUs"?',
  );
  assert.match(
    errorOf({ flow, scenarios: { b: { executor: 'constant-vus', duration: '1s', stages: [] } } }).message,
    /^plan\.yaml: scenarios\.b\.stages: is not an option of executor constant-vus \(its options: executor, vus, duration,/,
  );
  assert.equal(
    errorOf({ flow: [{ request: { url: '/x', header: {} } }], target: 'http://h' }).message,
    'plan.yaml: flow[0].request.header: unknown field, did you mean "headers"?',
  );
  assert.match(errorOf({ flow, zzzzzz: 1 }).message, /^plan\.yaml: zzzzzz: unknown field \(allowed: \$schema, target, vus,/);
  assert.equal(errorOf({ flow: [{ requst: { url: '/x' } }] }).message, 'plan.yaml: flow[0].requst: unknown field, did you mean "request"?');
});

test('error: wrong values name the path and the rule', () => {
  assert.equal(
    errorOf({ flow, scenarios: { browse: { executor: 'constant-arrival-rate', rate: -5, duration: '1s' } } }).message,
    'plan.yaml: scenarios.browse.rate: must be a number > 0 (got -5)',
  );
  assert.equal(errorOf({ rate: 0, duration: '1s', flow }).message, 'plan.yaml: rate: must be a number > 0 (got 0)');
  assert.equal(errorOf({ vus: 1.5, flow }).message, 'plan.yaml: vus: must be an integer (got 1.5)');
  assert.equal(errorOf({ vus: 0, flow }).message, 'plan.yaml: vus: must be an integer >= 1 (got 0)');
  assert.equal(errorOf({ vus: '10', flow }).message, 'plan.yaml: vus: must be an integer (got "10")');
  assert.equal(
    errorOf({ duration: '30 s', flow }).message,
    'plan.yaml: duration: must be a duration such as "30s", "1m30s", "500ms" or a number of milliseconds (got "30 s")',
  );
  assert.match(errorOf({ duration: true, flow }).message, /^plan\.yaml: duration: must be a duration such as .* \(got true\)$/);
  assert.match(errorOf({ duration: '0s', flow }).message, /^plan\.yaml: duration: must be longer than 0/);
  assert.equal(
    errorOf({ flow, scenarios: { s: { executor: 'constant-vus' } } }).message,
    'plan.yaml: scenarios.s.duration: is required for executor constant-vus',
  );
  assert.match(
    errorOf({ flow, scenarios: { s: { vus: 1 } } }).message,
    /^plan\.yaml: scenarios\.s\.executor: is required \(one of: shared-iterations,/,
  );
  assert.equal(
    errorOf({ flow, scenarios: { s: { executor: 'constant-arrival-rate', rate: 1, duration: '1s', preAllocatedVUs: 5, maxVUs: 2 } } })
      .message,
    'plan.yaml: scenarios.s.maxVUs: must be at least preAllocatedVUs (5)',
  );
  assert.equal(
    errorOf({ flow: [{ request: { url: '/x' }, sleep: '1s' }] }).message,
    'plan.yaml: flow[0]: a step must have exactly one of: request, sleep, group',
  );
  assert.equal(errorOf({ flow: [{ sleep: ['2s', '1s'] }] }).message, 'plan.yaml: flow[0].sleep: min (2s) is greater than max (1s)');
  assert.equal(errorOf({ flow: [{ sleep: ['1s'] }] }).message, 'plan.yaml: flow[0].sleep: a random sleep must be [min, max]');
  assert.match(errorOf({ flow, thresholds: { 'bad name': ['x'] } }).message, /^plan\.yaml: thresholds: "bad name" is not a metric name/);
  assert.equal(
    errorOf({ flow, thresholds: { http_reqs: 'count>1' } }).message,
    'plan.yaml: http_reqs: must be a list (got "count>1")'.replace('http_reqs', 'thresholds.http_reqs'),
  );
  assert.equal(
    errorOf({ flow, http: { maxBodySize: 'lots' } }).message,
    'plan.yaml: http.maxBodySize: must be a size such as "100MB", "64KB" or a number of bytes (got "lots")',
  );
  assert.equal(errorOf({ flow, target: 'ftp://x' }).message, 'plan.yaml: target: must be an http:// or https:// URL (got "ftp://x")');
  assert.equal(errorOf([1, 2]).message, 'plan.yaml: must be a mapping (key: value) (got a list)');
});

test('error: request problems the schema cannot see', () => {
  assert.equal(
    errorOf({ flow: [{ request: { url: '/x' } }] }).message,
    'plan.yaml: flow[0].request.url: relative URL "/x" needs a top-level "target" (or an absolute http(s):// URL)',
  );
  assert.equal(
    errorOf({ flow: [{ request: { url: 'http://h/x', body: 'a', json: {} } }] }).message,
    'plan.yaml: flow[0].request.json: cannot be combined with "body" (give one request body)',
  );
  assert.equal(
    errorOf({ flow: [{ request: { url: 'http://h/x', capture: { a: { json: 'x', header: 'y' } } } }] }).message,
    'plan.yaml: flow[0].request.capture.a: needs exactly one of: json, header, regex (got json, header)',
  );
  assert.match(
    errorOf({ flow: [{ request: { url: 'http://h/x', capture: { a: { regex: '(' } } } }] }).message,
    /^plan\.yaml: flow\[0\]\.request\.capture\.a\.regex: invalid regular expression: /,
  );
  assert.equal(
    errorOf({ flow: [{ request: { url: 'http://h/x', checks: [{ name: 'nothing' }] } }] }).message,
    'plan.yaml: flow[0].request.checks[0]: a check needs at least one of: status, bodyIncludes, headerPresent, maxDuration',
  );
  assert.equal(
    errorOf({ flow: [{ request: { url: 'http://h/${idd}', capture: { id: { json: 'id' } } } }] }).message,
    'plan.yaml: flow[0].request.url: unknown variable ${idd} (captures: id; no feeders; env.NAME; __VU, __ITER, __SCENARIO)',
  );
  assert.match(
    errorOf({ flow: [{ request: { url: 'http://h/x', headers: { A: '${oops' } } }] }).message,
    /^plan\.yaml: flow\[0\]\.request\.headers\.A: unclosed "\$\{"/,
  );
  assert.equal(
    errorOf({ flow: [{ request: { url: 'mailto://x' } }] }).message,
    'plan.yaml: flow[0].request.url: only http:// and https:// URLs are supported (got "mailto://x")',
  );
  assert.equal(errorOf({ vus: 1 }).message, 'plan.yaml: flow: the plan has no flow: add a top-level "flow" (the steps of one iteration)');
  assert.equal(
    errorOf({ scenarios: { s: { executor: 'shared-iterations' } } }).message,
    'plan.yaml: scenarios.s: scenario "s" has no flow: add a top-level "flow" (the steps of one iteration)',
  );
  assert.equal(
    errorOf({ flow, scenarios: { s: { executor: 'shared-iterations', exec: 'x' } } }).message,
    'plan.yaml: scenarios.s.exec: only applies to script plans (this plan runs its flow)',
  );
});

test('feeders: resolved against the plan directory; a missing file is an error naming it', () => {
  const plan = build({
    target: 'http://h',
    data: { users: { path: 'data/users.csv', mode: 'per-vu', order: 'random' }, products: 'data/products.json' },
    flow: [{ request: { url: '/u/${users.id}/${products.sku}' } }],
  });
  assert.deepEqual(plan.feeders, [
    { name: 'users', path: `${fixtures}data/users.csv`, mode: 'per-vu', order: 'random' },
    { name: 'products', path: `${fixtures}data/products.json`, mode: 'shared', order: 'sequential' },
  ]);
  assert.equal(
    errorOf({ flow, data: { users: 'data/nope.csv' } }).message,
    `plan.yaml: data.users: file not found: ${fixtures}data/nope.csv`,
  );
  assert.equal(
    errorOf({ flow, data: { users: { path: 'nope.csv' } } }).message,
    `plan.yaml: data.users.path: file not found: ${fixtures}nope.csv`,
  );
});

test('script mode: flows are not allowed, exec is kept, flow null', () => {
  const plan = build(
    { scenarios: { a: { executor: 'constant-vus', duration: '1s', exec: 'browse' } } },
    {
      mode: 'script',
      scriptPath: '/s.ts',
      pathPrefix: ['options'],
    },
  );
  assert.equal(plan.scenarios.a!.exec, 'browse');
  assert.equal(plan.scenarios.a!.flow, null);
  assert.equal(plan.scriptPath, '/s.ts');
  assert.equal(
    errorOf({ flow }, { mode: 'script', pathPrefix: ['options'] }).message,
    'plan.yaml: options.flow: is not allowed in a script: its exported functions are the flow',
  );
});
