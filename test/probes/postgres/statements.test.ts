import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { openDb } from '../../../src/probes/postgres/connect.ts';
import type { DbSession } from '../../../src/probes/postgres/session.ts';
import {
  cumulativeStatements,
  diffStatements,
  readStatements,
  StatementsUnavailableError,
  sumStatements,
  type StatementCounters,
  type StatementsRead,
} from '../../../src/probes/postgres/statements.ts';
import { startTestPostgres, type TestPostgres } from '../../helpers/postgres.ts';
import { seedShop, systemDatabase, type SystemDb } from './fixtures.ts';

function counters(queryId: string, calls: number, execMs: number, extra: Partial<StatementCounters> = {}): StatementCounters {
  return {
    queryId,
    query: `SELECT ${queryId}`,
    calls,
    rows: calls,
    totalExecMs: execMs,
    totalPlanMs: 0,
    maxExecMs: 1,
    sharedBlksHit: calls * 3,
    sharedBlksRead: calls,
    tempBlksRead: 0,
    tempBlksWritten: 0,
    ...extra,
  };
}
function read(entries: StatementCounters[], o: { dealloc?: number | null; statsReset?: string | null } = {}): StatementsRead {
  return {
    info: { extVersion: '1.12', takenAt: '2026-01-01T00:00:00.000Z', entries: entries.length, dealloc: o.dealloc ?? 0 },
    statsReset: o.statsReset ?? 'r0',
    entries,
  };
}

describe('diffStatements', () => {
  it('subtracts, counts new entries fully, drops unchanged ones, sorts by total time with shares', () => {
    const w: string[] = [];
    const d = diffStatements(
      read([counters('1', 10, 100), counters('2', 5, 50), counters('3', 7, 70)]),
      read([counters('1', 14, 180), counters('2', 5, 50), counters('3', 8, 71), counters('4', 2, 20)]),
      w,
    );
    assert.deepEqual(
      d.map((s) => [s.queryId, s.calls, s.totalExecMs]),
      [
        ['1', 4, 80],
        ['4', 2, 20],
        ['3', 1, 1],
      ],
    );
    assert.equal(d[0]!.meanExecMs, 20);
    assert.equal(d[0]!.maxExecMs, null);
    assert.equal(d[0]!.hitRatio, 0.75);
    assert.ok(Math.abs(d.reduce((a, s) => a + s.shareOfTotal, 0) - 1) < 1e-9);
    assert.equal(d[0]!.shareOfTotal, 80 / 101);
    assert.deepEqual(w, []);
  });

  it('counters that went down (reset / eviction): after is the delta, with a warning', () => {
    const w: string[] = [];
    const d = diffStatements(read([counters('1', 10, 100)]), read([counters('1', 3, 9)]), w);
    assert.deepEqual(
      d.map((s) => [s.queryId, s.calls]),
      [['1', 3]],
    );
    assert.equal(w.length, 1);
    assert.match(w[0]!, /1 statement\(s\) had counters that went down/);
  });

  it('warns about a pg_stat_statements reset and about evictions (dealloc)', () => {
    const w: string[] = [];
    diffStatements(read([counters('1', 10, 100)], { dealloc: 2 }), read([counters('1', 3, 9)], { dealloc: 7, statsReset: 'r1' }), w);
    assert.equal(w.length, 2);
    assert.match(w[0]!, /was reset during the window \(at r1\)/);
    assert.match(w[1]!, /evicted 5 entries/);
  });

  it('truncates texts to 2000 characters; cumulative keeps max, top N cuts', () => {
    const long = counters('9', 1, 5, { query: `SELECT ${'x'.repeat(3000)}` });
    const c = cumulativeStatements(read([long, counters('8', 1, 1), counters('7', 1, 2)]), 2);
    assert.equal(c.length, 2);
    assert.equal(c[0]!.query.length, 2000);
    assert.equal(c[0]!.maxExecMs, 1);
  });

  it('sumStatements adds windows by queryId and recomputes means and shares', () => {
    const a = diffStatements(read([]), read([counters('1', 2, 10), counters('2', 1, 30)]));
    const b = diffStatements(read([]), read([counters('1', 3, 20)]));
    const s = sumStatements([a, b]);
    assert.deepEqual(
      s.map((x) => [x.queryId, x.calls, x.totalExecMs, x.meanExecMs]),
      [
        ['1', 5, 30, 6],
        ['2', 1, 30, 30],
      ],
    );
    assert.equal(s[0]!.shareOfTotal, 0.5);
  });
});

