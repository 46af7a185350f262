// The bundled demo service (examples/demo) has the four bottlenecks its README promises — real and
// measurable from outside (and the N+1 from PostgreSQL's own statistics) — and nothing else wrong with
// its other endpoints. One private PostgreSQL and one server process on it for the file (started as
// `speedguard demo` starts them); each test measures one bottleneck. The database's own lifecycle
// (seed, stop, no orphans) is tested in demo-postgres.test.ts.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { gunzipSync } from 'node:zlib';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { ITEMS_BY_ORDER_SQL } from '../../examples/demo/handlers/customers.ts';
import { startDemoPostgres, type DemoPostgres } from '../../examples/demo/postgres.ts';
import { INVENTORY_POOL_SIZE } from '../../examples/demo/handlers/inventory.ts';
import { downstreamDelayMs } from '../../examples/demo/downstream.ts';
import { startRun } from '../../src/engine/coordinator.ts';
import { loadPlanFile } from '../../src/plan/index.ts';
import { selectMetric } from '../../src/record/select.ts';
import { alive, DemoClient, gone, mean, startDemo, type DemoProcess } from './demo-client.ts';

const PLAN = fileURLToPath(new URL('../../examples/demo/plan.yaml', import.meta.url));
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const ACCEPT = { 'accept-encoding': 'gzip, br' };

let database: DemoPostgres;
let sql: pg.Client;
let demo: DemoProcess;
let client: DemoClient;

before(async () => {
  database = await startDemoPostgres();
  sql = new pg.Client({ connectionString: database.url });
  await sql.connect();
  demo = await startDemo({ databaseUrl: database.url });
  client = new DemoClient(demo.url);
  // Open enough keep-alive connections that no measured request pays for a TCP connect.
  await client.concurrent('/health', 12);
});

after(async () => {
  client?.close();
  await demo?.stop();
  await sql?.end();
  await database?.stop();
});

test('starts in under 3 s and prints exactly one line, "listening <port>"', () => {
  assert.ok(demo.startupMs < 3_000, `startup took ${demo.startupMs.toFixed(0)} ms`);
  assert.equal(demo.stdout(), `listening ${demo.port}\n`);
  assert.ok(demo.port > 0);
});

/**
 * Latency comparisons on a shared test machine: other processes can stall any one sample, which only
 * ever hides an effect. So a measurement gets up to 3 attempts (bounded) and the test asserts on the
 * first that shows the effect, or the last; without the bottleneck every attempt fails.
 */
async function attempts<T>(measure: () => Promise<T>, holds: (m: T) => boolean, max = 3): Promise<T> {
  let m = await measure();
  for (let i = 1; i < max && !holds(m); i++) m = await measure();
  return m;
}

test('#1 CPU: recommendations burn 3–60 ms of CPU each, so latency grows with concurrency; /health does not', async () => {
  const path = '/api/products/17/recommendations';
  await client.sequential(path, 3); // JIT warm-up
  const before = (await client.json('/debug/stats')).functions.scoreRecommendations;
  const m = await attempts(
    async () => {
      // The fastest of 5 single calls: the service time with nothing else running.
      const single = Math.min(...(await client.sequential(path, 5)));
      const at8 = mean(await client.concurrent(path, 8));
      const healthSingle = Math.min(...(await client.sequential('/health', 5)));
      const healthAt8 = mean(await client.concurrent('/health', 8));
      return { single, at8, cpuGrowth: at8 - single, healthAt8, healthGrowth: healthAt8 - healthSingle };
    },
    (x) => x.at8 >= 2.5 * x.single && x.healthGrowth < x.cpuGrowth / 4 && x.healthAt8 < x.at8 / 5,
  );
  const after = (await client.json('/debug/stats')).functions.scoreRecommendations;

  const calls = after.calls - before.calls;
  const cpuPerCall = (after.cpuMs - before.cpuMs) / calls;
  const wallPerCall = (after.wallMs - before.wallMs) / calls;
  assert.equal(calls % 13, 0, `${calls} calls`);
  // Burning CPU, not waiting: thread CPU time (a sleep would have none). Not compared with wall time,
  // which other processes on a busy test machine inflate.
  assert.ok(
    cpuPerCall >= 3 && cpuPerCall <= 60,
    `scoreRecommendations CPU per call ${cpuPerCall.toFixed(1)} ms (wall ${wallPerCall.toFixed(1)} ms)`,
  );
  // 8 at once queue behind each other on the event loop: mean ≈ 4.5× a single call.
  assert.ok(m.at8 >= 2.5 * m.single, `recommendations: 1 → ${m.single.toFixed(1)} ms, 8 concurrent → mean ${m.at8.toFixed(1)} ms`);
  assert.ok(m.healthGrowth < m.cpuGrowth / 4, `/health grew ${m.healthGrowth.toFixed(2)} ms vs ${m.cpuGrowth.toFixed(1)} ms`);
  assert.ok(m.healthAt8 < m.at8 / 5, `/health at 8: ${m.healthAt8.toFixed(2)} ms`);
});

