// HypoPG on the machine's PostgreSQL 15 (CREATE EXTENSION hypopg in our own database): planner cost
// with a hypothetical index, from a read-only session, leaving nothing behind.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { openDb } from '../../../src/probes/postgres/connect.ts';
import { readIndexes } from '../../../src/probes/postgres/catalog.ts';
import { explainStatement } from '../../../src/probes/postgres/explain.ts';
import { adviseIndexes } from '../../../src/probes/postgres/index-advice.ts';
import type { DbSession } from '../../../src/probes/postgres/session.ts';
import { systemDatabase, type SystemDb } from './fixtures.ts';
import { dbShape, recording, seedPlanShop } from './explain-fixtures.ts';

const db = await systemDatabase('hypopg');
let skip: string | false = 'reason' in db ? db.reason : false;
if (!skip) {
  const c = await (db as SystemDb).client();
  try {
    await c.query('CREATE EXTENSION hypopg');
  } catch (e) {
    skip = `HypoPG is not installable here: ${(e as Error).message}`;
    await (db as SystemDb).drop();
  }
}

describe('adviseIndexes with HypoPG', { skip }, () => {
  const sys = db as SystemDb;
  let s: DbSession;
  before(async () => {
    await seedPlanShop(await sys.client());
    s = await openDb(sys.url);
  });
  after(async () => {
    await s?.close();
    await sys.drop();
  });

  it('a hypothetical index lowers the planner cost; the session stays read-only and nothing is left behind', async () => {
    const admin = await sys.client();
    const shape = await dbShape(admin);
    const r = recording(s);
    const plans = [];
    for (const st of [
      { queryId: '1', query: 'SELECT * FROM order_items WHERE sku = $1' },
      { queryId: '2', query: 'SELECT * FROM orders WHERE status = $1' },
      { queryId: '3', query: 'SELECT * FROM orders WHERE customer_id = $1 ORDER BY created_at DESC LIMIT $2' },
    ])
      plans.push(await explainStatement(r, st, { analyze: 'auto' }));
    const sug = await adviseIndexes(r, plans, { indexes: await readIndexes(r), allowWrites: false, hypopg: true });

    const sku = sug.find((x) => x.table === 'order_items');
    assert.ok(sku, JSON.stringify(sug, null, 1));
    assert.equal(sku.method, 'hypopg');
    assert.deepEqual(sku.columns, ['sku']);
    assert.ok(sku.costAfter! < sku.costBefore! / 2, `${sku.costBefore} → ${sku.costAfter}`);
    assert.match(
      sku.expectedImprovement,
      /^cost 1,\d{3} → \d+(\.\d+)? \(−\d+(\.\d)? %\) by the planner cost with a hypothetical index \(HypoPG\)$/,
    );
    // status has 3 values: an index would not beat the seq scan by half — no suggestion
    assert.equal(
      sug.find((x) => x.table === 'orders' && x.columns.join() === 'status'),
      undefined,
    );
    // the top-N query gets the (customer_id, created_at) index, and the plain (customer_id) one is redundant
    const topN = sug.filter((x) => x.table === 'orders');
    assert.deepEqual(
      topN.map((x) => x.columns),
      [['customer_id', 'created_at']],
    );

    assert.equal(s.readOnly, true);
    assert.deepEqual(await s.query('SELECT * FROM hypopg_list_indexes'), []);
    assert.deepEqual(await dbShape(admin), shape);
    assert.ok(r.sent.some((q) => q.startsWith('SELECT indexname FROM hypopg_create_index($1)')));
    assert.ok(
      !r.sent.some((q) => /^\s*(CREATE|INSERT|UPDATE|DELETE|BEGIN READ WRITE)\b|transaction_read_only = off/i.test(q)),
      r.sent.join('\n'),
    );
  });
});
