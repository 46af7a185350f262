// N+1 detection inside a profiled Node target, end to end: fixture services on a real PostgreSQL
// (embedded, test/helpers/postgres.ts), started through speedguard's startTarget (agent injected),
// driven with a bounded number of plain HTTP requests; the agent's samples → nPlusOneFromSamples.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync, realpathSync } from 'node:fs';
import http from 'node:http';
import { fileURLToPath } from 'node:url';
import { nPlusOneFromSamples } from '../../../src/probes/node-agent/n-plus-one.ts';
import type { AgentSample } from '../../../src/record/agent-samples.ts';
import { startTarget } from '../../../src/probes/target.ts';
import { startTestPostgres, type TestPostgres } from '../../helpers/postgres.ts';

const fixture = (name: string) => fileURLToPath(new URL(`../../fixtures/profile/${name}`, import.meta.url));
const ORDERS_PER_CUSTOMER = 10;
const CUSTOMERS = 12;
const N1_STATEMENT = 'SELECT sku, qty FROM order_items WHERE order_id = $1';

let pgServer: TestPostgres;
let dbUrl: string;

before(async () => {
  pgServer = await startTestPostgres();
  dbUrl = await pgServer.createDatabase('sg_n_plus_one');
  const c = await pgServer.client('sg_n_plus_one');
  await c.query(`
    CREATE TABLE orders (id serial PRIMARY KEY, customer_id int NOT NULL, total int NOT NULL);
    CREATE TABLE order_items (id serial PRIMARY KEY, order_id int NOT NULL, sku text NOT NULL, qty int NOT NULL);
    INSERT INTO orders (customer_id, total)
      SELECT c, o * 100 FROM generate_series(1, ${CUSTOMERS}) c, generate_series(1, ${ORDERS_PER_CUSTOMER}) o;
    INSERT INTO order_items (order_id, sku, qty) SELECT o.id, 'sku-' || k, k FROM orders o, generate_series(1, 3) k;
    CREATE INDEX ON orders (customer_id);
    CREATE INDEX ON order_items (order_id);`);
});
after(async () => {
  await pgServer?.stop();
});

const agent = new http.Agent({ keepAlive: true, maxSockets: 32 });
function get(port: number, path: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', port, path, agent }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.setTimeout(10_000, () => req.destroy(new Error(`GET ${path} timed out`)));
  });
}

/** The line of the fixture marked "// N+1 here". */
function markedLine(file: string): number {
  return (
    readFileSync(file, 'utf8')
      .split('\n')
      .findIndex((l) => l.includes('// N+1 here')) + 1
  );
}

interface Run {
  samples: AgentSample[];
  died: boolean;
  stderr: string[];
}

/**
 * Starts `file` with the agent, sends one warm-up request, then `orders` requests to
 * /customers/:id/orders, `concurrency` at a time, and `health` requests to /health; returns the agent
 * samples that cover the load (not the warm-up).
 */
async function run(file: string, o: { orders: number; concurrency: number; health: number; node?: string }): Promise<Run> {
  const target = await startTarget({
    command: [o.node ?? process.execPath, file],
    env: { DATABASE_URL: dbUrl, POOL_MAX: '3', SPEEDGUARD_AGENT_INTERVAL_MS: '200' },
    startTimeoutMs: 15_000,
  });
  try {
    const collector = target.collector!;
    const sampleAfter = (pred: () => boolean, what: string) =>
      new Promise<void>((resolve, reject) => {
        if (pred()) {
          resolve();
          return;
        }
        const timer = setTimeout(() => {
          off();
          reject(new Error(`${what}: not seen within 5 s (${target.info().stderrTail.join(' | ')})`));
        }, 5000);
        const off = collector.onSample(() => {
          if (pred()) {
            clearTimeout(timer);
            off();
            resolve();
          }
        });
      });
    // Warm-up: a postgres.js copy the agent imported itself starts tracking after its first statement.
    assert.equal(await get(target.port, '/customers/1/orders'), 200);
    const seen = collector.samples.length;
    await sampleAfter(() => collector.samples.length > seen, 'a sample after the warm-up');
    const from = collector.samples.length;
    let next = 0;
    const paths = [
      ...Array.from({ length: o.orders }, (_, i) => `/customers/${(i % CUSTOMERS) + 1}/orders`),
      ...Array.from({ length: o.health }, () => '/health'),
    ];
    const worker = async () => {
      while (next < paths.length) {
        const path = paths[next++]!;
        assert.equal(await get(target.port, path), 200, path);
      }
    };
    await Promise.all(Array.from({ length: o.concurrency }, worker));
    const finished = () =>
      collector.samples.slice(from).reduce((n, s) => n + Object.values(s.sql?.endpoints ?? {}).reduce((a, b) => a + b, 0), 0);
    await sampleAfter(() => finished() >= paths.length, `${paths.length} finished requests in the agent's sql stats`).catch(() => {});
    return { samples: collector.samples.slice(from), died: target.info().died, stderr: target.info().stderrTail };
  } finally {
    await target.stop();
  }
}

