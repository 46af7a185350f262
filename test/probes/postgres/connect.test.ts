import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import fc from 'fast-check';
import type pg from 'pg';
import {
  DbConnectError,
  DbInputError,
  DbQueryError,
  markSql,
  openDb,
  redactDbUrl,
  SPEEDGUARD_SQL_MARKER,
} from '../../../src/probes/postgres/connect.ts';
import { UsageError } from '../../../src/errors.ts';
import { startTestPostgres, TEST_PG_PASSWORD, type TestPostgres } from '../../helpers/postgres.ts';

describe('redactDbUrl', () => {
  it('removes the password from the userinfo and password= parameters, keeps the rest', () => {
    assert.equal(
      redactDbUrl('postgres://app:s3cret@db.example:5432/shop?sslmode=require'),
      'postgres://app@db.example:5432/shop?sslmode=require',
    );
    assert.equal(redactDbUrl('postgresql://app:s3cret@db/shop?password=other&sslmode=require'), 'postgresql://app@db/shop?sslmode=require');
    assert.equal(redactDbUrl('postgres://db/shop?sslmode=require&password=other'), 'postgres://db/shop?sslmode=require');
    assert.equal(redactDbUrl('postgres://db/shop?password=other'), 'postgres://db/shop');
    assert.equal(redactDbUrl('postgres://:pw@db/shop'), 'postgres://db/shop');
    assert.equal(redactDbUrl('postgres://app:p@ss@db/shop'), 'postgres://app@db/shop');
    assert.equal(redactDbUrl('host=db user=app password=s3cret dbname=shop'), 'host=db user=app dbname=shop');
    assert.equal(redactDbUrl('postgres://app@db/shop'), 'postgres://app@db/shop');
  });

  // Passwords from the full printable range (percent-encoded as a URL requires) and raw (as users
  // paste them) — in the userinfo and in ?password= / &sslpassword=.
  const password = fc.string({ minLength: 1, maxLength: 24, unit: fc.constantFrom(...'abcXYZ019!$%&()*+,;=:@-._~\'" [^]{|}<>'.split('')) });
  const user = fc.stringMatching(/^[a-z][a-z0-9_]{0,10}$/);
  const host = fc.constantFrom('db', '127.0.0.1', 'db.internal.example', '[::1]');

  it('property: no encoded password survives, and the result does not depend on the password', () => {
    fc.assert(
      fc.property(user, password, password, host, fc.boolean(), (u, p1, p2, h, inQuery) => {
        const make = (p: string) => {
          const enc = encodeURIComponent(p);
          return inQuery
            ? `postgres://${u}@${h}:5432/shop?sslmode=require&password=${enc}&application_name=x`
            : `postgresql://${u}:${enc}@${h}:5432/shop?sslmode=require`;
        };
        const r1 = redactDbUrl(make(p1));
        assert.equal(r1, redactDbUrl(make(p2)));
        assert.ok(
          !r1.includes(encodeURIComponent(p1)) || `${u}@${h}:5432/shop?sslmode=require&application_name=x`.includes(encodeURIComponent(p1)),
        );
        assert.ok(r1.includes(`${u}@${h}:5432/shop`));
      }),
      { numRuns: 400 },
    );
  });

  it('property: raw (unencoded) passwords without / ? # are removed too', () => {
    const raw = fc.string({ minLength: 1, maxLength: 20, unit: fc.constantFrom(...'abcXYZ019!$%&()*+,;=:@-._~'.split('')) });
    fc.assert(
      fc.property(user, raw, raw, (u, p1, p2) => {
        const r1 = redactDbUrl(`postgres://${u}:${p1}@dbhost:5432/shop`);
        assert.equal(r1, `postgres://${u}@dbhost:5432/shop`);
        assert.equal(r1, redactDbUrl(`postgres://${u}:${p2}@dbhost:5432/shop`));
      }),
      { numRuns: 400 },
    );
  });
});

describe('markSql', () => {
  it('puts the marker after the first keyword (PostgreSQL 18 drops leading comments from pg_stat_statements)', () => {
    assert.equal(markSql('SELECT 1'), `SELECT ${SPEEDGUARD_SQL_MARKER} 1`);
    assert.equal(markSql('  EXPLAIN (FORMAT JSON) SELECT 1'), `  EXPLAIN ${SPEEDGUARD_SQL_MARKER} (FORMAT JSON) SELECT 1`);
    assert.equal(markSql('(SELECT 1)'), `(SELECT 1)\n${SPEEDGUARD_SQL_MARKER}`);
    assert.equal(markSql(`SELECT ${SPEEDGUARD_SQL_MARKER} 1`), `SELECT ${SPEEDGUARD_SQL_MARKER} 1`);
  });
});

describe('openDb input errors', () => {
  it('rejects URLs that are not postgres:// URLs with a DbInputError (exit 2), never echoing the password', async () => {
    for (const bad of [
      '',
      'mysql://u:hunter22@h/db',
      'host=h password=hunter22',
      'postgres://u:hunter22@h:99999/db',
      'postgres://u:hunter22@/db',
    ]) {
      await assert.rejects(openDb(bad), (e: unknown) => {
        assert.ok(e instanceof DbInputError, `${bad}: ${String(e)}`);
        assert.ok(e instanceof UsageError);
        assert.ok(!e.message.includes('hunter22'), e.message);
        assert.ok(!e.message.includes('\n'));
        return true;
      });
    }
  });
  it('rejects bad timeouts', async () => {
    await assert.rejects(openDb('postgres://h/db', { statementTimeoutMs: -1 }), DbInputError);
  });
});

