import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { openDb } from '../../../src/probes/postgres/connect.ts';
import { collectDatabaseSnapshot, emptyLoadProbes, mergeWindows } from '../../../src/probes/postgres/snapshot.ts';
import type { DatabaseServerInfo, DatabaseWindow, StatementStats } from '../../../src/record/database-probes.ts';
import { startTestPostgres, TEST_PG_PASSWORD, type TestPostgres } from '../../helpers/postgres.ts';
import { seedShop, systemDatabase, type SystemDb } from './fixtures.ts';

describe('collectDatabaseSnapshot on PostgreSQL 18', () => {
  let pgs: TestPostgres;
  let url: string;
  before(async () => {
    pgs = await startTestPostgres();
    url = await pgs.createDatabase('sg_snapshot');
    const app = await pgs.client('sg_snapshot');
    await seedShop(app);
    for (let i = 0; i < 12; i++) await app.query('SELECT v FROM items WHERE k = $1', [i]);
  });
  after(async () => {
    await pgs?.stop();
  });

  it('collects server, cumulative statements, tables, indexes, cache ratios and a short activity sample', async () => {
    const s = await openDb(url);
    try {
      const t0 = Date.now();
      const p = await collectDatabaseSnapshot(s, { url, topN: 5, activitySamples: 3, activityIntervalMs: 100 });
      assert.ok(Date.now() - t0 < 5000);
      assert.equal(p.mode, 'snapshot');
      assert.equal(p.url, `postgres://postgres@127.0.0.1:${pgs.port}/sg_snapshot`);
      assert.ok(!JSON.stringify(p).includes(TEST_PG_PASSWORD) && !JSON.stringify(p).includes(encodeURIComponent(TEST_PG_PASSWORD)));
      assert.equal(p.server.database, 'sg_snapshot');
      assert.deepEqual(p.warnings, []);
      assert.ok(p.statementsInfo !== null && p.statementsInfo.dealloc === 0);
      assert.ok(p.statements.length <= 5);
      const q = p.statements.find((x) => x.query === 'SELECT v FROM items WHERE k = $1')!;
      assert.equal(q.calls, 12);
      assert.equal(q.rows, 12 * 40);
      assert.ok(q.maxExecMs !== null && q.maxExecMs > 0);
      // None of speedguard's own reads (catalog, settings, activity, pg_stat_statements itself).
      assert.ok(
        p.statements.every((x) => !/speedguard|pg_stat_user|pg_settings|pg_stat_activity|FROM public\.pg_stat_statements/.test(x.query)),
        JSON.stringify(p.statements.map((x) => x.query)),
      );
      for (let i = 1; i < p.statements.length; i++) assert.ok(p.statements[i - 1]!.totalExecMs >= p.statements[i]!.totalExecMs);
      assert.ok(p.tables.some((t) => t.table === 'items' && t.nLiveTup === 2000));
      assert.ok(p.indexes.some((i) => i.index === 'items_pkey' && i.primary));
      assert.ok(p.cacheHitRatio.tables !== null && p.cacheHitRatio.tables >= 0 && p.cacheHitRatio.tables <= 1);
      assert.ok(p.activity && p.activity.samples === 3);
      assert.deepEqual([p.windows, p.plans, p.indexSuggestions, p.nPlusOne, p.allowWrites], [[], [], [], [], false]);
      JSON.parse(JSON.stringify(p)); // plain JSON
    } finally {
      await s.close();
    }
  });
});

