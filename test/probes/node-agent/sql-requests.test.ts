// Grouping statements by request (the in-target tracker, driven in-process with fake responses) and
// the collector-side sum into NPlusOneGroup[]; and the shipped files (companion-install.ts) load as plain JS.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { nPlusOneFromSamples, nPlusOneOfTarget } from '../../../src/probes/node-agent/n-plus-one.ts';
import type { AgentSample } from '../../../src/record/agent-samples.ts';
import type { AgentSqlStats, SqlRepetition } from '../../../src/record/agent-sql-samples.ts';
import { createSqlTracker, type SqlTracker } from '../../../src/probes/node-agent/sql-requests.ts';
import { SQL_AGENT_FILES, sqlAgentImportFlag } from '../../../src/probes/node-agent/companion-install.ts';

/** Runs fn as the body of one request (its own async context, like a 'request' listener). */
function request(
  tracker: SqlTracker,
  method: string,
  url: string,
  fn: (res: { writableEnded: boolean }) => Promise<void> | void,
  ms = 10,
): Promise<void> {
  return new Promise((resolve, reject) => {
    setImmediate(() => {
      const res = { writableEnded: false };
      tracker.onRequest(res);
      Promise.resolve(fn(res)).then(() => {
        res.writableEnded = true;
        tracker.onFinish({ method, url }, res, ms);
        resolve();
      }, reject);
    });
  });
}

function run(tracker: SqlTracker, text: string, n: number, driver = 'pg'): void {
  for (let i = 0; i < n; i++) tracker.begin(text.replace('?', String(i)), driver)?.();
}

test('no driver instrumented: nothing is tracked and nothing is reported', async () => {
  const t = createSqlTracker();
  await request(t, 'GET', '/a/1', () => {
    assert.equal(t.begin('select 1', 'pg'), undefined);
  });
  assert.equal(t.take(), undefined);
});

test('statements repeated ≥ 5 times in one request are reported per (endpoint, statement); fewer are only counted', async () => {
  const t = createSqlTracker();
  t.driverPatched('pg', false);
  await request(
    t,
    'GET',
    '/customers/1/orders',
    () => {
      run(t, 'select * from items where order_id = ?', 7);
      run(t, 'select * from orders where c = 1', 1);
    },
    20,
  );
  await request(
    t,
    'GET',
    '/customers/2/orders?x=1',
    () => {
      run(t, 'select * from items where order_id = ?', 5);
    },
    30,
  );
  await request(
    t,
    'GET',
    '/customers/3/orders',
    () => {
      run(t, 'select * from items where order_id = ?', 4);
    },
    10,
  );
  await request(t, 'GET', '/health', () => {});
  const s = t.take()!;
  assert.deepEqual(s.endpoints, { 'GET /customers/:id/orders': 3, 'GET /health': 1 });
  assert.equal(s.requestsWithSql, 3);
  assert.equal(s.statements, 17);
  assert.equal(s.threshold, 5);
  assert.deepEqual(s.drivers, ['pg']);
  assert.equal(s.repeated.length, 1);
  const r = s.repeated[0]!;
  assert.equal(r.endpoint, 'GET /customers/:id/orders');
  assert.equal(r.statement, 'select * from items where order_id = $1');
  assert.deepEqual([r.requests, r.executions, r.maxExecutions, r.requestMs], [2, 12, 7, 50]);
  assert.ok(r.ms >= 0);
  // The call site: this test file (the first frame outside the agent's folder).
  assert.match(r.location?.file ?? '', /sql-requests\.test\.ts$/);
  // take() resets the interval.
  assert.deepEqual(t.take()!.repeated, []);
});

test('concurrent requests keep their own counts; a callback bound in one request runs in it when called from another', async () => {
  const t = createSqlTracker();
  t.driverPatched('pg', false);
  let release: (() => void) | undefined;
  const a = request(t, 'GET', '/a', async () => {
    run(t, 'select a', 3);
    // Like a pg-pool connect callback queued in A and called when B releases its client.
    await new Promise<void>((resolve) => {
      release = t.bindToRequest(() => {
        run(t, 'select a', 3);
        resolve();
      });
    });
  });
  await new Promise((r) => setImmediate(r));
  await request(t, 'GET', '/b', () => {
    run(t, 'select b', 6);
    release!();
  });
  await a;
  const s = t.take()!;
  const byEndpoint = Object.fromEntries(s.repeated.map((r) => [r.endpoint, [r.statement, r.executions]]));
  assert.deepEqual(byEndpoint, { 'GET /a': ['select a', 6], 'GET /b': ['select b', 6] });
});

test('a speculatively patched driver turns tracking on with its first statement', async () => {
  const t = createSqlTracker();
  t.driverPatched('postgres', true);
  assert.equal(t.take(), undefined);
  await request(t, 'GET', '/x', () => run(t, 'select 1', 6, 'postgres'));
  // That request's statements came before tracking (its context was not bound); it finished after.
  const first = t.take()!;
  assert.deepEqual([first.requestsWithSql, first.repeated, first.drivers], [0, [], ['postgres']]);
  await request(t, 'GET', '/x', () => run(t, 'select 1', 6, 'postgres'));
  assert.equal(t.take()!.repeated[0]?.executions, 6);
});

test("after finish (or disable) a request's late statements are ignored", async () => {
  const t = createSqlTracker();
  t.driverPatched('pg', false);
  let late: (() => void) | undefined;
  await request(t, 'GET', '/l', () => {
    late = t.bindToRequest(() => run(t, 'select late', 9));
  });
  late!();
  assert.equal(t.take()!.statements, 0);
  t.disable();
  assert.equal(t.begin('select 1', 'pg'), undefined);
});

