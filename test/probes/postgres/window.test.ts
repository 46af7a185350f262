import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type pg from 'pg';
import { openDb } from '../../../src/probes/postgres/connect.ts';
import type { DbSession } from '../../../src/probes/postgres/session.ts';
import { inferRepetition, startDatabaseWindow } from '../../../src/probes/postgres/window.ts';
import { startTestPostgres, TEST_PG_PASSWORD, type TestPostgres } from '../../helpers/postgres.ts';
import { seedShop, systemDatabase, type SystemDb } from './fixtures.ts';

async function speedguardBackends(c: pg.Client, db: string): Promise<number> {
  const r = await c.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = $1 AND application_name = 'speedguard'`,
    [db],
  );
  return r.rows[0]!.n;
}

/** Publish this backend's pending table counters now (they are otherwise flushed ≤ 1 s / 10 s later). */
async function flushStats(c: pg.Client): Promise<void> {
  await c.query('SELECT pg_stat_force_next_flush()');
}

describe('database window on PostgreSQL 18', () => {
  let pgs: TestPostgres;
  let url: string;
  let app: pg.Client;
  let s: DbSession;
  before(async () => {
    pgs = await startTestPostgres();
    url = await pgs.createDatabase('sg_window');
    app = await pgs.client('sg_window');
    await seedShop(app);
    s = await openDb(url);
  });
  after(async () => {
    await s?.close();
    await pgs?.stop();
  });

  it('the diff holds exactly the statements run in the window, with scans, activity and repetition', async () => {
    await app.query('SELECT max(id) FROM items'); // before the window: must not appear
    await flushStats(app); // (its index scan would otherwise be published inside the window)
    // Observed from another database, so that the observing statements are not in this one's diff.
    const observer = await pgs.client('postgres');
    const w = await startDatabaseWindow(s, { phase: 'peak', url, activityIntervalMs: 20 });
    assert.equal(await speedguardBackends(observer, 'sg_window'), 2, 'the sampler has a connection of its own');
    for (let i = 0; i < 7; i++) await app.query('SELECT v FROM items WHERE id = $1', [i + 1]);
    for (let i = 0; i < 3; i++) await app.query('SELECT count(*) FROM items WHERE k = $1', [i]);
    await flushStats(app);
    const win = await w.end(1);

    assert.equal(win.phase, 'peak');
    assert.ok(win.fromEpochMs <= win.toEpochMs);
    assert.deepEqual(win.warnings, []);
    assert.deepEqual(win.statements.map((x) => [x.query, x.calls]).sort(), [
      ['SELECT count(*) FROM items WHERE k = $1', 3],
      ['SELECT pg_stat_force_next_flush()', 1],
      ['SELECT v FROM items WHERE id = $1', 7],
    ]);
    assert.equal(win.totals.calls, 11);
    assert.ok(win.totals.execMs > 0);
    assert.ok(win.totals.hitRatio !== null && win.totals.hitRatio >= 0 && win.totals.hitRatio <= 1);
    assert.ok(Math.abs(win.statements.reduce((a, x) => a + x.shareOfTotal, 0) - 1) < 1e-9);
    assert.deepEqual(win.tableScans, [{ schema: 'public', table: 'items', seqScan: 3, seqTupRead: 6000, idxScan: 7 }]);
    assert.ok(win.activity !== null && win.activity.samples >= 1);
    assert.ok(win.activity.total.max >= 1);
    assert.deepEqual(
      win.inferredRepetition.map((r) => [r.query, r.calls, r.httpRequests, r.callsPerRequest, r.phase]),
      [['SELECT v FROM items WHERE id = $1', 7, 1, 7, 'peak']],
    );
    assert.ok(!JSON.stringify(win).includes(TEST_PG_PASSWORD));
    // The sampler's connection is closed by end() (its backend may take a moment to leave pg_stat_activity).
    let n = 2;
    for (let i = 0; i < 100 && n !== 1; i++) {
      n = await speedguardBackends(observer, 'sg_window');
      if (n !== 1) await new Promise((r) => setTimeout(r, 20));
    }
    assert.equal(n, 1);
  });

  it('infers no repetition without HTTP requests; end() twice gives the same window', async () => {
    const w = await startDatabaseWindow(s, { phase: 'window', url, activityIntervalMs: 20 });
    for (let i = 0; i < 6; i++) await app.query('SELECT v FROM items WHERE id = $1', [i + 1]);
    const a = await w.end(0);
    const b = await w.end(5);
    assert.equal(a, b);
    assert.equal(a.httpRequests, 0);
    assert.deepEqual(a.inferredRepetition, []);
    assert.equal(a.statements.find((x) => x.query === 'SELECT v FROM items WHERE id = $1')?.calls, 6);
  });
});

describe('inferRepetition', () => {
  it('keeps statements with ≥ 5 calls per request, most repeated first', () => {
    const st = (queryId: string, calls: number) => ({
      queryId,
      query: `q${queryId}`,
      calls,
      rows: 0,
      totalExecMs: 1,
      meanExecMs: 1,
      maxExecMs: null,
      totalPlanMs: 0,
      sharedBlksHit: 0,
      sharedBlksRead: 0,
      tempBlksRead: 0,
      tempBlksWritten: 0,
      hitRatio: null,
      shareOfTotal: 0,
    });
    const r = inferRepetition([st('1', 499), st('2', 500), st('3', 2000)], 100, 'stress');
    assert.deepEqual(
      r.map((x) => [x.queryId, x.callsPerRequest]),
      [
        ['3', 20],
        ['2', 5],
      ],
    );
    assert.deepEqual(inferRepetition([st('1', 500)], 0, 'stress'), []);
  });
});

describe('database window on the system PostgreSQL 15 (no pg_stat_statements)', async () => {
  const db = await systemDatabase('window');
  const skip = 'reason' in db ? db.reason : false;
  after(async () => {
    if (!('reason' in db)) await db.drop();
  });

  it('still measures table scans and activity, and says why statements are missing', { skip }, async () => {
    const d = db as SystemDb;
    const app = await d.client();
    await seedShop(app);
    const s = await openDb(d.url);
    try {
      const w = await startDatabaseWindow(s, { phase: 'baseline', url: d.url, activityIntervalMs: 20 });
      for (let i = 0; i < 2; i++) await app.query('SELECT count(*) FROM items WHERE k = $1', [i]);
      await flushStats(app);
      const win = await w.end(10);
      assert.deepEqual(win.statements, []);
      assert.equal(win.totals.calls, 0);
      assert.equal(win.warnings!.length, 1);
      assert.match(win.warnings![0]!, /^statements not measured: pg_stat_statements is not created in this database/);
      assert.deepEqual(win.tableScans, [{ schema: 'public', table: 'items', seqScan: 2, seqTupRead: 4000, idxScan: 0 }]);
      assert.ok(win.activity !== null && win.activity.samples >= 1);
    } finally {
      await s.close();
    }
  });
});