test('#2 caching/compression: the catalogue is > 100 KB, uncompressed and uncached; other endpoints are not', async () => {
  const cat = await client.get('/api/products?limit=500', ACCEPT);
  assert.equal(cat.status, 200);
  assert.ok(cat.body.length > 100 * 1024, `catalogue ${cat.body.length} bytes`);
  assert.equal(cat.headers['content-encoding'], undefined);
  for (const h of ['cache-control', 'etag', 'last-modified', 'expires']) assert.equal(cat.headers[h], undefined, h);
  assert.equal(JSON.parse(cat.body.toString()).items.length, 500);

  // A large-ish endpoint done right: gzip, Cache-Control, ETag, and 304 on revalidation.
  const orders = await client.get('/api/customers/42/orders', ACCEPT);
  assert.equal(orders.status, 200);
  assert.equal(orders.headers['content-encoding'], 'gzip');
  const decoded = gunzipSync(orders.body);
  assert.ok(decoded.length > 2048 && orders.body.length < decoded.length / 2, `${orders.body.length} of ${decoded.length} bytes`);
  assert.match(String(orders.headers['cache-control']), /max-age=\d+/);
  assert.equal(orders.headers.vary, 'Accept-Encoding');
  const etag = String(orders.headers.etag);
  assert.match(etag, /^W\/".+"$/);
  const revalidated = await client.get('/api/customers/42/orders', { ...ACCEPT, 'if-none-match': etag });
  assert.equal(revalidated.status, 304);
  assert.equal(revalidated.body.length, 0);

  // Every other endpoint states its caching policy, and none sends ≥ 1 KB uncompressed.
  for (const path of ['/health', '/api/products/17', '/api/products/17/recommendations', '/api/customers/42', '/api/inventory/17']) {
    const r = await client.get(path, ACCEPT);
    assert.equal(r.status, 200, path);
    assert.ok(r.headers['cache-control'], `${path} has no Cache-Control`);
    assert.ok(r.body.length < 1024 || r.headers['content-encoding'] !== undefined, `${path}: ${r.body.length} bytes uncompressed`);
  }
  // Without Accept-Encoding, no compression is forced on the client.
  const plain = await client.get('/api/customers/42/orders');
  assert.equal(plain.headers['content-encoding'], undefined);
  assert.equal(plain.body.length, decoded.length);
});