const rep = (o: Partial<SqlRepetition>): SqlRepetition => ({
  endpoint: 'GET /c/:id',
  statement: 'select $1',
  driver: 'pg',
  requests: 1,
  executions: 10,
  maxExecutions: 10,
  ms: 5,
  requestMs: 20,
  location: null,
  ...o,
});
const sample = (sql: Partial<AgentSqlStats> | undefined): AgentSample => ({
  type: 'sample',
  time: 0,
  intervalMs: 1000,
  loopDelay: { count: 0, min: 0, mean: 0, p50: 0, p99: 0, max: 0 },
  elu: { utilization: 0, activeMs: 0, idleMs: 0 },
  gc: {},
  memory: { rss: 0, heapUsed: 0, heapTotal: 0, external: 0, arrayBuffers: 0 },
  activeResources: {},
  cpu: { userMs: 0, systemMs: 0 },
  httpIn: { started: 0, inFlightMax: 0, inFlight: 0, byMethodStatus: {} },
  httpOut: {},
  ...(sql
    ? {
        sql: {
          drivers: ['pg'],
          threshold: 5,
          endpoints: {},
          requestsWithSql: 0,
          statements: 0,
          statementMs: 0,
          repeated: [],
          dropped: 0,
          ...sql,
        },
      }
    : {}),
});

test('window sum: per-interval deltas add up; means, max, share and relative paths', () => {
  const loc = { file: '/srv/app/src/orders.js', line: 12, function: 'load' };
  const groups = nPlusOneFromSamples(
    [
      sample(undefined),
      sample({
        endpoints: { 'GET /c/:id': 3, 'GET /h': 9 },
        repeated: [rep({ requests: 2, executions: 20, maxExecutions: 10, ms: 30, requestMs: 60 })],
      }),
      sample({
        endpoints: { 'GET /c/:id': 2 },
        repeated: [
          rep({ requests: 1, executions: 16, maxExecutions: 16, ms: 40, requestMs: 50, location: loc }),
          rep({ statement: 'select x', requests: 1, executions: 5, maxExecutions: 5, ms: 1, requestMs: 100 }),
        ],
      }),
    ],
    { projectRoot: '/srv/app' },
  );
  assert.equal(groups.length, 2);
  const [g, small] = groups;
  assert.deepEqual(g, {
    endpoint: 'GET /c/:id',
    statement: 'select $1',
    requests: 3,
    endpointRequests: 5,
    perRequestMean: 12,
    perRequestMax: 16,
    msPerRequest: 70 / 3,
    shareOfRequest: 70 / 110,
    driver: 'pg',
    location: { file: 'src/orders.js', line: 12, function: 'load' },
  });
  assert.equal(small!.statement, 'select x');
  assert.equal(small!.shareOfRequest, 0.01);
  // Parallel statements can exceed the request's duration: the share stays ≤ 1.
  assert.equal(nPlusOneFromSamples([sample({ repeated: [rep({ ms: 80, requestMs: 20 })] })])[0]!.shareOfRequest, 1);
  assert.deepEqual(nPlusOneOfTarget(null), []);
  assert.deepEqual(nPlusOneOfTarget({ agent: { hello: null, samples: [sample(undefined)] } }), []);
});

test('the shipped files: stripped, relative imports rewritten to .mjs, and loadable as plain JS', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sg-sql-install-'));
  try {
    const flag = sqlAgentImportFlag(dir);
    assert.equal(flag, ` --import=${pathToFileURL(join(dir, 'sql-agent.mjs')).href}`);
    for (const name of SQL_AGENT_FILES) {
      const js = readFileSync(join(dir, `${name}.mjs`), 'utf8');
      assert.doesNotMatch(js, /from\s+['"]\.\/[\w-]+\.ts['"]/, name);
    }
    const mod = await import(pathToFileURL(join(dir, 'sql-agent.mjs')).href);
    assert.ok(mod);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("the in-target N+1 bar equals the record contract's (the agent cannot import it)", async () => {
  const { REPEAT_THRESHOLD } = await import('../../../src/probes/node-agent/sql-requests.ts');
  const { N_PLUS_ONE_MIN_REPEATS } = await import('../../../src/record/database-probes.ts');
  assert.equal(REPEAT_THRESHOLD, N_PLUS_ONE_MIN_REPEATS);
});

test('every statement summed (requests, executions, time, those requests’ time), and the statements in flight at once', async () => {
  const t = createSqlTracker();
  t.driverPatched('pg', false);
  await request(
    t,
    'GET',
    '/report',
    async () => {
      // Two statements at once (a pool of two), then one more.
      const a = t.begin('select pg_sleep(0.01)', 'pg')!;
      const b = t.begin('select pg_sleep(0.01)', 'pg')!;
      await new Promise((r) => setTimeout(r, 5));
      a();
      b();
      t.begin('select count(*) from t where id = 3', 'pg')!();
    },
    40,
  );
  await request(t, 'GET', '/report', () => t.begin('select count(*) from t where id = 4', 'pg')!(), 10);
  const s = t.take()!;
  assert.equal(s.inFlightMax, 2);
  const use = new Map(s.byStatement!.map((u) => [u.statement, u]));
  const sleep = use.get('select pg_sleep($1)');
  assert.ok(sleep, JSON.stringify(s.byStatement));
  assert.deepEqual([sleep.requests, sleep.executions, sleep.requestMs], [1, 2, 40]);
  assert.ok(sleep.ms >= 8, String(sleep.ms));
  const count = use.get('select count(*) from t where id = $1')!;
  assert.deepEqual([count.requests, count.executions, count.requestMs], [2, 2, 50]);
  // The next interval starts with nothing in flight.
  assert.equal(t.take()!.inFlightMax, 0);
});
