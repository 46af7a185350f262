// A TypeScript script in k6 style, run natively: setup data, checks, groups, custom metrics,
// name tags for dynamic URLs, sub-metric thresholds.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { run, selectMetric } from '../../src/index.ts';
import { startServer } from '../helpers/servers.ts';

const SCRIPT = fileURLToPath(new URL('../fixtures/scripts/e2e-script.ts', import.meta.url));

test('a k6-style TypeScript script runs with setup(), checks, groups and custom metrics', async () => {
  const auth: string[] = [];
  const srv = await startServer((req, res) => {
    auth.push(String(req.headers.authorization));
    res.setHeader('content-type', 'application/json');
    res.end(req.url === '/items' ? JSON.stringify({ items: [11, 12, 13] }) : JSON.stringify({ id: req.url }));
  });
  try {
    const rec = await run(SCRIPT, { env: [`TARGET=${srv.url}`], workers: 1 });
    assert.equal(rec.status, 'completed');
    assert.equal(selectMetric(rec, 'iterations')!.sum, 6);
    assert.equal(selectMetric(rec, 'http_reqs')!.sum, 12);
    // Dynamic item URLs share one series through the name tag, inside the group.
    assert.equal(selectMetric(rec, 'http_reqs', { name: 'item', group: '::detail' })!.sum, 6);
    assert.equal(selectMetric(rec, 'group_duration', { group: '::detail' })!.count, 6);
    const checks = selectMetric(rec, 'checks')!;
    assert.equal(checks.count, 18);
    assert.equal(checks.sum, 18);
    assert.equal(selectMetric(rec, 'item_time')!.count, 6);
    assert.ok(auth.includes('Bearer abc'), 'setup() data reached the VUs');
    assert.deepEqual(
      rec.thresholds.map((t) => t.ok),
      [true, true],
    );
    // The Authorization header never reaches the record.
    assert.doesNotMatch(JSON.stringify(rec), /Bearer abc/);
  } finally {
    await srv.close();
  }
});

test('run() from code ends a run as the CLI does: a script that sent no request is failed, with the same reason', async () => {
  const script = fileURLToPath(new URL('../k6/scripts/native-no-requests.ts', import.meta.url));
  const rec = await run(script, { workers: 1 });
  assert.equal(rec.status, 'failed');
  assert.match(String(rec.statusReason), /the script sent no HTTP request/);
});
