import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type pg from 'pg';
import { diffTableScans, readCatalog, readTableScans } from '../../../src/probes/postgres/catalog.ts';
import { openDb } from '../../../src/probes/postgres/connect.ts';
import { startTestPostgres, type TestPostgres } from '../../helpers/postgres.ts';
import { seedShop, systemDatabase, type SystemDb } from './fixtures.ts';

/** Indexes of every kind the catalog reader must describe, including an INVALID one. */
async function seedIndexes(app: pg.Client): Promise<void> {
  await app.query(`CREATE INDEX items_lower_v ON items (lower(v), k) WHERE k > 10`);
  await app.query(`CREATE INDEX items_v_hash ON items USING hash (v)`);
  // k has duplicates: the concurrent build fails and leaves the index behind, marked invalid.
  await assert.rejects(app.query(`CREATE UNIQUE INDEX CONCURRENTLY items_k_uniq ON items (k)`), /could not create unique index/);
}

async function checkCatalog(url: string, app: pg.Client): Promise<void> {
  // Touch the table and its index so the hit ratios have blocks behind them; make the stats visible now.
  await app.query('SELECT count(*) FROM items WHERE id < 100');
  await app.query('SELECT pg_stat_force_next_flush()');
  await app.query('SELECT 1');
  const s = await openDb(url);
  try {
    const c = await readCatalog(s);
    assert.deepEqual(c.warnings, []);
    const t = c.tables.find((x) => x.table === 'items')!;
    assert.equal(t.schema, 'public');
    assert.equal(t.nLiveTup, 2000);
    assert.ok(t.sizeBytes >= 8192 * 10, `size ${t.sizeBytes}`);
    assert.ok(t.lastAnalyze !== null && !Number.isNaN(Date.parse(t.lastAnalyze)));
    assert.ok(t.heapHitRatio !== null && t.heapHitRatio >= 0 && t.heapHitRatio <= 1);

    const byName = new Map(c.indexes.map((i) => [i.index, i]));
    const pkey = byName.get('items_pkey')!;
    assert.deepEqual(
      [pkey.columns, pkey.primary, pkey.unique, pkey.valid, pkey.method, pkey.predicate],
      [['id'], true, true, true, 'btree', null],
    );
    assert.ok(pkey.sizeBytes > 0);
    assert.ok(pkey.idxScan >= 1);
    const partial = byName.get('items_lower_v')!;
    assert.deepEqual(partial.columns, ['lower(v)', 'k']);
    assert.equal(partial.predicate, 'k > 10');
    assert.equal(partial.definition, 'CREATE INDEX items_lower_v ON public.items USING btree (lower(v), k) WHERE (k > 10)');
    assert.equal(byName.get('items_v_hash')!.method, 'hash');
    const invalid = byName.get('items_k_uniq')!;
    assert.deepEqual([invalid.valid, invalid.unique, invalid.primary], [false, true, false]);

    for (const r of [c.cacheHitRatio.tables, c.cacheHitRatio.indexes]) assert.ok(r !== null && r >= 0 && r <= 1, String(r));
    const b = c.cacheHitRatio.blocks!;
    assert.equal(c.cacheHitRatio.tables, b.heapHit / (b.heapHit + b.heapRead));
  } finally {
    await s.close();
  }
}

describe('catalog on PostgreSQL 18', () => {
  let pgs: TestPostgres;
  let url: string;
  let app: pg.Client;
  before(async () => {
    pgs = await startTestPostgres();
    url = await pgs.createDatabase('sg_catalog');
    app = await pgs.client('sg_catalog');
    await seedShop(app);
    await seedIndexes(app);
  });
  after(async () => {
    await pgs?.stop();
  });

  it('reads tables, indexes (expressions, predicate, method, the invalid one) and cache hit ratios', async () => {
    await checkCatalog(url, app);
  });

  it('reads around a table locked by another session (lock-free size estimate, its indexes left out), with warnings', async () => {
    const s = await openDb(url, { lockTimeoutMs: 150 });
    const locker = await pgs.client('sg_catalog');
    try {
      await locker.query('BEGIN');
      await locker.query('LOCK TABLE items IN ACCESS EXCLUSIVE MODE');
      const t0 = Date.now();
      const c = await readCatalog(s);
      assert.ok(Date.now() - t0 < 1000, 'no lock wait');
      assert.deepEqual(c.warnings, [
        'sizes of public.items are estimates from pg_class.relpages: locked by another session (ALTER TABLE or VACUUM FULL running?)',
        'indexes of public.items not read: locked by another session (ALTER TABLE or VACUUM FULL running?)',
      ]);
      const t = c.tables.find((x) => x.table === 'items')!;
      assert.ok(t.sizeBytes >= 8192 * 10, `size ${t.sizeBytes}`);
      assert.equal(c.indexes.filter((i) => i.table === 'items').length, 0);
    } finally {
      await locker.query('ROLLBACK');
      await s.close();
    }
  });

  it('table scan counters diff to the scans run in between', async () => {
    const s = await openDb(url);
    try {
      const before = await readTableScans(s);
      for (let i = 0; i < 2; i++) await app.query('SELECT count(*) FROM items WHERE k = $1', [i]);
      for (let i = 0; i < 3; i++) await app.query('SELECT v FROM items WHERE id = $1', [i + 1]);
      await app.query('SELECT pg_stat_force_next_flush()');
      await app.query('SELECT 1');
      const d = diffTableScans(before, await readTableScans(s));
      assert.deepEqual(d, [{ schema: 'public', table: 'items', seqScan: 2, seqTupRead: 4000, idxScan: 3 }]);
    } finally {
      await s.close();
    }
  });
});

describe('diffTableScans', () => {
  it('new tables count fully, reset counters count after, untouched tables are left out', () => {
    const t = (table: string, seqScan: number, seqTupRead: number, idxScan: number) => ({
      schema: 's',
      table,
      seqScan,
      seqTupRead,
      idxScan,
    });
    assert.deepEqual(
      diffTableScans(
        [t('a', 5, 50, 1), t('b', 9, 90, 9), t('c', 1, 1, 1)],
        [t('a', 7, 70, 1), t('b', 1, 10, 0), t('c', 1, 1, 1), t('d', 0, 0, 4)],
      ),
      [t('a', 2, 20, 0), t('b', 1, 10, 0), t('d', 0, 0, 4)],
    );
  });
});

describe('catalog on the system PostgreSQL 15', async () => {
  const db = await systemDatabase('catalog');
  const skip = 'reason' in db ? db.reason : false;
  after(async () => {
    if (!('reason' in db)) await db.drop();
  });

  it('reads the same things on 15', { skip }, async () => {
    const d = db as SystemDb;
    const app = await d.client();
    await seedShop(app);
    await seedIndexes(app);
    await checkCatalog(d.url, app);
  });
});
