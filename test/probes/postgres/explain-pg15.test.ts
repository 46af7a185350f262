// The pre-16 generic-plan path (PREPARE + EXPLAIN EXECUTE with NULLs under force_generic_plan) on
// the machine's PostgreSQL 15; skipped with the reason when there is none.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { openDb } from '../../../src/probes/postgres/connect.ts';
import { explainStatement } from '../../../src/probes/postgres/explain.ts';
import type { DbSession } from '../../../src/probes/postgres/session.ts';
import { systemDatabase, type SystemDb } from './fixtures.ts';
import { dbShape, recording, seedPlanShop } from './explain-fixtures.ts';

const db = await systemDatabase('explain15');
const skip = 'reason' in db ? db.reason : db.versionNum >= 160000 ? `system PostgreSQL is ${db.versionNum} (this test needs < 16)` : false;

describe('explainStatement on PostgreSQL < 16 (PREPARE path)', { skip }, () => {
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

  it('generic plan of a parameterised SELECT via PREPARE, deallocated afterwards', async () => {
    const r = recording(s);
    const p = await explainStatement(
      r,
      { queryId: '1', query: 'SELECT * FROM order_items WHERE sku = $1 AND qty > $2 LIMIT $3' },
      { analyze: 'auto' },
    );
    assert.equal(p.error, null);
    assert.equal(p.mode, 'generic');
    assert.ok(r.sent.some((q) => /^PREPARE sg_generic_\d+_\d+ AS SELECT/.test(q)));
    assert.ok(
      r.sent.some((q) => /^EXPLAIN \(FORMAT JSON\) EXECUTE sg_generic_\d+_\d+\(NULL, NULL, NULL\)$/.test(q)),
      r.sent.join('\n'),
    );
    assert.ok(!r.sent.some((q) => /ANALYZE/.test(q)));
    const scan = (p.plan as { Plans: Array<Record<string, unknown>> }).Plans[0]!;
    assert.match(String(scan.Filter), /sku = \$1/);
    assert.equal(p.issues.find((i) => i.kind === 'seq-scan-filter')?.relation, 'order_items');
    assert.deepEqual(await s.query('SELECT name FROM pg_prepared_statements'), []);
  });

  it('a data-modifying statement is planned, not executed; types it cannot infer are an error', async () => {
    const shape = await dbShape(await sys.client());
    const upd = await explainStatement(
      s,
      { queryId: '2', query: 'UPDATE orders SET status = $1 WHERE customer_id = $2' },
      { analyze: 'auto' },
    );
    assert.equal(upd.error, null);
    assert.equal(upd.mode, 'generic');
    const bad = await explainStatement(s, { queryId: '3', query: 'SELECT $1 + $2' }, { analyze: 'auto' });
    assert.match(bad.error!, /operator is not unique/);
    const later = await explainStatement(
      s,
      { queryId: '4', query: 'SELECT * FROM orders WHERE id = $1 OR $2 IS NULL' },
      { analyze: 'auto' },
    );
    assert.match(later.error!, /could not determine data type of parameter \$2/);
    assert.deepEqual(await s.query('SELECT name FROM pg_prepared_statements'), []);
    assert.deepEqual(await dbShape(await sys.client()), shape);
  });

  it('ANALYZE works the same on 15 (read-only transaction, rolled back)', async () => {
    const p = await explainStatement(s, { queryId: '5', query: 'SELECT * FROM readings WHERE a = 7 AND b = 7' }, { analyze: 'auto' });
    assert.equal(p.mode, 'analyze');
    assert.ok((p.issues.find((i) => i.kind === 'misestimate')?.factor ?? 0) >= 10, JSON.stringify(p.issues));
  });
});
