// How a k6 script's run ends around the load, as k6 ends it: setupTimeout (exit 100) and
// teardownTimeout (exit 101) with the record kept, setup() data in handleSummary's data, Ctrl-C
// (exit 105, the partial record marked interrupted) and minIterationDuration.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runCli } from '../helpers/cli.ts';
import { startK6Server, type K6TestServer } from './k6-server.ts';
import type { RunRecord } from '../../src/record/run-record.ts';

const SCRIPTS = fileURLToPath(new URL('./scripts/', import.meta.url));
const out = mkdtempSync(join(tmpdir(), 'k6-life-'));
let server: K6TestServer;

before(async () => {
  server = await startK6Server();
});
after(() => server.close());

function run(name: string, extra: string[] = [], onSpawn?: (kill: (sig: NodeJS.Signals) => void) => void) {
  return runCli(['run', join(SCRIPTS, name), '-e', `BASE=${server.url}`, '--no-history', '-q', ...extra], {
    timeoutMs: 90_000,
    ...(onSpawn ? { onSpawn } : {}),
  });
}

const metric = (r: RunRecord, name: string) => r.totals.filter((t) => t.metric === name).reduce((n, t) => n + t.count, 0);

test('a setup() that outlives setupTimeout exits 100; no load is sent and the record says why', async () => {
  const r = await run('setup-timeout.js', ['--json']);
  assert.equal(r.code, 100, r.stderr);
  assert.match(r.stderr, /setup\(\) did not finish within 1s \(setupTimeout\)/);
  const record = JSON.parse(r.stdout) as RunRecord;
  assert.equal(record.status, 'failed');
  assert.deepEqual(
    record.scriptErrors?.map((e) => [e.phase, e.name]),
    [['setup', 'LifecycleTimeout']],
  );
  assert.equal(metric(record, 'http_reqs'), 0, 'no iteration ran');
});

test('a setup() stuck in a synchronous loop is ended by setupTimeout (exit 100), not left to hang', async () => {
  const r = await run('setup-stuck.js', ['--json']);
  assert.equal(r.code, 100, r.stderr);
  assert.match(r.stderr, /setup\(\) did not finish within 1s \(setupTimeout\)/);
  const record = JSON.parse(r.stdout) as RunRecord;
  assert.deepEqual(
    record.scriptErrors?.map((e) => [e.phase, e.name]),
    [['setup', 'LifecycleTimeout']],
  );
});

test('a teardown() that outlives teardownTimeout exits 101; the load before it is kept', async () => {
  const file = join(out, 'teardown.json');
  const r = await run('teardown-timeout.js', ['--summary-export', file]);
  assert.equal(r.code, 101, r.stderr);
  const exp = JSON.parse(readFileSync(file, 'utf8')) as { metrics: Record<string, Record<string, number>> };
  assert.equal(exp.metrics.http_reqs!.count, 3);
  assert.equal(exp.metrics.checks!.passes, 3);
});

test("handleSummary's data has setup()'s return value as setup_data", async () => {
  const r = await run('setup-data-summary.js');
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /setup_data=\{"token":"tok123","users":\[1,2,3\]\} reqs=2\n/);
});

test('Ctrl-C exits 105 as k6 does; the partial record is kept, marked interrupted', async () => {
  const before = server.requests;
  const r = await run('long-run.js', ['--json', '--stop-grace', '1s'], (kill) => {
    const t0 = Date.now();
    const poll = setInterval(() => {
      // Once the load is under way (the server has answered), not after a guessed start-up time.
      if (server.requests - before >= 20 || Date.now() - t0 > 45_000) {
        clearInterval(poll);
        kill('SIGINT');
      }
    }, 50);
  });
  assert.equal(r.code, 105, r.stderr);
  const record = JSON.parse(r.stdout) as RunRecord;
  assert.equal(record.status, 'interrupted');
  assert.ok(metric(record, 'http_reqs') >= 20);
  assert.ok(record.durationMs < 60_000);
});

test('minIterationDuration: each iteration lasts at least 1s, iteration_duration keeps its own time', async () => {
  const r = await run('min-iteration.js', ['--json']);
  assert.equal(r.code, 0, r.stderr);
  const record = JSON.parse(r.stdout) as RunRecord;
  assert.equal(metric(record, 'iterations'), 2);
  // Two iterations, each waited out to 1 s: the run cannot be shorter than 2 s.
  assert.ok(record.durationMs >= 2000, `run took ${record.durationMs} ms`);
  const d = record.totals.find((t) => t.metric === 'iteration_duration')!;
  assert.ok(d.max < 1000, `iteration_duration max ${d.max} ms includes the wait`);
});

test('throw: true makes a failed request throw (still counted); without it the response carries the error', async () => {
  // A port nothing listens on: the server is started and closed again.
  const dead = await startK6Server();
  const deadUrl = dead.url;
  await dead.close();
  const outcome = async (throwOption: string) => {
    const r = await run('throw.js', ['--json', '-e', `DEAD=${deadUrl}`, '-e', `THROW=${throwOption}`]);
    const record = JSON.parse(r.stdout) as RunRecord;
    const checks = Object.fromEntries(
      record.totals.filter((t) => t.metric === 'checks').map((t) => [t.tags.check, [t.sum, t.count - t.sum]]),
    );
    return { code: r.code, stderr: r.stderr, threw: metric(record, 'threw'), reqs: metric(record, 'http_reqs'), checks };
  };
  const on = await outcome('1');
  assert.equal(on.threw, 2, on.stderr);
  assert.equal(on.reqs, 2, 'a request that threw is still measured');
  assert.deepEqual(on.checks, { 'thrown error names the request': [2, 0] });
  const off = await outcome('0');
  assert.equal(off.threw, 0, off.stderr);
  assert.equal(off.reqs, 2);
  assert.deepEqual(off.checks, { 'returned with an error': [2, 0] });
});

test('a teardown() that throws exits 107 as k6 does; the load before it is kept', async () => {
  const r = await run('teardown-throws.js', ['--json']);
  assert.equal(r.code, 107, r.stderr);
  const record = JSON.parse(r.stdout) as RunRecord;
  assert.equal(metric(record, 'http_reqs'), 1);
  assert.deepEqual(
    record.scriptErrors?.map((e) => [e.phase, e.message]),
    [['teardown', 'boom']],
  );
});