describe('collectDatabaseSnapshot on the system PostgreSQL 15 (not preloaded)', async () => {
  const db = await systemDatabase('snapshot');
  const skip = 'reason' in db ? db.reason : false;
  after(async () => {
    if (!('reason' in db)) await db.drop();
  });

  it('collects everything else and warns with the steps to enable pg_stat_statements', { skip }, async () => {
    const d = db as SystemDb;
    await seedShop(await d.client());
    const s = await openDb(d.url);
    try {
      const p = await collectDatabaseSnapshot(s, { url: d.url, activitySamples: 2, activityIntervalMs: 50 });
      assert.equal(p.server.pgStatStatements.available, false);
      assert.equal(p.statementsInfo, null);
      assert.deepEqual(p.statements, []);
      assert.equal(p.warnings.length, 1);
      assert.ok(
        p.warnings[0]!.startsWith(
          'pg_stat_statements is not available, so no statement statistics: pg_stat_statements is not loaded by the server.',
        ),
        p.warnings[0],
      );
      assert.ok(p.warnings[0]!.includes(`CREATE EXTENSION pg_stat_statements;`));
      assert.ok(p.tables.some((t) => t.table === 'items'));
      assert.ok(p.activity && p.activity.samples === 2);
    } finally {
      await s.close();
    }
  });
});

describe('emptyLoadProbes / mergeWindows', () => {
  const server: DatabaseServerInfo = {
    versionNum: 180004,
    version: '18.4',
    database: 'shop',
    settings: {
      sharedPreloadLibraries: 'pg_stat_statements',
      trackIoTiming: false,
      workMemKb: 4096,
      sharedBuffersKb: 131072,
      maxConnections: 100,
      randomPageCost: 4,
    },
    extensions: { pgStatStatements: '1.12', hypopg: null },
    pgStatStatements: { available: true, howToEnable: null },
    hypopgAvailable: false,
  };
  const st = (queryId: string, calls: number, totalExecMs: number): StatementStats => ({
    queryId,
    query: `q${queryId}`,
    calls,
    rows: calls,
    totalExecMs,
    meanExecMs: totalExecMs / calls,
    maxExecMs: null,
    totalPlanMs: 0,
    sharedBlksHit: calls,
    sharedBlksRead: 0,
    tempBlksRead: 0,
    tempBlksWritten: 0,
    hitRatio: 1,
    shareOfTotal: 0,
  });
  const win = (phase: DatabaseWindow['phase'], statements: StatementStats[], warnings: string[] = []): DatabaseWindow => ({
    phase,
    fromEpochMs: 0,
    toEpochMs: 1,
    httpRequests: 10,
    statements,
    totals: { calls: 0, execMs: 0, sharedBlksHit: 0, sharedBlksRead: 0, hitRatio: null },
    tableScans: [],
    activity: null,
    inferredRepetition: [],
    warnings,
  });

  it('builds a load-mode record part and sums statements over windows', () => {
    const base = emptyLoadProbes({ url: 'postgres://app:pw-Secret@db/shop', server, allowWrites: false });
    assert.equal(base.url, 'postgres://app@db/shop');
    assert.equal(base.mode, 'load');
    const merged = mergeWindows(base, [
      win('baseline', [st('1', 2, 10), st('2', 1, 40)]),
      win('peak', [st('1', 8, 30)], ['statements not measured: x']),
    ]);
    assert.equal(merged.windows.length, 2);
    assert.deepEqual(
      merged.statements.map((x) => [x.queryId, x.calls, x.totalExecMs, x.meanExecMs, x.shareOfTotal]),
      [
        ['1', 10, 40, 4, 0.5],
        ['2', 1, 40, 40, 0.5],
      ],
    );
    assert.deepEqual(merged.warnings, ['peak: statements not measured: x']);
    const again = mergeWindows(merged, [win('stress', [st('2', 1, 60)])]);
    assert.deepEqual(
      again.statements.map((x) => [x.queryId, x.calls]),
      [
        ['2', 2],
        ['1', 10],
      ],
    );
  });

  it('carries the pg_stat_statements advice into the warnings', () => {
    const p = emptyLoadProbes({
      url: 'postgres://db/shop',
      server: { ...server, pgStatStatements: { available: false, howToEnable: 'do X' } },
      allowWrites: true,
    });
    assert.deepEqual(p.warnings, ['pg_stat_statements is not available, so no statement statistics: do X']);
    assert.equal(p.allowWrites, true);
  });
});