test('#3 N+1: one orders page runs 1 + N + 1 queries, each per-order query a sequential scan of order_items', async () => {
  await client.json('/api/customers/42'); // the customer summary is cached in process: not part of the page's queries
  const before = (await client.json('/debug/stats')).queries;
  const page = await client.json('/api/customers/42/orders');
  const after = (await client.json('/debug/stats')).queries;
  const n = page.orders.length;
  assert.equal(n, 10);
  assert.ok(page.orders.every((o: { items: unknown[] }) => o.items.length >= 1));
  assert.equal(after.byStatement.itemsByOrder - before.byStatement.itemsByOrder, n, 'one items query per order');
  // /debug/stats itself runs no query, so the difference is this request's: 12.
  assert.equal(after.total - before.total, n + 2);

  const plans = (await client.json('/debug/query-plans')).statements as Array<{ name: string; plan: string[] }>;
  const items = plans.find((s) => s.name === 'itemsByOrder')!;
  assert.deepEqual(items.plan, ['Seq Scan on order_items', '  Filter: (order_id = $1)']);
  // The rest of the page is indexed: only the N+1 is the problem.
  assert.match(plans.find((s) => s.name === 'ordersByCustomer')!.plan.join(' '), /using orders_customer_created on orders/);
  assert.match(plans.find((s) => s.name === 'productNamesByIds')!.plan.join(' '), /Index Scan using products_pkey/);
  // Most of the page's time is the per-order scans (waiting on the database, not CPU of ours).
  const stats = await client.json('/debug/stats');
  const timing = stats.functions.loadOrdersWithItems;
  assert.equal(timing.cpuMs, null);
  assert.ok(
    stats.queries.msByStatement.itemsByOrder >= 0.5 * timing.wallMs,
    `items queries ${stats.queries.msByStatement.itemsByOrder.toFixed(1)} of ${timing.wallMs.toFixed(1)} ms`,
  );
});

test("#3 N+1 (PostgreSQL's view): pg_stat_statements counts 12 statements per page, 10 of them the per-order scan", async () => {
  await client.json('/api/customers/42'); // cached summary: the page runs exactly 1 + 10 + 1
  await sql.query('SELECT pg_stat_statements_reset()');
  await client.json('/api/customers/42/orders');
  const r = await sql.query<{ query: string; calls: string; rows: string }>(`SELECT query, calls, rows FROM pg_stat_statements
    WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database()) AND query NOT ILIKE '%pg_stat_statements%'`);
  const calls = r.rows.reduce((sum, x) => sum + Number(x.calls), 0);
  assert.equal(calls, 12, r.rows.map((x) => `${x.calls}× ${x.query}`).join('\n'));
  const perOrder = r.rows.find((x) => x.query === ITEMS_BY_ORDER_SQL);
  assert.equal(Number(perOrder?.calls), 10, 'the normalised per-order statement, 10 times');
});

test('#3 missing index: EXPLAIN shows a Seq Scan of order_items removing ~41,000 rows; an index on order_id fixes it', async () => {
  const total = Number((await sql.query('SELECT count(*) AS n FROM order_items')).rows[0].n);
  assert.ok(total > 40_000, `${total} order items`);
  const orderId = (await sql.query('SELECT id FROM orders WHERE customer_id = 42 ORDER BY created_at DESC LIMIT 1')).rows[0].id as number;
  const explain = async () => {
    const r = await sql.query(`EXPLAIN (ANALYZE, FORMAT JSON) ${ITEMS_BY_ORDER_SQL}`, [orderId]);
    return r.rows[0]['QUERY PLAN'][0].Plan as Record<string, unknown>;
  };
  await sql.query('BEGIN READ ONLY');
  try {
    const plan = await explain();
    assert.equal(plan['Node Type'], 'Seq Scan');
    assert.equal(plan['Relation Name'], 'order_items');
    assert.ok(Number(plan['Rows Removed by Filter']) > 0.99 * total, `removed ${plan['Rows Removed by Filter']} of ${total}`);
    assert.ok(Number(plan['Actual Rows']) >= 1 && Number(plan['Actual Rows']) <= 6);
  } finally {
    await sql.query('ROLLBACK');
  }
  const indexes = await sql.query<{ indexdef: string }>("SELECT indexdef FROM pg_indexes WHERE tablename = 'order_items'");
  assert.ok(!indexes.rows.some((i) => /\(order_id\b/.test(i.indexdef)), indexes.rows.map((i) => i.indexdef).join('; '));
  // The fix, in a transaction that is rolled back (the shared database keeps its bottleneck).
  await sql.query('BEGIN');
  try {
    await sql.query('CREATE INDEX order_items_order ON order_items (order_id)');
    const fixed = JSON.stringify(await explain());
    assert.match(fixed, /"Index Name":"order_items_order"/);
    assert.doesNotMatch(fixed, /"Node Type":"Seq Scan"/);
  } finally {
    await sql.query('ROLLBACK');
  }
});

/** A process's user + system CPU time (ms) from /proc (Linux; NaN elsewhere). 10 ms resolution. */
function processCpuMs(pid: number): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100; // USER_HZ is 100 on Linux
  } catch {
    return Number.NaN;
  }
}

