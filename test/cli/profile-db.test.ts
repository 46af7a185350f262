// `speedguard profile --db` as a user runs it: a node-postgres service with an N+1 over an unindexed
// column (test/fixtures/profile/n-plus-one-pg.mjs) on a real PostgreSQL 18 (embedded), loaded for a
// few seconds. The record must hold the database's view of the measured window (the statements the
// load ran, with calls per request), the agent's N+1 group, and the findings: the N+1 with its
// endpoint and count, the missing index with a ready CREATE INDEX; the password appears nowhere.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { AssessmentRecord } from '../../src/record/assessment-record.ts';
import { databaseProbesOf } from '../../src/record/database-probes.ts';
import { startTestPostgres, TEST_PG_PASSWORD, type TestPostgres } from '../helpers/postgres.ts';
import { runCli } from '../helpers/cli.ts';

const FIXTURE = fileURLToPath(new URL('../fixtures/profile/n-plus-one-pg.mjs', import.meta.url));
const ORDERS_PER_CUSTOMER = 10;

const cli = (args: string[], env: NodeJS.ProcessEnv) => runCli(args, { env, timeoutMs: 120_000 });

let server: TestPostgres;
let url: string;

before(async () => {
  server = await startTestPostgres();
  url = await server.createDatabase('sg_profile_db');
  const c = await server.client('sg_profile_db');
  // 200 customers × 10 orders; 60,000 order_items with NO index on order_id: each per-order query
  // scans the table (the deliberate missing index behind the N+1).
  await c.query(`
    CREATE TABLE orders (id serial PRIMARY KEY, customer_id int NOT NULL, total int NOT NULL);
    CREATE TABLE order_items (id serial PRIMARY KEY, order_id int NOT NULL, sku text NOT NULL, qty int NOT NULL);
    INSERT INTO orders (customer_id, total) SELECT c, o * 100 FROM generate_series(1, 200) c, generate_series(1, ${ORDERS_PER_CUSTOMER}) o;
    INSERT INTO order_items (order_id, sku, qty) SELECT o.id, 'sku-' || k, k FROM orders o, generate_series(1, 30) k;
    CREATE INDEX orders_customer ON orders (customer_id);
    ANALYZE;`);
});
after(async () => {
  await server?.stop();
});

test('profile --db: statements of the window, the N+1 per request and the missing index, no password anywhere', async () => {
  const out = mkdtempSync(join(tmpdir(), 'sg-profile-db-'));
  const r = await cli(
    [
      'profile',
      '--db',
      url,
      '--path',
      '/customers/7/orders',
      '-u',
      '4',
      '-d',
      '4s',
      '--warmup',
      '1s',
      '-w',
      '1',
      '--out-dir',
      out,
      '--no-history',
      '--json',
      '--',
      process.execPath,
      FIXTURE,
    ],
    { DATABASE_URL: url, POOL_MAX: '3' },
  );
  assert.equal(r.code, 0, r.stderr);
  const record = JSON.parse(r.stdout) as AssessmentRecord;
  const db = databaseProbesOf(record);
  assert.ok(db, 'probes.database is in the record');
  assert.equal(db.mode, 'load');
  assert.equal(db.windows.length, 1);
  const w = db.windows[0]!;
  assert.ok(w.httpRequests > 10, `requests in the window: ${w.httpRequests}`);
  const perOrder = w.statements.find((s) => /FROM order_items WHERE order_id = \$1/.test(s.query));
  assert.ok(perOrder, `the per-order statement is in the window: ${w.statements.map((s) => s.query).join(' | ')}`);
  // Exactly ORDERS_PER_CUSTOMER per request (the warm-up is outside the window; a request cut at
  // the window's edge may be counted on one side only).
  const perRequest = perOrder.calls / w.httpRequests;
  assert.ok(Math.abs(perRequest - ORDERS_PER_CUSTOMER) < 1, `calls per request ${perRequest}`);
  assert.ok(
    w.inferredRepetition.some((x) => x.queryId === perOrder.queryId),
    'inferred from pg_stat_statements too',
  );

  const group = db.nPlusOne.find((g) => /order_items/.test(g.statement));
  assert.ok(group, `the agent's N+1 group: ${JSON.stringify(db.nPlusOne)}`);
  assert.equal(group.endpoint, 'GET /customers/:id/orders');
  assert.ok(Math.abs(group.perRequestMean - ORDERS_PER_CUSTOMER) < 0.5, `per request ${group.perRequestMean}`);
  assert.ok(group.shareOfRequest > 0 && group.shareOfRequest <= 1);
  assert.match(group.location?.file ?? '', /n-plus-one-pg\.mjs$/);

  const nPlusOne = record.findings.find((f) => f.audit === 'db-n-plus-one');
  assert.ok(nPlusOne, record.findings.map((f) => `${f.audit}: ${f.title}`).join('\n'));
  assert.equal(nPlusOne.type, 'database');
  assert.match(nPlusOne.location?.file ?? '', /n-plus-one-pg\.mjs$/);
  const missing = record.findings.find((f) => f.audit === 'db-missing-index');
  assert.ok(missing, record.findings.map((f) => `${f.audit}: ${f.title}`).join('\n'));
  assert.match(missing.recommendation.approach, /CREATE INDEX CONCURRENTLY[^;]*order_items[^;]*\(\s*"?order_id"?\s*\)/);
  const plan = db.plans.find((p) => p.queryId === perOrder.queryId);
  assert.ok(
    plan?.issues.some((i) => i.kind === 'seq-scan-filter' && i.relation === 'order_items'),
    JSON.stringify(plan?.issues),
  );

  // Nothing was written: still no index on order_items.order_id.
  const c = await server.client('sg_profile_db');
  const idx = await c.query(`SELECT indexname FROM pg_indexes WHERE tablename = 'order_items'`);
  assert.deepEqual(
    idx.rows.map((x) => x.indexname),
    ['order_items_pkey'],
  );

  const texts = [
    r.stdout,
    r.stderr,
    ...readdirSync(out, { recursive: true, withFileTypes: true })
      .filter((d) => d.isFile())
      .map((d) => readFileSync(join(d.parentPath, d.name), 'utf8')),
  ];
  for (const t of texts) assert.ok(!t.includes(TEST_PG_PASSWORD), 'the password must not appear in output or reports');
});
