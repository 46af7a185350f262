// Issue 11 §6: an identical pair of indexes, both unused, against a real PostgreSQL: exactly one of
// the two is recommended for dropping (as a duplicate), the other is kept — not one as a duplicate
// and the other as unused.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { runAudits } from '../../src/audits/index.ts';
import { collectDatabaseSnapshot } from '../../src/probes/postgres/snapshot.ts';
import { openDb } from '../../src/probes/postgres/connect.ts';
import { dbRecord } from '../helpers/fake-db-probes.ts';
import { startTestPostgres, type TestPostgres } from '../helpers/postgres.ts';

let server: TestPostgres;
let url: string;

before(async () => {
  server = await startTestPostgres();
  url = await server.createDatabase('sg_identical_pair');
  const c = await server.client('sg_identical_pair');
  await c.query('CREATE TABLE items (id serial PRIMARY KEY, sku text NOT NULL, shelf int NOT NULL)');
  await c.query(`INSERT INTO items (sku, shelf) SELECT 'sku-' || i, i % 40 FROM generate_series(1, 5000) i`);
  // Two identical pairs, neither ever scanned.
  await c.query('CREATE INDEX items_sku_a ON items (sku)');
  await c.query('CREATE INDEX items_sku_b ON items (sku)');
  await c.query('CREATE INDEX items_shelf_a ON items (shelf)');
  await c.query('CREATE INDEX items_shelf_b ON items (shelf)');
  await c.query('ANALYZE items');
});

after(async () => {
  await server?.stop();
});

test('identical unused pairs: one DROP per pair, never both', async () => {
  const session = await openDb(url, { allowWrites: false });
  let probes;
  try {
    probes = await collectDatabaseSnapshot(session, { url: session.safeUrl, topN: 10 });
  } finally {
    await session.close();
  }
  const findings = runAudits(dbRecord(probes));
  const dropped = findings.flatMap((f) =>
    [...f.recommendation.approach.matchAll(/DROP INDEX CONCURRENTLY (?:public\.)?(items_\w+)/g)].map((m) => m[1]!),
  );
  for (const pair of [
    ['items_sku_a', 'items_sku_b'],
    ['items_shelf_a', 'items_shelf_b'],
  ]) {
    const drops = dropped.filter((n) => pair.includes(n));
    assert.equal(drops.length, 1, `pair ${pair.join('/')}: DROPs recommended ${JSON.stringify(dropped)}`);
  }
});