test(`#4 pool: 10 concurrent inventory calls queue on ${INVENTORY_POOL_SIZE} socket(s) (≥ 4× the latency of one), CPU idle`, async () => {
  const path = '/api/inventory/17';
  await client.concurrent(path, INVENTORY_POOL_SIZE); // open the pool's sockets
  const before = (await client.json('/debug/stats')).downstream;
  const serverPid = (await client.json('/debug/stats')).processes.server as number;
  const m = await attempts(
    async () => {
      const single = Math.min(...(await client.sequential(path, 3)));
      const cpu0 = processCpuMs(serverPid);
      const t0 = performance.now();
      const at10 = await client.concurrent(path, 10);
      const cpuShare = (processCpuMs(serverPid) - cpu0) / (performance.now() - t0);
      return { single, worst: Math.max(...at10), mean: mean(at10), cpuShare };
    },
    (x) => x.worst >= 4 * x.single && x.mean >= 2 * x.single,
  );
  const after = (await client.json('/debug/stats')).downstream;
  const serviceMs = downstreamDelayMs(17);
  assert.ok(m.single >= serviceMs && m.single < 150, `one call ${m.single.toFixed(1)} ms`);
  // 10 / pool-size rounds: the last waits ~10 × the service time on one socket, the mean ~5×.
  assert.ok(m.worst >= 4 * m.single, `1 → ${m.single.toFixed(1)} ms, 10 concurrent → max ${m.worst.toFixed(1)} ms`);
  assert.ok(m.mean >= 2 * m.single, `10 concurrent → mean ${m.mean.toFixed(1)} ms`);
  // Waiting, not working: the server's CPU is mostly idle meanwhile (NaN where there is no /proc).
  if (!Number.isNaN(m.cpuShare)) assert.ok(m.cpuShare < 0.5, `server CPU ${(m.cpuShare * 100).toFixed(0)} % while queueing`);
  // The mechanism, from inside: 10 in flight, 10 − pool waiting for a socket, for at least the sum of
  // the rounds' waits in service times (more if a stall made the service slower — never less).
  assert.equal(after.poolSize, INVENTORY_POOL_SIZE);
  assert.equal(after.maxInFlight, 10);
  assert.ok(after.maxQueued >= 10 - INVENTORY_POOL_SIZE, `max queued ${after.maxQueued}`);
  const waited = after.queueWaitMs - before.queueWaitMs;
  let rounds = 0;
  for (let i = INVENTORY_POOL_SIZE; i < 10; i++) rounds += Math.floor(i / INVENTORY_POOL_SIZE);
  assert.ok(waited >= 0.9 * rounds * serviceMs, `queue wait ${waited.toFixed(0)} ms (${rounds} service times expected)`);
  assert.equal(after.failures, 0);
});

