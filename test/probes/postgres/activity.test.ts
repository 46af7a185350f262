import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type pg from 'pg';
import { ActivitySamplerOptionError, startActivitySampler } from '../../../src/probes/postgres/activity.ts';
import { openDb } from '../../../src/probes/postgres/connect.ts';
import { startTestPostgres, type TestPostgres } from '../../helpers/postgres.ts';
import { seedShop } from './fixtures.ts';

/** Waits (bounded: 5 s) until `pid` waits on a lock — there is no event to await for that. */
async function untilWaitingOnLock(observer: pg.Client, pid: number): Promise<void> {
  for (let i = 0; i < 250; i++) {
    const r = await observer.query(`SELECT wait_event_type FROM pg_stat_activity WHERE pid = $1`, [pid]);
    if (r.rows[0]?.wait_event_type === 'Lock') return;
    await new Promise((res) => setTimeout(res, 20));
  }
  throw new Error(`backend ${pid} never waited on the lock`);
}

describe('activity sampler on PostgreSQL 18', () => {
  let pgs: TestPostgres;
  let url: string;
  before(async () => {
    pgs = await startTestPostgres();
    url = await pgs.createDatabase('sg_activity');
    await seedShop(await pgs.client('sg_activity'));
  });
  after(async () => {
    await pgs?.stop();
  });

  it('sees idle-in-transaction and lock waits, normalises the longest query, leaves speedguard out', async () => {
    const holder = await pgs.client('sg_activity');
    const waiter = await pgs.client('sg_activity');
    const observer = await pgs.client('sg_activity');
    const probe = await openDb(url); // another speedguard session: must not be counted
    const s = await openDb(url);
    try {
      await holder.query('BEGIN');
      await holder.query('LOCK TABLE items IN ACCESS EXCLUSIVE MODE'); // then idle in transaction
      const [{ pid }] = (await waiter.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows as [{ pid: number }];
      const blocked = waiter.query(`SELECT v FROM items WHERE v = 'secret-Literal' AND id = 987654`);
      await untilWaitingOnLock(observer, pid);

      const all = await observer.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = 'sg_activity' AND backend_type = 'client backend'`,
      );
      const sampler = startActivitySampler(s, { intervalMs: 20 });
      await sampler.whenSamples(3);
      const a = sampler.stop();
      await sampler.idle;
      await holder.query('ROLLBACK');
      await blocked;

      assert.ok(a.samples >= 3);
      assert.equal(a.maxConnections, 100);
      // Every client backend of this database but the two speedguard sessions (probe and the sampler's own).
      assert.equal(a.total.max, all.rows[0]!.n - 2);
      assert.ok(a.total.max >= 4);
      assert.equal(a.idleInTransaction.max, 1);
      assert.equal(a.idleInTransaction.mean, 1);
      assert.equal(a.waitingOnLocks.max, 1);
      assert.ok(a.active.max >= 1);
      assert.ok((a.waitEvents['Lock:relation'] ?? 0) >= 3, JSON.stringify(a.waitEvents));
      assert.ok(a.longestActive !== null);
      assert.equal(a.longestActive.query, 'SELECT v FROM items WHERE v = $1 AND id = $2');
      assert.ok(a.longestActive.ms > 0);
      assert.deepEqual(sampler.errors, []);
    } finally {
      await probe.close();
      await s.close();
    }
  });

  it('stops itself after maxSamples / maxDurationMs, and rejects bad options', async () => {
    const s = await openDb(url);
    try {
      const sampler = startActivitySampler(s, { intervalMs: 10, maxSamples: 2 });
      await sampler.whenSamples(50); // resolves when it stops on its own, not after 50
      await sampler.idle;
      assert.equal(sampler.stop().samples, 2);
      const timed = startActivitySampler(s, { intervalMs: 10, maxDurationMs: 60 });
      await timed.whenSamples(100_000);
      await timed.idle;
      const n = timed.stop().samples;
      assert.ok(n >= 1 && n < 100, `samples ${n}`);
      assert.throws(() => startActivitySampler(s, { intervalMs: 1 }), ActivitySamplerOptionError);
    } finally {
      await s.close();
    }
  });
});
