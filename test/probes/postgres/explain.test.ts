// Plans on PostgreSQL 18 (embedded): ANALYZE for provably read-only statements, GENERIC_PLAN for
// parameterised ones, plain EXPLAIN for data-modifying ones, nothing for utility statements.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type pg from 'pg';
import { openDb } from '../../../src/probes/postgres/connect.ts';
import { explainStatement, explainTopStatements } from '../../../src/probes/postgres/explain.ts';
import type { DbSession } from '../../../src/probes/postgres/session.ts';
import type { StatementStats } from '../../../src/record/database-probes.ts';
import { startTestPostgres, type TestPostgres } from '../../helpers/postgres.ts';
import { dbShape, recording, seedPlanShop } from './explain-fixtures.ts';

describe('explainStatement on PostgreSQL 18', () => {
  let pgs: TestPostgres;
  let admin: pg.Client;
  let s: DbSession;
  before(async () => {
    pgs = await startTestPostgres();
    const url = await pgs.createDatabase('sg_explain');
    admin = await pgs.client('sg_explain');
    await seedPlanShop(admin);
    s = await openDb(url);
  });
  after(async () => {
    await s?.close();
    await pgs?.stop();
  });

  it('ANALYZEs a parameter-free read-only SELECT: seq scan removing 49,975 rows', async () => {
    const p = await explainStatement(
      s,
      { queryId: '1', query: 'SELECT id, total FROM orders WHERE customer_id = 42' },
      { analyze: 'auto' },
    );
    assert.equal(p.error, null);
    assert.equal(p.mode, 'analyze');
    assert.ok(typeof p.executionMs === 'number' && p.executionMs > 0);
    assert.ok(typeof p.planningMs === 'number');
    assert.ok(p.totalCost > 500, `cost ${p.totalCost}`);
    const seq = p.issues.find((i) => i.kind === 'seq-scan-filter');
    assert.ok(seq, JSON.stringify(p.issues));
    assert.equal(seq.relation, 'orders');
    assert.equal(seq.figures.rowsReturned, 25);
    assert.equal(seq.figures.rowsRemoved, 49975);
  });

  it("analyze 'never' gives the estimated plan", async () => {
    const p = await explainStatement(s, { queryId: '1', query: 'SELECT id FROM orders WHERE customer_id = 42' }, { analyze: 'never' });
    assert.equal(p.mode, 'estimate');
    assert.equal(p.executionMs, null);
    assert.equal((p.plan as Record<string, unknown>)['Actual Rows'], undefined);
    assert.equal(p.issues.find((i) => i.kind === 'seq-scan-filter')?.figures.tableRows, 50000);
  });

  it('parameterised: EXPLAIN (GENERIC_PLAN) — no PREPARE, no ANALYZE — and an estimated seq-scan issue', async () => {
    const r = recording(s);
    const p = await explainStatement(
      r,
      { queryId: '2', query: 'SELECT * FROM order_items WHERE sku = $1 AND qty > $2' },
      { analyze: 'auto' },
    );
    assert.equal(p.error, null);
    assert.equal(p.mode, 'generic');
    assert.match(String((p.plan as Record<string, unknown>).Filter), /\$1/);
    assert.ok(
      r.sent.some((q) => q.startsWith('EXPLAIN (GENERIC_PLAN, FORMAT JSON)')),
      r.sent.join('\n'),
    );
    assert.ok(!r.sent.some((q) => /PREPARE|ANALYZE/.test(q)), r.sent.join('\n'));
    assert.equal(p.issues[0]?.kind, 'seq-scan-filter');
  });

  it('finds a 100× misestimate on perfectly correlated columns', async () => {
    const p = await explainStatement(s, { queryId: '3', query: 'SELECT * FROM readings WHERE a = 7 AND b = 7' }, { analyze: 'auto' });
    assert.equal(p.mode, 'analyze');
    const m = p.issues.find((i) => i.kind === 'misestimate');
    assert.ok(m, JSON.stringify(p.issues));
    assert.ok(m.factor! >= 10, `factor ${m.factor}`);
    assert.equal(m.figures.actualRows, 1000);
  });

  it('finds a sort spilling to disk with work_mem = 64kB', async () => {
    await s.query(`SET work_mem = '64kB'`);
    try {
      const p = await explainStatement(s, { queryId: '4', query: 'SELECT * FROM order_items ORDER BY sku, qty' }, { analyze: 'auto' });
      assert.equal(p.mode, 'analyze');
      const sp = p.issues.find((i) => i.kind === 'spill');
      assert.ok(sp, JSON.stringify(p.issues));
      assert.equal(sp.nodeType, 'Sort');
      assert.ok(sp.figures.sortDiskKb! > 64);
    } finally {
      await s.query('RESET work_mem');
    }
  });

  it('never executes data-modifying statements, or a view that would write', async () => {
    const shape = await dbShape(admin);
    const r = recording(s);
    const del = await explainStatement(r, { queryId: '5', query: 'DELETE FROM orders WHERE customer_id = 5' }, { analyze: 'auto' });
    assert.equal(del.mode, 'estimate');
    assert.equal((del.plan as Record<string, unknown>)['Node Type'], 'ModifyTable');
    const upd = await explainStatement(r, { queryId: '6', query: 'UPDATE orders SET status = $1 WHERE id = $2' }, { analyze: 'auto' });
    assert.equal(upd.mode, 'generic');
    const view = await explainStatement(r, { queryId: '7', query: 'SELECT * FROM customers_bumping' }, { analyze: 'auto' });
    assert.equal(view.error, null);
    assert.equal(view.mode, 'estimate', 'the view calls bump(): not provably read-only');
    const lock = await explainStatement(r, { queryId: '8', query: 'SELECT * FROM orders WHERE id = 1 FOR UPDATE' }, { analyze: 'auto' });
    assert.equal(lock.mode, 'estimate');
    assert.ok(!r.sent.some((q) => /ANALYZE/.test(q)), r.sent.join('\n'));
    assert.deepEqual(await dbShape(admin), shape);
  });

  it('utility statements and bad texts give an error, not a crash', async () => {
    const ddl = await explainStatement(s, { queryId: '9', query: 'CREATE INDEX ON orders (status)' }, { analyze: 'auto' });
    assert.match(ddl.error!, /^not explainable: CREATE/);
    assert.equal(ddl.plan, null);
    assert.match(
      (await explainStatement(s, { queryId: '9', query: 'SELECT 1; DROP TABLE orders' }, { analyze: 'auto' })).error!,
      /^not explainable: 2 statements/,
    );
    assert.match((await explainStatement(s, { queryId: '9', query: 'VACUUM orders' }, { analyze: 'auto' })).error!, /^not explainable/);
    const types = await explainStatement(s, { queryId: '10', query: 'SELECT $1 + $2' }, { analyze: 'auto' });
    assert.match(types.error!, /operator is not unique|could not determine/);
    const missing = await explainStatement(s, { queryId: '11', query: 'SELECT * FROM no_such_table WHERE a = $1' }, { analyze: 'auto' });
    assert.match(missing.error!, /no_such_table/);
    // the session is still usable and outside any transaction
    assert.deepEqual(await s.query(`SELECT 1 AS one, current_setting('transaction_read_only') AS ro`), [{ one: 1, ro: 'on' }]);
  });

  it("explainTopStatements: the top N by total time, speedguard's own statements skipped", async () => {
    const st = (queryId: string, query: string, totalExecMs: number): StatementStats => ({
      queryId,
      query,
      totalExecMs,
      calls: 1,
      rows: 1,
      meanExecMs: totalExecMs,
      maxExecMs: null,
      totalPlanMs: 0,
      sharedBlksHit: 0,
      sharedBlksRead: 0,
      tempBlksRead: 0,
      tempBlksWritten: 0,
      hitRatio: null,
      shareOfTotal: 0,
    });
    const input = [
      st('a', 'SELECT count(*) FROM customers', 5),
      st('b', 'SELECT * FROM order_items WHERE sku = $1', 500),
      st('c', 'SELECT /* speedguard */ count(*) FROM pg_class', 9000),
      st('d', 'SELECT id FROM orders WHERE customer_id = $1', 50),
    ];
    const plans = await explainTopStatements(s, input, { limit: 2 });
    assert.deepEqual(
      plans.map((p) => [p.queryId, p.mode, p.error]),
      [
        ['b', 'generic', null],
        ['d', 'generic', null],
      ],
    );
    assert.deepEqual(
      input.map((x) => x.queryId),
      ['a', 'b', 'c', 'd'],
      'input not reordered',
    );
  });
});