function assertNPlusOne(r: Run, file: string, o: { orders: number; driver: string; fn: string | null; health: number }): void {
  assert.equal(r.died, false, r.stderr.join('\n'));
  const groups = nPlusOneFromSamples(r.samples);
  const endpoints: Record<string, number> = {};
  for (const s of r.samples) for (const [k, n] of Object.entries(s.sql?.endpoints ?? {})) endpoints[k] = (endpoints[k] ?? 0) + n;
  assert.deepEqual(endpoints, { 'GET /customers/:id/orders': o.orders, ...(o.health ? { 'GET /health': o.health } : {}) });
  assert.equal(groups.length, 1, JSON.stringify(groups, null, 1));
  const g = groups[0]!;
  assert.equal(g.endpoint, 'GET /customers/:id/orders');
  assert.equal(g.statement, N1_STATEMENT);
  assert.equal(g.driver, o.driver);
  assert.equal(g.requests, o.orders);
  assert.equal(g.endpointRequests, o.orders);
  // Every request ran exactly ORDERS_PER_CUSTOMER item queries: none was credited to another request.
  assert.equal(g.perRequestMean, ORDERS_PER_CUSTOMER);
  assert.equal(g.perRequestMax, ORDERS_PER_CUSTOMER);
  assert.ok(g.msPerRequest > 0, `msPerRequest ${g.msPerRequest}`);
  assert.ok(g.shareOfRequest > 0 && g.shareOfRequest <= 1, `shareOfRequest ${g.shareOfRequest}`);
  assert.deepEqual(g.location, o.fn === null ? null : { file: realpathSync(file), line: markedLine(file), function: o.fn });
  const sql = r.samples.find((s) => s.sql)!.sql!;
  assert.equal(sql.threshold, 5);
  assert.ok(sql.drivers.includes(o.driver), `drivers ${sql.drivers.join(',')}`);
}

test('pg Pool in an ES module service: 24 requests, 12 at a time over 3 connections, each credited its own 10 queries', async () => {
  const file = fixture('n-plus-one-pg.mjs');
  const r = await run(file, { orders: 24, concurrency: 12, health: 6 });
  assertNPlusOne(r, file, { orders: 24, driver: 'pg', fn: 'ordersWithItems', health: 6 });
});

test('pg Client in a CommonJS service, callbacks and literals concatenated into the statement', async () => {
  const file = fixture('n-plus-one-pg.cjs');
  const r = await run(file, { orders: 12, concurrency: 6, health: 3 });
  assertNPlusOne(r, file, { orders: 12, driver: 'pg', fn: 'next', health: 3 });
});

test('postgres.js (ES module build) with tagged templates, 12 at a time over 3 connections', async () => {
  const file = fixture('n-plus-one-postgresjs.mjs');
  const r = await run(file, { orders: 24, concurrency: 12, health: 3 });
  assertNPlusOne(r, file, { orders: 24, driver: 'postgres', fn: 'ordersWithItems', health: 3 });
});

test('postgres.js (CommonJS build) with sql.unsafe(): found, without a call site', async () => {
  const file = fixture('n-plus-one-postgresjs.cjs');
  const r = await run(file, { orders: 12, concurrency: 6, health: 0 });
  // postgres.js keeps the caller's stack for tagged templates only; an unsafe() query starts executing
  // from a promise job, whose stack has no application frame.
  assertNPlusOne(r, file, { orders: 12, driver: 'postgres', fn: null, health: 0 });
});

test('one JOIN per request: requests and statements seen, no N+1 group', async () => {
  const r = await run(fixture('n-plus-one-healthy.mjs'), { orders: 12, concurrency: 6, health: 3 });
  assert.equal(r.died, false, r.stderr.join('\n'));
  assert.deepEqual(nPlusOneFromSamples(r.samples), []);
  const sum = (f: (s: NonNullable<AgentSample['sql']>) => number) => r.samples.reduce((n, s) => n + (s.sql ? f(s.sql) : 0), 0);
  assert.equal(
    sum((s) => s.requestsWithSql),
    12,
  );
  assert.equal(
    sum((s) => s.statements),
    12,
  );
  assert.equal(
    sum((s) => s.endpoints['GET /customers/:id/orders'] ?? 0),
    12,
  );
});

/** The machine's Node 20 or 22 outside node_modules (the repo runs 24), or SG_TEST_OLDER_NODE, or null. */
function olderNode(): string | null {
  for (const c of [process.env.SG_TEST_OLDER_NODE ?? '', '/usr/bin/node', '/usr/local/bin/node']) {
    if (!c) continue;
    try {
      const v = execFileSync(c, ['--version'], { encoding: 'utf8', timeout: 5000 }).trim();
      if (/^v2[02]\./.test(v)) return c;
    } catch {
      /* not there */
    }
  }
  return null;
}

test('an older Node (20/22) target: the stripped agent files load and detect the same N+1', {
  skip: olderNode() ? false : 'no Node 20/22 on this machine',
}, async () => {
  for (const [name, driver] of [
    ['n-plus-one-pg.mjs', 'pg'],
    ['n-plus-one-postgresjs.mjs', 'postgres'],
  ] as const) {
    const file = fixture(name);
    const r = await run(file, { orders: 12, concurrency: 6, health: 0, node: olderNode()! });
    assertNPlusOne(r, file, { orders: 12, driver, fn: 'ordersWithItems', health: 0 });
  }
});
