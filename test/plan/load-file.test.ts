import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadPlanFile } from '../../src/plan/load-file.ts';
import { PlanError } from '../../src/plan/errors.ts';
import { HTTP_DEFAULTS } from '../../src/plan/defaults.ts';
import { get } from '../helpers/plan.ts';

const plans = new URL('../fixtures/plans/', import.meta.url).pathname;
const data = new URL('../fixtures/data/', import.meta.url).pathname;
const tmp = mkdtempSync(join(tmpdir(), 'sg-plan-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

function write(name: string, text: string): string {
  const path = join(tmp, name);
  writeFileSync(path, text);
  return path;
}
async function messageOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof PlanError, `expected PlanError, got ${error}`);
    return error.message;
  }
  assert.fail('expected a PlanError');
}

const base = { startTimeMs: 0, gracefulStopMs: 30_000, exec: 'default', tags: {}, env: {} };

test('JSON example → expected Plan', async () => {
  const plan = await loadPlanFile(join(plans, 'minimal.json'));
  assert.deepEqual(plan, {
    source: join(plans, 'minimal.json'),
    scriptPath: null,
    scenarios: {
      default: { executor: 'constant-vus', vus: 2, durationMs: 5000, ...base, flow: [get('http://127.0.0.1:8080/health')] },
    },
    thresholds: {},
    http: { ...HTTP_DEFAULTS },
    feeders: [],
    tags: {},
    workers: 0,
    env: {},
  });
});

test('YAML example with the rate shortcut → expected Plan', async () => {
  const plan = await loadPlanFile(join(plans, 'rate.yaml'));
  assert.deepEqual(plan, {
    source: join(plans, 'rate.yaml'),
    scriptPath: null,
    target: 'http://127.0.0.1:8080',
    scenarios: {
      default: {
        executor: 'constant-arrival-rate',
        rate: 200,
        timeUnitMs: 1000,
        durationMs: 60_000,
        preAllocatedVUs: 20,
        maxVUs: 2000,
        ...base,
        flow: [get('http://127.0.0.1:8080/api/items', { checks: [{ name: 'status in [200, 304]', status: [200, 304] }] })],
      },
    },
    thresholds: { http_req_failed: [{ expression: 'rate<0.01', abortOnFail: false, delayAbortEvalMs: 0 }] },
    http: { ...HTTP_DEFAULTS },
    feeders: [],
    tags: {},
    workers: 0,
    env: {},
  });
});

test('the full YAML example: scenarios, groups, feeders relative to the plan file', async () => {
  const plan = await loadPlanFile(join(plans, 'shop.yaml'));
  assert.deepEqual(Object.keys(plan.scenarios), ['browse', 'checkout']);
  const browse = plan.scenarios.browse!;
  assert.ok(browse.executor === 'ramping-arrival-rate');
  assert.deepEqual([browse.startRate, browse.preAllocatedVUs, browse.maxVUs, browse.tags], [10, 20, 200, { team: 'web' }]);
  const checkout = plan.scenarios.checkout!;
  assert.ok(checkout.executor === 'constant-vus');
  assert.deepEqual(
    [checkout.durationMs, checkout.startTimeMs, checkout.gracefulStopMs, checkout.env],
    [90_000, 10_000, 5000, { COUPON: 'SAVE10', RETRIES: '3' }],
  );
  const group = checkout.flow![0]!;
  assert.ok(group.kind === 'group');
  const login = group.steps[0]!;
  assert.ok(login.kind === 'request');
  assert.equal(login.method, 'POST');
  assert.equal(login.body, '{"email":"${users.email}","password":"${users.password}"}');
  assert.deepEqual(plan.feeders, [
    { name: 'users', path: join(data, 'users.csv'), mode: 'per-vu', order: 'sequential' },
    { name: 'products', path: join(data, 'products.json'), mode: 'shared', order: 'sequential' },
  ]);
  assert.deepEqual(plan.http, { ...HTTP_DEFAULTS, timeoutMs: 30_000, maxBodyBytes: 65_536, pipelining: 2 });
  assert.deepEqual(plan.tags, { env: 'ci', build: '42' });
  assert.equal(plan.workers, 2);
});

test('schema errors in a YAML file point at file:line:col and the JSON path', async () => {
  const path = write(
    'plan.yaml',
    [
      'target: http://127.0.0.1:1',
      'flow: [{ request: { url: /x } }]',
      'scenarios:',
      '  browse:',
      '    executor: constant-arrival-rate',
      '    rate: -1',
      '    duration: 1s',
      '',
    ].join('\n'),
  );
  assert.equal(await messageOf(loadPlanFile(path)), `${path}:6:5: scenarios.browse.rate: must be a number > 0 (got -1)`);
  const typo = write('typo.yaml', 'vus: 1\nduraton: 5s\nflow: [{ request: { url: "http://h/" } }]\n');
  assert.equal(await messageOf(loadPlanFile(typo)), `${typo}:2:1: duraton: unknown field, did you mean "duration"?`);
});

test('YAML and JSON syntax errors carry line:col', async () => {
  const yaml = write('bad.yaml', 'vus: 1\nflow:\n  - request: { url: /x\nduration: 1s\n');
  assert.match(await messageOf(loadPlanFile(yaml)), new RegExp(`^${yaml}:\\d+:\\d+: invalid YAML: `));
  const dup = write('dup.yaml', 'vus: 1\nvus: 2\n');
  assert.equal(await messageOf(loadPlanFile(dup)), `${dup}:2:1: invalid YAML: Map keys must be unique`);
  const json = write('bad.json', '{\n  "vus": 1,\n}\n');
  assert.match(await messageOf(loadPlanFile(json)), new RegExp(`^${json}:3:1: invalid JSON: `));
  const list = write('list.yaml', '- vus: 1\n');
  assert.equal(await messageOf(loadPlanFile(list)), `${list}:1:1: the plan must be a mapping of options (got a list)`);
  const empty = write('empty.yaml', '# nothing\n');
  assert.equal(await messageOf(loadPlanFile(empty)), `${empty}: the plan is empty`);
});

test('a missing feeder file is an error naming the file', async () => {
  const path = write('feeder.yaml', 'target: http://h\ndata:\n  users: missing.csv\nflow: [{ request: { url: "/u/${users.id}" } }]\n');
  assert.equal(await messageOf(loadPlanFile(path)), `${path}:3:3: data.users: file not found: ${join(tmp, 'missing.csv')}`);
});

test('missing plan file and unsupported extensions', async () => {
  assert.equal(await messageOf(loadPlanFile(join(tmp, 'nope.yaml'))), `${join(tmp, 'nope.yaml')}: file not found`);
  assert.match(await messageOf(loadPlanFile(join(tmp, 'plan.toml'))), /plan\.toml: unsupported plan file type "\.toml"/);
});

test('command-line overrides replace the execution of a file plan (k6 precedence)', async () => {
  const plan = await loadPlanFile(join(plans, 'all-executors.yaml'), { duration: '5s', vus: 3, env: { A: 'b' } });
  assert.deepEqual(Object.keys(plan.scenarios), ['default']);
  const s = plan.scenarios.default!;
  assert.ok(s.executor === 'constant-vus');
  assert.deepEqual([s.vus, s.durationMs], [3, 5000]);
  assert.deepEqual(plan.env, { A: 'b' });
});
