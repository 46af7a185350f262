import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { loadPlanScript } from '../../src/plan/load-script.ts';
import { PlanError } from '../../src/plan/errors.ts';

const scripts = new URL('../fixtures/scripts/', import.meta.url).pathname;
const data = new URL('../fixtures/data/', import.meta.url).pathname;

async function messageOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof PlanError, `expected PlanError, got ${error}`);
    return error.message;
  }
  assert.fail('expected a PlanError');
}

test('a .ts script: options read, exec checked, scriptPath set, flows null', async () => {
  const path = join(scripts, 'basic.ts');
  const plan = await loadPlanScript(path);
  assert.equal(plan.scriptPath, path);
  assert.equal(plan.source, path);
  assert.deepEqual(plan.scenarios, {
    browse: {
      executor: 'constant-vus',
      vus: 2,
      durationMs: 10_000,
      startTimeMs: 0,
      gracefulStopMs: 30_000,
      exec: 'browse',
      tags: { team: 'web' },
      env: {},
      flow: null,
    },
    smoke: {
      executor: 'shared-iterations',
      vus: 1,
      iterations: 5,
      maxDurationMs: 600_000,
      startTimeMs: 0,
      gracefulStopMs: 30_000,
      exec: 'default',
      tags: {},
      env: {},
      flow: null,
    },
  });
  assert.deepEqual(plan.thresholds, { http_req_duration: [{ expression: 'p(95)<200', abortOnFail: false, delayAbortEvalMs: 0 }] });
  assert.deepEqual(plan.feeders, [{ name: 'users', path: join(data, 'users.csv'), mode: 'shared', order: 'sequential' }]);
  assert.deepEqual(plan.env, { MODE: 'script' });
});

test('a script without options runs 1 iteration of its default export', async () => {
  const plan = await loadPlanScript(join(scripts, 'no-options.mjs'));
  assert.deepEqual(Object.keys(plan.scenarios), ['default']);
  assert.equal(plan.scenarios.default!.executor, 'per-vu-iterations');
  assert.equal(plan.scenarios.default!.flow, null);
});

test('a scenario whose exec is not exported is an error naming the missing export', async () => {
  const path = join(scripts, 'missing-export.ts');
  assert.equal(
    await messageOf(loadPlanScript(path)),
    `${path}: options.scenarios.checkout.exec: the script has no exported function "checkout" to run (exported functions: browse)`,
  );
});

test('shortcut options need a default export', async () => {
  const path = join(scripts, 'no-default.js');
  assert.equal(
    await messageOf(loadPlanScript(path)),
    `${path}: the script has no default export function to run (exported functions: browse)`,
  );
});

test('script option errors are reported under options.', async () => {
  const flow = join(scripts, 'with-flow.ts');
  assert.equal(
    await messageOf(loadPlanScript(flow)),
    `${flow}: options.flow: is not allowed in a script: its exported functions are the flow`,
  );
  const bad = join(scripts, 'bad-options.ts');
  assert.match(await messageOf(loadPlanScript(bad)), new RegExp(`^${bad}: options\\.vus: cannot be combined with "scenarios"`));
});

test('a script that fails to import, or does not exist', async () => {
  const path = join(scripts, 'throws.ts');
  assert.equal(await messageOf(loadPlanScript(path)), `${path}: cannot load the script: boom at import`);
  assert.equal(await messageOf(loadPlanScript(join(scripts, 'nope.ts'))), `${join(scripts, 'nope.ts')}: file not found`);
});

test('command-line overrides apply to script options', async () => {
  const plan = await loadPlanScript(join(scripts, 'basic.ts'), { iterations: 3, vus: 3 });
  assert.deepEqual(Object.keys(plan.scenarios), ['default']);
  const s = plan.scenarios.default!;
  assert.ok(s.executor === 'shared-iterations');
  assert.deepEqual([s.vus, s.iterations, s.exec, s.flow], [3, 3, 'default', null]);
});
