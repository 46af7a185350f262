import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { openDb } from '../../../src/probes/postgres/connect.ts';
import {
  pgStatStatementsAdvice,
  readServerInfo,
  versionFromNum,
  type PgStatStatementsState,
} from '../../../src/probes/postgres/server-info.ts';
import { startTestPostgres, type TestPostgres } from '../../helpers/postgres.ts';
import { systemDatabase, type SystemDb } from './fixtures.ts';

describe('pgStatStatementsAdvice', () => {
  const base: PgStatStatementsState = {
    preloaded: true,
    preloadSetting: 'pg_stat_statements',
    installed: true,
    selectable: true,
    seesAllUsers: true,
    database: 'shop',
    user: 'app',
  };
  it('is available with nothing to do when loaded, created, and readable for all users', () => {
    assert.deepEqual(pgStatStatementsAdvice(base), { available: true, howToEnable: null });
  });
  it('not loaded: postgresql.conf / ALTER SYSTEM keeping existing libraries, restart, then CREATE EXTENSION in that database', () => {
    const a = pgStatStatementsAdvice({ ...base, preloaded: false, preloadSetting: 'auto_explain', installed: false });
    assert.equal(a.available, false);
    assert.match(a.howToEnable!, /In postgresql\.conf set shared_preload_libraries = 'auto_explain,pg_stat_statements'/);
    assert.match(a.howToEnable!, /ALTER SYSTEM SET shared_preload_libraries = 'auto_explain,pg_stat_statements';/);
    assert.match(a.howToEnable!, /Restart PostgreSQL/);
    assert.match(a.howToEnable!, /in database "shop" run, as a superuser: CREATE EXTENSION pg_stat_statements;/);
  });
  it('loaded but not created: only the CREATE EXTENSION step', () => {
    const a = pgStatStatementsAdvice({ ...base, installed: false });
    assert.equal(a.available, false);
    assert.equal(
      a.howToEnable,
      'pg_stat_statements is not created in database "shop": in database "shop" run, as a superuser: CREATE EXTENSION pg_stat_statements;',
    );
  });
  it('cannot see other users: available, with the pg_read_all_stats grant', () => {
    const a = pgStatStatementsAdvice({ ...base, seesAllUsers: false, user: 'App User' });
    assert.equal(a.available, true);
    assert.match(a.howToEnable!, /GRANT pg_read_all_stats TO "App User";/);
  });
  it('not selectable: not available, with the grants', () => {
    const a = pgStatStatementsAdvice({ ...base, selectable: false, seesAllUsers: false });
    assert.equal(a.available, false);
    assert.match(a.howToEnable!, /GRANT pg_read_all_stats TO app;/);
  });
  it('versionFromNum', () => {
    assert.equal(versionFromNum(150020), '15.20');
    assert.equal(versionFromNum(180004), '18.4');
    assert.equal(versionFromNum(90624), '9.6.24');
  });
});

describe('readServerInfo on PostgreSQL 18 (pg_stat_statements preloaded)', () => {
  let pgs: TestPostgres;
  before(async () => {
    pgs = await startTestPostgres();
  });
  after(async () => {
    await pgs?.stop();
  });

  it('reports version, settings, extensions and a usable pg_stat_statements', async () => {
    const url = await pgs.createDatabase('sg_info');
    const s = await openDb(url);
    try {
      const info = await readServerInfo(s);
      assert.ok(info.versionNum >= 180000 && info.versionNum < 190000);
      assert.match(info.version, /^18\.\d+$/);
      assert.equal(info.database, 'sg_info');
      assert.equal(info.settings.sharedPreloadLibraries, 'pg_stat_statements');
      assert.equal(info.settings.workMemKb, 4096);
      assert.equal(info.settings.sharedBuffersKb, 128 * 1024);
      assert.equal(info.settings.maxConnections, 100);
      assert.equal(info.settings.randomPageCost, 4);
      assert.equal(info.settings.trackIoTiming, false);
      assert.match(info.extensions.pgStatStatements!, /^1\.1[0-9]$/);
      assert.deepEqual(info.pgStatStatements, { available: true, howToEnable: null });
      const [h] = await s.query<{ n: number }>(`SELECT count(*)::int AS n FROM pg_available_extensions WHERE name = 'hypopg'`);
      assert.equal(info.hypopgAvailable, h!.n > 0);
    } finally {
      await s.close();
    }
  });

  it('a database without the extension gets exactly the CREATE EXTENSION step', async () => {
    const admin = await pgs.client();
    await admin.query('CREATE DATABASE sg_noext');
    const s = await openDb(pgs.urlFor('sg_noext'));
    try {
      const info = await readServerInfo(s);
      assert.equal(info.extensions.pgStatStatements, null);
      assert.equal(info.pgStatStatements.available, false);
      assert.equal(
        info.pgStatStatements.howToEnable,
        'pg_stat_statements is not created in database "sg_noext": in database "sg_noext" run, as a superuser: CREATE EXTENSION ' +
          'pg_stat_statements;',
      );
    } finally {
      await s.close();
    }
  });

  it('a role without pg_read_all_stats is told to get it', async () => {
    const admin = await pgs.client();
    await admin.query(`CREATE ROLE sg_reader LOGIN PASSWORD 'Reader-Pass-1'`);
    const s = await openDb(`postgres://sg_reader:Reader-Pass-1@127.0.0.1:${pgs.port}/sg_info`);
    try {
      const info = await readServerInfo(s);
      assert.equal(info.pgStatStatements.available, true);
      assert.match(info.pgStatStatements.howToEnable!, /GRANT pg_read_all_stats TO sg_reader;/);
    } finally {
      await s.close();
    }
  });
});

describe('readServerInfo on the system PostgreSQL 15 (pg_stat_statements NOT preloaded)', async () => {
  const db = await systemDatabase('serverinfo');
  const skip = 'reason' in db ? db.reason : false;
  after(async () => {
    if (!('reason' in db)) await db.drop();
  });

  it('tells how to load and create it, then that only the restart is missing', { skip }, async () => {
    const d = db as SystemDb;
    const s = await openDb(d.url);
    try {
      const info = await readServerInfo(s);
      assert.equal(info.versionNum, d.versionNum);
      assert.equal(info.pgStatStatements.available, false);
      const how = info.pgStatStatements.howToEnable!;
      assert.match(how, /^pg_stat_statements is not loaded by the server\./);
      assert.match(how, /In postgresql\.conf set shared_preload_libraries = '(.+,)?pg_stat_statements'/);
      assert.match(how, /ALTER SYSTEM SET shared_preload_libraries = '(.+,)?pg_stat_statements';/);
      assert.match(how, /2\) Restart PostgreSQL/);
      assert.ok(how.includes(`3) Then in database "${d.name}" run, as a superuser: CREATE EXTENSION pg_stat_statements;`), how);
      const [h] = await s.query<{ n: number }>(`SELECT count(*)::int AS n FROM pg_available_extensions WHERE name = 'hypopg'`);
      assert.equal(info.hypopgAvailable, h!.n > 0);

      const c = await d.client();
      await c.query('CREATE EXTENSION pg_stat_statements');
      const info2 = await readServerInfo(s);
      assert.match(info2.extensions.pgStatStatements!, /^1\.\d+$/);
      assert.equal(info2.pgStatStatements.available, false);
      assert.match(info2.pgStatStatements.howToEnable!, /3\) The extension already exists in database/);
    } finally {
      await s.close();
    }
  });
});
