// `speedguard db <url>` as a user runs it, against a real PostgreSQL 18 (embedded) seeded with a
// missing index, an unused index and a duplicate index: the findings are there, exit 0, the reports
// are written and valid, the password appears nowhere; a bad URL exits 2, an unreachable server 1,
// each with one line; --allow-writes leaves no index behind.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import pg from 'pg';
import { freePort, startTestPostgres, TEST_PG_PASSWORD, type TestPostgres } from '../helpers/postgres.ts';
import { runCli } from '../helpers/cli.ts';

const SCHEMA = JSON.parse(readFileSync(new URL('../../schema/assessment-envelope.schema.json', import.meta.url), 'utf8'));

const cli = (args: string[], env: NodeJS.ProcessEnv = {}) => runCli(args, { env, timeoutMs: 60_000 });

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((d) => d.isFile())
    .map((d) => join(d.parentPath, d.name));
}

describe('speedguard db', () => {
  let server: TestPostgres;
  let url: string;
  let client: pg.Client;
  const dir = mkdtempSync(join(tmpdir(), 'sg-db-cli-'));

  before(async () => {
    server = await startTestPostgres();
    url = await server.createDatabase('sg_db_cli');
    client = await server.client('sg_db_cli');
    await client.query(`CREATE TABLE orders (id serial PRIMARY KEY, customer_id int NOT NULL, status text NOT NULL, note text,
      created_at timestamptz NOT NULL DEFAULT now())`);
    await client.query(`INSERT INTO orders (customer_id, status, note, created_at)
      SELECT i % 5000, (ARRAY['new','paid','shipped','done'])[1 + i % 4], 'note ' || i, now() - (i || ' minutes')::interval
        FROM generate_series(1, 60000) i`);
    // Unused (never scanned), and a duplicate: orders_status_idx is a prefix of orders_status_created_idx.
    await client.query('CREATE INDEX orders_note_idx ON orders (note)');
    await client.query('CREATE INDEX orders_status_idx ON orders (status)');
    await client.query('CREATE INDEX orders_status_created_idx ON orders (status, created_at)');
    await client.query('ANALYZE orders');
    await client.query('SELECT pg_stat_statements_reset()');
    // The application's query with no index on customer_id: a sequential scan each time.
    for (let i = 0; i < 150; i++) await client.query('SELECT id, status FROM orders WHERE customer_id = $1', [i]);
    for (let i = 0; i < 50; i++) await client.query('SELECT id FROM orders WHERE id = $1', [i + 1]);
  });

  after(async () => {
    await server?.stop();
  });

  test('finds the seeded missing, unused and duplicate indexes, writes the reports, never prints the password', async () => {
    const out = join(dir, 'out');
    const history = join(dir, 'history.db');
    const r = await cli(['db', url, '--out-dir', out, '--history', history]);
    assert.equal(r.code, 0, r.stderr + r.stdout);
    assert.match(r.stdout, /DATABASE {2}sg_db_cli on PostgreSQL 18\./);
    assert.match(r.stdout, /Missing index on orders \(customer_id\)|Sequential scan filtering orders|orders is read by sequential scans/);
    assert.match(r.stdout, /Duplicate index orders_status_idx: a prefix of orders_status_created_idx/);
    assert.match(r.stdout, /unused index.*orders_note_idx|Unused index orders_note_idx/i);
    assert.match(r.stdout, /REPORTS/);

    const analysis = readdirSync(join(out, 'ANALYSIS'));
    for (const ext of ['md', 'json', 'html'])
      assert.ok(
        analysis.some((f) => /^db-sg_db_cli-\d{8}-\d{6}\./.test(f) && f.endsWith(`.${ext}`)),
        `ANALYSIS/db-sg_db_cli-*.${ext}: ${analysis}`,
      );
    const md = readFileSync(join(out, 'ANALYSIS', analysis.find((f) => f.endsWith('.md'))!), 'utf8');
    assert.match(md, /^## Database$/m);
    assert.match(md, /customer_id = \\\$1/);
    assert.match(md, /^```sql\nCREATE INDEX CONCURRENTLY orders_customer_id_idx ON public\.orders \(customer_id\);\n```$/m);
    const envelope = JSON.parse(readFileSync(join(out, 'ANALYSIS', analysis.find((f) => f.endsWith('.json'))!), 'utf8')) as {
      target: string;
      bottlenecks: Array<{ type: string }>;
      metrics: { database_performance: { mode: string; query_time_avg: unknown } };
    };
    const validate = new Ajv({ strict: false, allowUnionTypes: true }).compile(SCHEMA);
    assert.ok(validate(envelope), JSON.stringify(validate.errors));
    assert.equal(envelope.metrics.database_performance.mode, 'snapshot');
    assert.equal(typeof envelope.metrics.database_performance.query_time_avg, 'number');
    assert.ok(envelope.bottlenecks.some((b) => b.type === 'database'));
    assert.equal(envelope.target, url.replace(`:${encodeURIComponent(TEST_PG_PASSWORD)}`, ''));

    for (const text of [
      r.stdout,
      r.stderr,
      ...filesUnder(out).map((f) => readFileSync(f, 'utf8')),
      readFileSync(history).toString('latin1'),
    ]) {
      assert.ok(!text.includes(TEST_PG_PASSWORD), 'password leaked');
    }
    const hist = await cli(['history', '--history', history, '--json']);
    assert.equal(hist.code, 0, hist.stderr);
    assert.equal(JSON.parse(hist.stdout).length, 1);
  });

  test('--json prints the record; the audits named the seeded cases; nothing was written without --allow-writes', async () => {
    const before = await client.query<{ n: string }>(`SELECT count(*) AS n FROM pg_indexes WHERE tablename = 'orders'`);
    const r = await cli(['db', url, '--json', '--no-history', '--out-dir', join(dir, 'json'), '--quiet']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stderr, '');
    const record = JSON.parse(r.stdout) as {
      kind: string;
      phases: unknown[];
      findings: Array<{ audit: string; severity: string; type: string }>;
      probes: { database: { mode: string; url: string; plans: unknown[]; indexSuggestions: unknown[] } };
    };
    assert.equal(record.kind, 'assess');
    assert.deepEqual(record.phases, []);
    const audits = new Set(record.findings.map((f) => f.audit));
    for (const a of ['db-missing-index', 'db-unused-index', 'db-duplicate-index']) assert.ok(audits.has(a), `${a} in ${[...audits]}`);
    assert.ok(record.findings.every((f) => f.type === 'database'));
    assert.ok(!record.findings.some((f) => f.severity === 'critical'));
    assert.equal(record.probes.database.mode, 'snapshot');
    assert.ok(record.probes.database.plans.length > 0);
    assert.ok(!record.probes.database.url.includes(TEST_PG_PASSWORD));
    const afterRun = await client.query<{ n: string }>(`SELECT count(*) AS n FROM pg_indexes WHERE tablename = 'orders'`);
    assert.equal(afterRun.rows[0]!.n, before.rows[0]!.n);
  });

  test('--allow-writes measures in rolled-back transactions: no index is left behind', async () => {
    const before = await client.query<{ n: string }>(`SELECT count(*) AS n FROM pg_indexes WHERE tablename = 'orders'`);
    const r = await cli(['db', url, '--allow-writes', '--json', '--no-history', '--out-dir', join(dir, 'writes'), '--quiet']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(JSON.parse(r.stdout).probes.database.allowWrites, true);
    const afterRun = await client.query<{ n: string }>(`SELECT count(*) AS n FROM pg_indexes WHERE tablename = 'orders'`);
    assert.equal(afterRun.rows[0]!.n, before.rows[0]!.n);
  });

  test('a bad URL exits 2 with one line; an unreachable server exits 1 with one line naming the safe URL', async () => {
    const bad = await cli(['db', `mysql://root:${TEST_PG_PASSWORD}@127.0.0.1/x`, '--no-history', '--out-dir', join(dir, 'bad')]);
    assert.equal(bad.code, 2, bad.stderr);
    assert.equal(bad.stderr.trim().split('\n').length, 1, bad.stderr);
    assert.match(bad.stderr, /^speedguard: database URL "mysql:\/\/root@127\.0\.0\.1\/x" must start with postgres:\/\//);
    assert.ok(!bad.stderr.includes(TEST_PG_PASSWORD));

    const port = await freePort();
    const down = await cli([
      'db',
      `postgres://postgres:${TEST_PG_PASSWORD}@127.0.0.1:${port}/nowhere`,
      '--no-history',
      '--out-dir',
      join(dir, 'down'),
    ]);
    assert.equal(down.code, 1, down.stderr);
    assert.equal(down.stderr.trim().split('\n').length, 1, down.stderr);
    assert.match(down.stderr, new RegExp(`^speedguard: cannot connect to postgres://postgres@127\\.0\\.0\\.1:${port}/nowhere: `));
    assert.ok(!down.stderr.includes(TEST_PG_PASSWORD) && !down.stdout.includes(TEST_PG_PASSWORD));
    assert.doesNotMatch(down.stderr, /\n\s+at /, 'no stack trace');
  });

  test('a well-indexed database under a typical workload gets no P0/P1 finding and no missing-index finding', async () => {
    const healthyUrl = await server.createDatabase('sg_db_healthy');
    const c = await server.client('sg_db_healthy');
    await c.query(`CREATE TABLE customers (id serial PRIMARY KEY, email text NOT NULL UNIQUE, name text NOT NULL);
      CREATE TABLE orders (id serial PRIMARY KEY, customer_id int NOT NULL REFERENCES customers(id), total int NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now());
      INSERT INTO customers (email, name) SELECT 'c' || i || '@example.test', 'Customer ' || i FROM generate_series(1, 5000) i;
      INSERT INTO orders (customer_id, total, created_at)
        SELECT 1 + (i % 5000), i % 997, now() - (i || ' minutes')::interval FROM generate_series(1, 50000) i;
      CREATE INDEX orders_customer_created ON orders (customer_id, created_at);
      ANALYZE;`);
    await c.query('SELECT pg_stat_statements_reset()');
    // What the application does, on its own connection: indexed lookups, a page of a customer's
    // orders, a join by key.
    const app = new pg.Client({ connectionString: healthyUrl });
    await app.connect();
    for (let i = 1; i <= 200; i++) {
      await app.query('SELECT id, email, name FROM customers WHERE id = $1', [i]);
      await app.query('SELECT id, total FROM orders WHERE customer_id = $1 ORDER BY created_at DESC LIMIT 20', [i]);
      await app.query('SELECT c.name, o.total FROM orders o JOIN customers c ON c.id = o.customer_id WHERE o.id = $1', [i * 7]);
    }
    // A backend publishes its table and index counters when idle, up to ~10 s late, and at exit:
    // end the application's connection, then wait (bounded) until the index scans are visible.
    await app.end();
    for (let i = 0; i < 50; i++) {
      const seen = await c.query<{ n: string }>(`SELECT coalesce(idx_scan, 0) AS n FROM pg_stat_user_tables WHERE relname = 'orders'`);
      if (Number(seen.rows[0]?.n) >= 400) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    const r = await cli(['db', healthyUrl, '--json', '--no-history', '--out-dir', join(dir, 'healthy'), '--quiet']);
    assert.equal(r.code, 0, r.stderr);
    const record = JSON.parse(r.stdout) as { findings: Array<{ audit: string; severity: string; title: string }> };
    const list = record.findings.map((f) => `${f.severity} ${f.audit}: ${f.title}`).join('\n');
    assert.ok(!record.findings.some((f) => f.severity === 'critical' || f.severity === 'high'), list);
    assert.ok(
      !record.findings.some((f) => f.audit === 'db-missing-index' || f.audit === 'db-slow-queries' || f.audit === 'db-plan-issues'),
      list,
    );
  });
});
