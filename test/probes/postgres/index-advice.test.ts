// Index advice on PostgreSQL 18 (embedded): from the plan's shape (read-only session), measured with a
// real index in a rolled-back transaction (--allow-writes), and the safety guarantees of both.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type pg from 'pg';
import { openDb, SPEEDGUARD_SQL_MARKER } from '../../../src/probes/postgres/connect.ts';
import { readIndexes } from '../../../src/probes/postgres/catalog.ts';
import { explainStatement } from '../../../src/probes/postgres/explain.ts';
import { adviseIndexes, createIndexStatement, indexName } from '../../../src/probes/postgres/index-advice.ts';
import type { DbSession } from '../../../src/probes/postgres/session.ts';
import type { StatementPlan } from '../../../src/record/database-probes.ts';
import { startTestPostgres, type TestPostgres } from '../../helpers/postgres.ts';
import { dbShape, recording, seedPlanShop } from './explain-fixtures.ts';

const STATEMENTS = [
  { queryId: '101', query: 'SELECT * FROM order_items WHERE sku = $1' },
  { queryId: '102', query: 'SELECT id, total FROM orders WHERE customer_id = 42' },
  { queryId: '103', query: 'UPDATE orders SET status = $1 WHERE customer_id = $2' },
  { queryId: '104', query: 'DELETE FROM order_items WHERE sku = $1' },
  { queryId: '105', query: 'SELECT * FROM customers_bumping WHERE name = $1' },
];

const WRITE_VERBS = /^\s*(CREATE|INSERT|UPDATE|DELETE|MERGE|DROP|ALTER|TRUNCATE|COPY)\b/i;

