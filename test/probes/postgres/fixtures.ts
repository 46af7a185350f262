// Shared seeding for the PostgreSQL collector tests: a small shop schema, and a throw-away
// database on the machine's PostgreSQL 15 (created with a unique name, dropped afterwards).
import pg from 'pg';
import { systemPostgres } from '../../helpers/postgres.ts';

/** items: 2 000 rows, primary key on id, no index on k (so `WHERE k = …` is a seq scan). */
export async function seedShop(c: pg.Client): Promise<void> {
  await c.query(`CREATE TABLE items (id int PRIMARY KEY, k int NOT NULL, v text NOT NULL)`);
  await c.query(`INSERT INTO items SELECT g, g % 50, 'value ' || g FROM generate_series(1, 2000) g`);
  // Publish the insert counts before ANALYZE sets n_live_tup, or they would be added on top later.
  await c.query(`SELECT pg_stat_force_next_flush()`);
  await c.query(`SELECT 1`);
  await c.query(`ANALYZE items`);
}

export interface SystemDb {
  url: string;
  versionNum: number;
  name: string;
  /** A client connected to the new database (closed by drop()). */
  client(): Promise<pg.Client>;
  drop(): Promise<void>;
}

/** A fresh database on the system PostgreSQL, or the reason there is none (skip the test with it). */
export async function systemDatabase(purpose: string): Promise<SystemDb | { reason: string }> {
  const sys = await systemPostgres();
  if (sys.url === null) return { reason: sys.reason };
  const name = `sg_test_${purpose}_${process.pid}`;
  const admin = new pg.Client({ connectionString: sys.url });
  await admin.connect();
  try {
    await admin.query(`DROP DATABASE IF EXISTS ${name}`);
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const url = sys.url.replace(/\/postgres$/, `/${name}`);
  const clients: pg.Client[] = [];
  return {
    url,
    versionNum: sys.versionNum,
    name,
    async client() {
      const c = new pg.Client({ connectionString: url });
      await c.connect();
      clients.push(c);
      return c;
    },
    async drop() {
      await Promise.allSettled(clients.map((c) => c.end()));
      const a = new pg.Client({ connectionString: sys.url });
      await a.connect();
      try {
        await a.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await a.end();
      }
    },
  };
}