describe('openDb against PostgreSQL 18', () => {
  let pgs: TestPostgres;
  let url: string;
  let app: pg.Client;
  before(async () => {
    pgs = await startTestPostgres();
    url = await pgs.createDatabase('sg_connect');
    app = await pgs.client('sg_connect');
    await app.query('CREATE TABLE t (id int PRIMARY KEY, v text)');
    await app.query(`INSERT INTO t SELECT g, 'v' || g FROM generate_series(1, 10) g`);
  });
  after(async () => {
    await pgs?.stop();
  });

  it('opens a read-only session: safeUrl has no password, an INSERT fails with the read-only error', async () => {
    const s = await openDb(url);
    try {
      assert.equal(s.readOnly, true);
      assert.ok(s.versionNum >= 180000);
      assert.ok(!s.safeUrl.includes(TEST_PG_PASSWORD) && !s.safeUrl.includes(encodeURIComponent(TEST_PG_PASSWORD)));
      assert.equal(s.safeUrl, `postgres://postgres@127.0.0.1:${pgs.port}/sg_connect`);
      const [ro] = await s.query<{ default_transaction_read_only: string }>('SHOW default_transaction_read_only');
      assert.equal(ro!.default_transaction_read_only, 'on');
      const [app2] = await s.query<{ application_name: string }>('SHOW application_name');
      assert.equal(app2!.application_name, 'speedguard');
      await assert.rejects(s.query('INSERT INTO t VALUES ($1, $2)', [99, 'x']), (e: unknown) => {
        assert.ok(e instanceof DbQueryError);
        assert.equal(e.code, '25006');
        assert.match(e.message, /read-only transaction/);
        assert.match(e.message, /in: INSERT INTO t VALUES \(\$1, \$2\)$/);
        return true;
      });
      const [n] = await app.query<{ n: string }>('SELECT count(*)::text AS n FROM t').then((r) => r.rows);
      assert.equal(n!.n, '10');
    } finally {
      await s.close();
    }
  });

  it('allowWrites leaves the session writable', async () => {
    const s = await openDb(url, { allowWrites: true });
    try {
      assert.equal(s.readOnly, false);
      const [ro] = await s.query<{ default_transaction_read_only: string }>('SHOW default_transaction_read_only');
      assert.equal(ro!.default_transaction_read_only, 'off');
    } finally {
      await s.close();
    }
  });

  it('enforces statement_timeout and lock_timeout', async () => {
    const s = await openDb(url, { statementTimeoutMs: 200, lockTimeoutMs: 150 });
    const locker = await pgs.client('sg_connect');
    try {
      const t0 = Date.now();
      await assert.rejects(s.query('SELECT pg_sleep(3)'), (e: unknown) => e instanceof DbQueryError && e.code === '57014');
      assert.ok(Date.now() - t0 < 2500, `took ${Date.now() - t0} ms`);
      await locker.query('BEGIN');
      await locker.query('LOCK TABLE t IN ACCESS EXCLUSIVE MODE');
      await assert.rejects(s.query('SELECT count(*) FROM t'), (e: unknown) => e instanceof DbQueryError && e.code === '55P03');
      await locker.query('ROLLBACK');
      const [r] = await s.query<{ n: number }>('SELECT count(*)::int AS n FROM t');
      assert.equal(r!.n, 10);
    } finally {
      await s.close();
    }
  });

  it('query errors name the first line of the statement, never the parameters', async () => {
    const s = await openDb(url);
    try {
      await assert.rejects(s.query('SELECT $1::int AS x\nFROM t', ['not-a-number-SECRET']), (e: unknown) => {
        assert.ok(e instanceof DbQueryError);
        assert.ok(!e.message.includes('not-a-number-SECRET'), e.message);
        assert.match(e.message, /in: SELECT \$1::int AS x$/);
        assert.equal(e.code, '22P02');
        return true;
      });
    } finally {
      await s.close();
    }
    await assert.rejects(s.query('SELECT 1'), /closed/);
  });

  it('connection failures are DbConnectError with the safe URL, never the password', async () => {
    const wrong = url.replace(encodeURIComponent(TEST_PG_PASSWORD), 'Wrong-Pass-123');
    await assert.rejects(openDb(wrong), (e: unknown) => {
      assert.ok(e instanceof DbConnectError, String(e));
      assert.equal(e.code, '28P01');
      assert.ok(e.message.startsWith(`cannot connect to postgres://postgres@127.0.0.1:${pgs.port}/sg_connect: `), e.message);
      assert.ok(!e.message.includes('Wrong-Pass-123'));
      return true;
    });
    await assert.rejects(openDb(pgs.urlFor('sg_no_such_db')), (e: unknown) => {
      assert.ok(e instanceof DbConnectError);
      assert.equal(e.code, '3D000');
      assert.match(e.message, /sg_no_such_db/);
      assert.ok(!e.message.includes(TEST_PG_PASSWORD) && !e.message.includes(encodeURIComponent(TEST_PG_PASSWORD)));
      return true;
    });
    const port = await new Promise<number>((resolve) => {
      const srv = createServer().listen(0, '127.0.0.1', () => {
        const p = (srv.address() as { port: number }).port;
        srv.close(() => resolve(p));
      });
    });
    await assert.rejects(openDb(`postgres://postgres:${encodeURIComponent(TEST_PG_PASSWORD)}@127.0.0.1:${port}/x`), (e: unknown) => {
      assert.ok(e instanceof DbConnectError);
      assert.equal(e.code, 'ECONNREFUSED');
      assert.ok(!e.message.includes(TEST_PG_PASSWORD) && !e.message.includes(encodeURIComponent(TEST_PG_PASSWORD)));
      assert.ok(!e.message.includes('\n'));
      return true;
    });
  });
});