describe('adviseIndexes on PostgreSQL 18', () => {
  let pgs: TestPostgres;
  let admin: pg.Client;
  let url: string;
  let ro: DbSession;
  let plans: StatementPlan[];
  before(async () => {
    pgs = await startTestPostgres();
    url = await pgs.createDatabase('sg_advice');
    admin = await pgs.client('sg_advice');
    await seedPlanShop(admin);
    ro = await openDb(url);
    plans = [];
    for (const st of STATEMENTS) plans.push(await explainStatement(ro, st, { analyze: 'auto' }));
  });
  after(async () => {
    await ro?.close();
    await pgs?.stop();
  });

  it('names and statements are ready to run, identifiers quoted where needed', () => {
    assert.equal(
      createIndexStatement('public', 'orders', ['customer_id', 'status']),
      'CREATE INDEX CONCURRENTLY orders_customer_id_status_idx ON public.orders (customer_id, status);',
    );
    assert.equal(
      createIndexStatement('Sales', 'order', ['user', 'Created At']),
      'CREATE INDEX CONCURRENTLY "order_user_Created At_idx" ON "Sales"."order" ("user", "Created At");',
    );
    assert.equal(
      indexName('t'.repeat(40), ['é'.repeat(40)]),
      `${'t'.repeat(40)}_${'é'.repeat(9)}_idx`,
      'cut at 63 bytes, between characters',
    );
    assert.match(indexName('t'.repeat(40), ['c'.repeat(40)]), /^t{40}_c{18}_idx$/);
  });

  it("without HypoPG or --allow-writes: heuristic suggestions from the plans' issues, costBefore only", async () => {
    const indexes = await readIndexes(ro);
    const sug = await adviseIndexes(ro, plans, { indexes, allowWrites: false, hypopg: false });
    const sku = sug.find((x) => x.table === 'order_items' && x.columns.join() === 'sku');
    assert.ok(sku, JSON.stringify(sug, null, 1));
    assert.equal(sku.method, 'heuristic');
    assert.equal(sku.createStatement, 'CREATE INDEX CONCURRENTLY order_items_sku_idx ON public.order_items (sku);');
    assert.deepEqual(sku.queryIds.sort(), ['101', '104']);
    assert.ok(sku.costBefore! > 1000);
    assert.equal(sku.costAfter, null);
    assert.equal(sku.msBefore, null);
    assert.match(sku.expectedImprovement, /100,000 rows to return 20.*not measured/);
    const cust = sug.find((x) => x.table === 'orders');
    assert.deepEqual(cust?.columns, ['customer_id']);
    assert.match(cust!.expectedImprovement, /removed 49,975 rows by filter to return 25/);
    // an existing index that serves it: no suggestion
    const withIndex = await adviseIndexes(ro, plans, {
      indexes: [...indexes, { ...indexes[0]!, table: 'order_items', index: 'x', columns: ['sku', 'qty'] }],
      allowWrites: false,
      hypopg: false,
    });
    assert.equal(
      withIndex.find((x) => x.table === 'order_items'),
      undefined,
    );
  });

  it('SAFETY (read-only): indexes, tables and row counts unchanged; no write statement from speedguard in pg_stat_statements', async () => {
    await admin.query('SELECT pg_stat_statements_reset()');
    const shape = await dbShape(admin);
    const s = recording(await openDb(url));
    try {
      const again: StatementPlan[] = [];
      for (const st of STATEMENTS) again.push(await explainStatement(s, st, { analyze: 'auto' }));
      // allowWrites is false; even asking for it on a read-only session must not write
      await adviseIndexes(s, again, { indexes: await readIndexes(s), allowWrites: false, hypopg: false });
      await adviseIndexes(s, again, { indexes: await readIndexes(s), allowWrites: true, hypopg: false });
    } finally {
      await s.close();
    }
    assert.deepEqual(await dbShape(admin), shape);
    assert.ok(s.sent.length > 10);
    assert.deepEqual(
      s.sent.filter((q) => WRITE_VERBS.test(q) || /\bANALYZE\b[^)]*\)\s*(UPDATE|DELETE|INSERT)/i.test(q)),
      [],
    );
    const ours = (
      await admin.query<{ query: string }>(`SELECT query FROM pg_stat_statements WHERE query LIKE '%' || $1 || '%'`, [
        SPEEDGUARD_SQL_MARKER,
      ])
    ).rows.map((r) => r.query);
    assert.ok(ours.length > 5, 'pg_stat_statements saw our statements');
    assert.deepEqual(
      ours.filter((q) => WRITE_VERBS.test(q)),
      [],
    );
    assert.equal(Number((await admin.query('SELECT count(*) AS n FROM hits')).rows[0].n), 0, 'the writing view was never executed');
  });

  it('--allow-writes: measured with a real index, faster after, and the index is gone after ROLLBACK', async () => {
    await admin.query('SELECT pg_stat_statements_reset()');
    const shape = await dbShape(admin);
    const rw = recording(await openDb(url, { allowWrites: true }));
    let sug;
    try {
      sug = await adviseIndexes(rw, plans, { indexes: await readIndexes(rw), allowWrites: true, hypopg: false });
    } finally {
      await rw.close();
    }
    const sku = sug.find((x) => x.table === 'order_items' && x.columns.join() === 'sku');
    assert.ok(sku, JSON.stringify(sug, null, 1));
    assert.equal(sku.method, 'measured');
    assert.deepEqual(sku.queryIds, ['101'], 'only the SELECT was executed');
    assert.ok(sku.msAfter! < sku.msBefore!, `${sku.msBefore} → ${sku.msAfter}`);
    assert.ok(sku.costAfter! < sku.costBefore!);
    assert.match(
      sku.expectedImprovement,
      /ms → .* ms per call \(−\d+(\.\d)? %\), measured with a real index in a rolled-back transaction with parameter values sampled/,
    );
    const orders = sug.find((x) => x.table === 'orders' && x.columns[0] === 'customer_id');
    assert.equal(orders?.method, 'measured');
    // nothing left behind
    assert.deepEqual(await dbShape(admin), shape);
    assert.deepEqual((await admin.query(`SELECT indexname FROM pg_indexes WHERE indexname LIKE 'sg_advice%'`)).rows, []);
    // the writes were CREATE INDEX only, each inside BEGIN READ WRITE … ROLLBACK, never COMMIT
    const writes = rw.sent.filter((q) => WRITE_VERBS.test(q));
    assert.ok(writes.length > 0 && writes.every((q) => /^CREATE INDEX sg_advice_\d+_\d+ ON /.test(q)), writes.join('\n'));
    assert.ok(!rw.sent.some((q) => /^\s*(COMMIT|END)\b/i.test(q)));
    for (let i = 0; i < rw.sent.length; i++) {
      if (!/^CREATE INDEX/.test(rw.sent[i]!)) continue;
      const rest = rw.sent.slice(i + 1);
      assert.equal(rest[0], 'SET LOCAL transaction_read_only = on');
      assert.ok(rest.indexOf('ROLLBACK') < rest.findIndex((q) => q.startsWith('BEGIN')) || !rest.some((q) => q.startsWith('BEGIN')));
    }
    const created = (await admin.query<{ query: string }>(`SELECT query FROM pg_stat_statements WHERE query LIKE 'CREATE%'`)).rows;
    assert.ok(created.length > 0, 'the check above can see a CREATE INDEX when one ran');
  });
});