test("#4 pool: a client that gives up leaves the pool's queue (its downstream call is cancelled)", async () => {
  const path = '/api/inventory/256';
  const before = (await client.json('/debug/stats')).downstream;
  const giveUp = new AbortController();
  const outcomes = Array.from(
    { length: 10 },
    () =>
      new Promise<string>((resolve) => {
        const req = request(`${demo.url}${path}`, { signal: giveUp.signal }, (res) => {
          res.resume();
          resolve(`status ${res.statusCode}`);
        });
        req.on('error', (e) => resolve(e.name));
        req.end();
      }),
  );
  // Bounded polls: the server's view of other sockets is no event of ours.
  const poll = async (done: (d: typeof before) => boolean) => {
    let d = before;
    for (let i = 0; i < 150; i++) {
      d = (await client.json('/debug/stats')).downstream;
      if (done(d)) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    return d;
  };
  const queued = await poll((d) => d.calls - before.calls === 10);
  assert.equal(queued.calls - before.calls, 10);
  assert.ok(queued.inFlight > INVENTORY_POOL_SIZE, `in flight ${queued.inFlight}`); // some wait for a socket
  giveUp.abort();
  // Normally all 10 are abandoned; a stalled test machine may let the first pairs finish first.
  const abandoned = (await Promise.all(outcomes)).filter((o) => o === 'AbortError').length;
  assert.ok(abandoned >= 6, `${abandoned} of 10 abandoned`);
  const after = await poll((d) => d.inFlight === 0);
  assert.equal(after.inFlight, 0);
  const cancelled = after.cancelled - before.cancelled;
  // Each abandoned call is cancelled (less a response already written when its client left).
  assert.ok(cancelled <= abandoned && cancelled >= abandoned - INVENTORY_POOL_SIZE, `cancelled ${cancelled} of ${abandoned}`);
  assert.equal(after.failures, before.failures);
});

test('plan.yaml: loads with a target, names every request by its route, and runs green against the demo', async () => {
  const plan = await loadPlanFile(PLAN, { target: demo.url, iterations: 2, vus: 1 });
  const flow = Object.values(plan.scenarios)[0]!.flow!;
  const requests = flow.filter((s) => s.kind === 'request');
  assert.equal(requests.length, 10);
  const perIteration = new Map<string, number>();
  for (const r of requests) {
    assert.ok(r.name, `${r.url} has no name`);
    assert.ok(
      r.checks.some((c) => c.status !== undefined),
      `${r.name} has no status check`,
    );
    assert.ok(r.url.startsWith(demo.url), r.url);
    perIteration.set(r.name, (perIteration.get(r.name) ?? 0) + 1);
  }
  const before = (await client.json('/debug/stats')).requests as Record<string, number>;
  const rec = await startRun(plan, { inProcess: true }).result;
  const after = (await client.json('/debug/stats')).requests as Record<string, number>;
  assert.equal(rec.status, 'completed');
  assert.equal(selectMetric(rec, 'http_reqs')!.sum, 20);
  assert.equal(selectMetric(rec, 'http_req_failed')!.sum, 0);
  const checks = selectMetric(rec, 'checks')!;
  assert.equal(checks.sum, checks.count, 'every check passed');
  // Request names are the server's route paths (plus the query that matters): every API route (all
  // but /debug) was hit, as often as the flow says, and the run's series carry the same names.
  const routeOf = (name: string) => `GET ${name.split('?')[0]}`;
  const routes = Object.keys(after).filter((r) => !r.startsWith('GET /debug'));
  assert.deepEqual(routes.sort(), [...perIteration.keys()].map(routeOf).sort());
  for (const [name, n] of perIteration) {
    assert.equal(after[routeOf(name)]! - (before[routeOf(name)] ?? 0), 2 * n, name);
    assert.equal(selectMetric(rec, 'http_reqs', { name })?.sum, 2 * n, name);
  }
});

test('answer-key.json matches the code and the plan: every location exists, every endpoint is in the plan', async () => {
  const key = JSON.parse(readFileSync(join(ROOT, 'examples/demo/answer-key.json'), 'utf8')) as {
    bottlenecks: Array<{ id: string; type: string; endpoint: string; location: { file: string; function: string } }>;
    healthy: string[];
  };
  const plan = await loadPlanFile(PLAN, { target: 'http://127.0.0.1:1' });
  const names = new Set(Object.values(plan.scenarios)[0]!.flow!.flatMap((s) => (s.kind === 'request' && s.name ? [s.name] : [])));
  assert.equal(key.bottlenecks.length, 4);
  for (const b of key.bottlenecks) {
    assert.ok(names.has(b.endpoint), `${b.id}: ${b.endpoint} is not a request name in plan.yaml`);
    assert.ok(['database', 'application', 'frontend', 'network', 'infrastructure'].includes(b.type), b.type);
    const source = readFileSync(join(ROOT, b.location.file), 'utf8');
    const fn = b.location.function.split('.').at(-1)!;
    assert.match(source, new RegExp(`(function ${fn}\\b|^\\s+${fn}\\()`, 'm'), `${b.location.file} has no ${b.location.function}`);
  }
  for (const h of key.healthy) assert.ok(names.has(h), h);
  // The N+1's statement is the code's, and the missing index is really missing (demo-postgres.test.ts).
  const n1 = key.bottlenecks.find((b) => b.id === 'n-plus-one-unindexed') as unknown as {
    statement: string;
    statementsPerRequest: number;
    missingIndex: { table: string; columns: string[] };
  };
  assert.equal(n1.statement, ITEMS_BY_ORDER_SQL);
  assert.equal(n1.statementsPerRequest, 12);
  assert.deepEqual(n1.missingIndex.columns, ['order_id']);
  // Every request of the plan is either a bottleneck or healthy: the key covers the whole plan.
  assert.deepEqual([...names].sort(), [...key.bottlenecks.map((b) => b.endpoint), ...key.healthy].sort());
});

test('bad requests: 404 for unknown ids and routes, 400 for a bad limit, 405 for POST', async () => {
  assert.equal((await client.get('/api/products/999999')).status, 404);
  assert.equal((await client.get('/api/customers/abc/orders')).status, 404);
  assert.equal((await client.get('/nope')).status, 404);
  assert.equal((await client.get('/api/products/%E0')).status, 400);
  const bad = await client.get('/api/products?limit=501');
  assert.equal(bad.status, 400);
  assert.match(JSON.parse(bad.body.toString()).error, /limit/);
  const post = await new Promise<number>((resolve, reject) => {
    const req = request(`${demo.url}/api/products`, { method: 'POST' }, (res) => {
      res.resume();
      resolve(res.statusCode!);
    });
    req.on('error', reject);
    req.end('{}');
  });
  assert.equal(post, 405);
});

test("kill -9 of the server: the downstream child notices and exits too; the database is not the server's to stop", async () => {
  const other = await startDemo({ databaseUrl: database.url });
  const c = new DemoClient(other.url);
  try {
    const { downstream, postgres } = (await c.json('/debug/stats')).processes;
    assert.equal(postgres, null, 'given DATABASE_URL, the server starts no PostgreSQL of its own');
    assert.ok(alive(downstream));
    other.child.kill('SIGKILL');
    assert.ok(await gone(downstream), `downstream ${downstream} still running`);
    assert.ok(alive(database.pid), 'the shared database still runs');
  } finally {
    c.close();
    await other.stop();
  }
});

// Last: it stops the shared server.
test('SIGTERM: in-flight requests finish, exit code 0, the downstream is stopped', async () => {
  const { downstream } = (await client.json('/debug/stats')).processes;
  const inFlight = client.get('/api/inventory/17');
  await new Promise((r) => setImmediate(r));
  const code = await demo.stop();
  assert.equal(code, 0);
  assert.equal((await inFlight).status, 200);
  assert.ok(!alive(downstream), 'downstream still running');
  assert.equal(demo.stderr(), '');
  // Its pool is closed: no connection of the demo shop is left on the database.
  const left = await sql.query("SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = 'speedguard-demo-shop'");
  assert.equal(left.rows[0].n, 0);
});
