// `speedguard profile --db` on a PostgreSQL without pg_stat_statements preloaded and without HypoPG
// (the machine's PostgreSQL at 127.0.0.1:5432 when it is so; else a private one started without
// them: CI installs HypoPG for the machine's server, where this test used to skip every time). The
// N+1 is found by the agent, which has the exact statement text; that statement is EXPLAINed
// (generic plan: PREPARE + EXECUTE with NULLs before PG 16) and the missing index is proposed from
// the plan's filter column, with its effect estimated from the planner's cost formulas and
// labelled so.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import type { AssessmentRecord } from '../../src/record/assessment-record.ts';
import { databaseProbesOf } from '../../src/record/database-probes.ts';
import { startTestPostgres, systemPostgres, type TestPostgres } from '../helpers/postgres.ts';
import { runCli } from '../helpers/cli.ts';
import { profileFixture } from '../helpers/profile.ts';

const DB = `sg_diag_noext_${process.pid}`;
let url: string | null = null;
/** The server the test created DB on: the machine's (admin URL) or a private one. */
let adminUrl: string | null = null;
let own: TestPostgres | null = null;

/** The machine's PostgreSQL when it has neither extension, else a private one started without them. */
async function serverWithoutExtensions(): Promise<string> {
  const sys = await systemPostgres();
  if (sys.url !== null) {
    const admin = new pg.Client({ connectionString: sys.url });
    await admin.connect();
    try {
      const preload = (await admin.query<{ v: string }>("SELECT current_setting('shared_preload_libraries') AS v")).rows[0]!.v;
      const hypopg = (await admin.query("SELECT 1 FROM pg_available_extensions WHERE name = 'hypopg'")).rowCount;
      if (!/pg_stat_statements/.test(preload) && !hypopg) return sys.url;
    } finally {
      await admin.end();
    }
  }
  own = await startTestPostgres({ withStatStatements: false });
  return own.url;
}

before(async () => {
  adminUrl = await serverWithoutExtensions();
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    await admin.query(`DROP DATABASE IF EXISTS ${DB}`);
    await admin.query(`CREATE DATABASE ${DB}`);
  } finally {
    await admin.end();
  }
  url = adminUrl.replace(/\/postgres$/, `/${DB}`);
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  // 100 customers × 8 accounts × 60 invoices; NO index on invoices.account_id.
  await c.query(`
    CREATE TABLE accounts (id serial PRIMARY KEY, customer_id int NOT NULL);
    CREATE TABLE invoices (id serial PRIMARY KEY, account_id int NOT NULL, amount numeric NOT NULL);
    INSERT INTO accounts (customer_id) SELECT c FROM generate_series(1, 100) c, generate_series(1, 8) a;
    INSERT INTO invoices (account_id, amount) SELECT a.id, k FROM accounts a, generate_series(1, 60) k;
    CREATE INDEX accounts_customer ON accounts (customer_id);
    ANALYZE;`);
  await c.end();
});

after(async () => {
  if (own) return own.stop();
  if (!adminUrl) return;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS ${DB} WITH (FORCE)`).catch(() => {});
  await admin.end();
});

test("profile --db without pg_stat_statements or HypoPG: the agent's N+1 statement gets its index, with an estimated effect", async () => {
  const out = mkdtempSync(join(tmpdir(), 'sg-profile-noext-'));
  const r = await runCli(
    [
      'profile',
      '--db',
      url!,
      '--path',
      '/customers/7/balance',
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
      profileFixture('n-plus-one-invoices.mjs'),
    ],
    { env: { DATABASE_URL: url! }, timeoutMs: 120_000 },
  );
  assert.equal(r.code, 0, r.stderr);
  const record = JSON.parse(r.stdout) as AssessmentRecord;
  const db = databaseProbesOf(record)!;
  assert.equal(db.server.pgStatStatements.available, false);
  assert.equal(db.statements.length, 0);
  const group = db.nPlusOne.find((g) => /from invoices where account_id = \$1/i.test(g.statement));
  assert.ok(group, JSON.stringify(db.nPlusOne));
  const plan = db.plans.find((p) => p.queryId.startsWith('agent:'));
  assert.ok(plan, `the agent's statement was explained: ${JSON.stringify(db.plans.map((p) => [p.queryId, p.error]))}`);
  assert.equal(plan.mode, 'generic');
  assert.equal(plan.error, null);

  const f = record.findings.find((x) => x.audit === 'db-missing-index');
  assert.ok(f, record.findings.map((x) => `${x.audit}: ${x.title}`).join('\n'));
  assert.match(f.recommendation.approach, /^CREATE INDEX CONCURRENTLY \S+ ON public\.invoices \(account_id\);/, f.recommendation.approach);
  assert.match(f.title, /^Missing index on invoices \(account_id\): planner cost [\d,.]+ → ~[\d,.]+ \(estimated\)$/, f.title);
  assert.match(f.recommendation.expectedImprovement, /estimated/);
  assert.match(f.description, /select sum\(amount\) from invoices where account_id = \$1/);
  const sg = db.indexSuggestions.find((s) => s.table === 'invoices')!;
  assert.equal(sg.method, 'heuristic');
  assert.ok(sg.estimatedCostAfter! < sg.costBefore! / 2, `estimated ${sg.estimatedCostAfter} vs ${sg.costBefore}`);
  assert.notEqual(f.severity, 'low');

  // Nothing was written: still no index on invoices.account_id.
  const c = new pg.Client({ connectionString: url! });
  await c.connect();
  const idx = await c.query(`SELECT indexname FROM pg_indexes WHERE tablename = 'invoices'`);
  await c.end();
  assert.deepEqual(
    idx.rows.map((x) => x.indexname),
    ['invoices_pkey'],
  );
});
