// db-unused-index, db-duplicate-index and db-invalid-index on fake index statistics.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { dbUnusedIndex } from '../../src/audits/db-unused-index.ts';
import { dbDuplicateIndex, duplicateIndexes } from '../../src/audits/db-duplicate-index.ts';
import { concurrently, dbInvalidIndex } from '../../src/audits/db-invalid-index.ts';
import { dbRecord, dbWindow, healthyProbes, index } from '../helpers/fake-db-probes.ts';
import type { DatabaseProbes } from '../../src/record/database-probes.ts';
import { ctx } from './helpers.ts';

const withIndexes = (...extra: ReturnType<typeof index>[]) => dbRecord(healthyProbes({ indexes: [...healthyProbes().indexes, ...extra] }));
const plainIdx = (over: Parameters<typeof index>[0]) => index({ unique: false, primary: false, ...over });

describe('db-unused-index', () => {
  test('lists non-unique indexes with ≤ 50 scans, largest first, with DROP statements (low)', () => {
    const r = withIndexes(
      plainIdx({ table: 'orders', index: 'orders_note_idx', columns: ['note'], idxScan: 0, sizeBytes: 9_000_000 }),
      plainIdx({ table: 'orders', index: 'orders_ref_idx', columns: ['ref'], idxScan: 50, sizeBytes: 1_000_000 }),
      plainIdx({ table: 'orders', index: 'orders_used_idx', columns: ['used'], idxScan: 51 }),
      index({ table: 'orders', index: 'orders_code_key', columns: ['code'], idxScan: 0, primary: false }),
    );
    const f = dbUnusedIndex.run(ctx(r));
    assert.equal(f.length, 1);
    assert.equal(f[0]!.severity, 'low');
    assert.match(f[0]!.title, /^2 unused indexes \(9\.5 MB\): orders_note_idx, orders_ref_idx$/);
    assert.match(f[0]!.recommendation.approach, /DROP INDEX CONCURRENTLY orders_note_idx; DROP INDEX CONCURRENTLY orders_ref_idx;$/);
    assert.match(f[0]!.description, /since the statistics were last reset/);
  });

  test('under load, an index on a table the load scanned by index is not called unused (its counters may lag)', () => {
    const idx = plainIdx({ table: 'orders', index: 'orders_note_idx', columns: ['note'], idxScan: 0, sizeBytes: 1_000_000 });
    const base = withIndexes(idx);
    const probes = base.probes.database as DatabaseProbes;
    const under = (idxScan: number) =>
      dbRecord({
        ...probes,
        mode: 'load',
        windows: [dbWindow({ tableScans: [{ schema: 'public', table: 'orders', seqScan: 0, seqTupRead: 0, idxScan }] })],
      });
    assert.deepEqual(dbUnusedIndex.run(ctx(under(5000))), []);
    assert.equal(dbUnusedIndex.run(ctx(under(0))).length, 1, 'no index scans on the table under load: still unused');
  });

  test('silent when every index is used, and leaves duplicates to db-duplicate-index', () => {
    assert.deepEqual(dbUnusedIndex.run(ctx(dbRecord(healthyProbes()))), []);
    const dup = plainIdx({ table: 'orders', index: 'orders_customer_id_idx', columns: ['customer_id'], idxScan: 0 });
    assert.deepEqual(dbUnusedIndex.run(ctx(withIndexes(dup))), []);
  });
});

describe('db-duplicate-index', () => {
  test('an index whose columns are a prefix of another (same method, same predicate) is reported', () => {
    const dup = plainIdx({ table: 'orders', index: 'orders_customer_id_idx', columns: ['customer_id'], idxScan: 7, sizeBytes: 4_400_000 });
    const f = dbDuplicateIndex.run(ctx(withIndexes(dup)));
    assert.equal(f.length, 1);
    assert.equal(f[0]!.severity, 'low');
    assert.match(f[0]!.title, /orders_customer_id_idx: a prefix of orders_customer_id_created_at_idx/);
    assert.match(f[0]!.recommendation.approach, /^DROP INDEX CONCURRENTLY orders_customer_id_idx;/);
    assert.match(f[0]!.recommendation.rollbackPlan, /^CREATE INDEX CONCURRENTLY orders_customer_id_idx ON public\.orders/);
  });

  test('not a duplicate: unique or primary, another method, another predicate, not a prefix, another table', () => {
    const wide = plainIdx({ table: 't', index: 't_a_b', columns: ['a', 'b'] });
    const cases = [
      index({ table: 't', index: 't_a_key', columns: ['a'], unique: true, primary: false }),
      plainIdx({ table: 't', index: 't_a_hash', columns: ['a'], method: 'hash' }),
      plainIdx({ table: 't', index: 't_a_partial', columns: ['a'], predicate: '(a > 0)' }),
      plainIdx({ table: 't', index: 't_b', columns: ['b'] }),
      plainIdx({ table: 'u', index: 'u_a', columns: ['a'] }),
    ];
    for (const c of cases) assert.deepEqual(duplicateIndexes([wide, c]), [], c.index);
  });

  test('identical non-unique pair: only the less used one; identical to a unique index: the non-unique one', () => {
    const a = plainIdx({ table: 't', index: 't_a1', columns: ['a'], idxScan: 10 });
    const b = plainIdx({ table: 't', index: 't_a2', columns: ['a'], idxScan: 900 });
    assert.deepEqual(
      duplicateIndexes([a, b]).map((d) => [d.redundant.index, d.covering.index]),
      [['t_a1', 't_a2']],
    );
    const u = index({ table: 't', index: 't_a_key', columns: ['a'], unique: true, primary: false });
    assert.deepEqual(
      duplicateIndexes([a, u]).map((d) => d.redundant.index),
      ['t_a1'],
    );
  });
});

describe('db-invalid-index', () => {
  test('an invalid index: drop and rebuild concurrently; medium when it was unique', () => {
    const r = withIndexes(
      plainIdx({ table: 'orders', index: 'orders_status_idx', columns: ['status'], valid: false }),
      index({ table: 'orders', index: 'orders_ref_key', columns: ['ref'], primary: false, valid: false }),
    );
    const f = dbInvalidIndex.run(ctx(r));
    assert.deepEqual(
      f.map((x) => x.severity),
      ['low', 'medium'],
    );
    assert.match(
      f[0]!.recommendation.approach,
      /^DROP INDEX CONCURRENTLY orders_status_idx; CREATE INDEX CONCURRENTLY orders_status_idx ON public\.orders USING btree \(status\);/,
    );
    assert.match(f[1]!.recommendation.approach, /CREATE UNIQUE INDEX CONCURRENTLY orders_ref_key/);
    assert.deepEqual(dbInvalidIndex.run(ctx(dbRecord(healthyProbes()))), []);
  });

  test('concurrently() leaves a definition that already says CONCURRENTLY alone', () => {
    assert.equal(concurrently('CREATE INDEX CONCURRENTLY x ON t (a)'), 'CREATE INDEX CONCURRENTLY x ON t (a)');
    assert.equal(concurrently('CREATE UNIQUE INDEX x ON t (a)'), 'CREATE UNIQUE INDEX CONCURRENTLY x ON t (a)');
  });
});