describe('readStatements on PostgreSQL 18', () => {
  let pgs: TestPostgres;
  let url: string;
  let app: pg.Client;
  let s: DbSession;
  before(async () => {
    pgs = await startTestPostgres();
    url = await pgs.createDatabase('sg_stmts');
    app = await pgs.client('sg_stmts');
    await seedShop(app);
    s = await openDb(url);
  });
  after(async () => {
    await s?.close();
    await pgs?.stop();
  });

  it("sums the per-role variants of a statement, drops speedguard's own, and diffs to the exact calls", async () => {
    await app.query(`CREATE ROLE sg_other LOGIN PASSWORD 'Other-Pass-1'; GRANT SELECT ON items TO sg_other`);
    const other = new pg.Client({ connectionString: `postgres://sg_other:Other-Pass-1@127.0.0.1:${pgs.port}/sg_stmts` });
    await other.connect();
    try {
      await app.query('SELECT max(id) FROM items'); // before the window
      const r0 = await readStatements(s);
      assert.equal(r0.info.extVersion, pgExt(r0));
      assert.equal(r0.info.dealloc, 0);
      assert.ok(r0.statsReset !== null);
      for (let i = 0; i < 4; i++) await app.query('SELECT v FROM items WHERE id = $1', [i + 1]);
      for (let i = 0; i < 3; i++) await other.query('SELECT v FROM items WHERE id = $1', [i + 10]);
      await app.query('SELECT count(*) FROM items WHERE k = $1', [7]);
      // speedguard's own statement (the marker comment is in its text): not counted. (Had the app run
      // the very same statement as the same role, the two would share one entry — a known limit.)
      await s.query('SELECT min(v) FROM items WHERE k = $1', [8]);
      const r1 = await readStatements(s);
      assert.ok(
        r1.entries.every((e) => !e.query.includes('speedguard')),
        'own statements are excluded',
      );
      const w: string[] = [];
      const d = diffStatements(r0, r1, w);
      assert.deepEqual(w, []);
      assert.deepEqual(d.map((x) => [x.query, x.calls, x.rows]).sort(), [
        ['SELECT count(*) FROM items WHERE k = $1', 1, 1],
        ['SELECT v FROM items WHERE id = $1', 7, 7],
      ]);
      assert.ok(!d.some((x) => x.query.includes('max(id)') || x.query.includes('min(v)')));
      const byId = d.find((x) => x.query.startsWith('SELECT v'))!;
      assert.ok(byId.totalExecMs > 0 && byId.meanExecMs > 0);
      assert.ok(byId.sharedBlksHit + byId.sharedBlksRead > 0);
      assert.ok(byId.hitRatio !== null && byId.hitRatio >= 0 && byId.hitRatio <= 1);
    } finally {
      await other.end();
    }
  });

  it('notices a pg_stat_statements reset during the window', async () => {
    await app.query('SELECT v FROM items WHERE id = $1', [1]);
    const r0 = await readStatements(s);
    await app.query('SELECT pg_stat_statements_reset()');
    await app.query('SELECT v FROM items WHERE id = $1', [2]);
    const w: string[] = [];
    const d = diffStatements(r0, await readStatements(s), w);
    assert.equal(d.find((x) => x.query === 'SELECT v FROM items WHERE id = $1')?.calls, 1);
    assert.equal(w.length, 1);
    assert.match(w[0]!, /pg_stat_statements was reset during the window/);
  });
});

function pgExt(r: StatementsRead): string {
  return /^1\.1[0-9]$/.test(r.info.extVersion) ? r.info.extVersion : `unexpected ${r.info.extVersion}`;
}

describe('readStatements on the system PostgreSQL 15 (not preloaded)', async () => {
  const db = await systemDatabase('stmts');
  const skip = 'reason' in db ? db.reason : false;
  after(async () => {
    if (!('reason' in db)) await db.drop();
  });

  it('refuses with StatementsUnavailableError, before and after CREATE EXTENSION', { skip }, async () => {
    const d = db as SystemDb;
    const s = await openDb(d.url);
    try {
      await assert.rejects(readStatements(s), (e: unknown) => e instanceof StatementsUnavailableError && /not created/.test(e.message));
      await (await d.client()).query('CREATE EXTENSION pg_stat_statements');
      await assert.rejects(
        readStatements(s),
        (e: unknown) => e instanceof StatementsUnavailableError && /shared_preload_libraries/.test(e.message),
      );
    } finally {
      await s.close();
    }
  });
});
