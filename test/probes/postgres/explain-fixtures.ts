// Seeding and checks shared by the plan / index-advice tests (explain*.test.ts, index-advice*.test.ts).
import type pg from 'pg';
import type { DbSession } from '../../../src/probes/postgres/session.ts';

/**
 * A shop without the indexes its lookups need, and two perfectly correlated columns:
 * - customers 2 000 · orders 50 000 (customer_id, status, created_at; no index but the pkey)
 * - order_items 100 000 (order_id, sku; no index but the pkey)
 * - readings 100 000 with a = b (100 values each): `a = 7 AND b = 7` is estimated at 10 rows, returns 1 000.
 * - hits + a view whose column calls a function that INSERTs into hits (must never be executed).
 */
export async function seedPlanShop(c: pg.Client): Promise<void> {
  await c.query(`
    CREATE TABLE customers (id int PRIMARY KEY, name text NOT NULL);
    INSERT INTO customers SELECT g, 'customer ' || g FROM generate_series(1, 2000) g;
    CREATE TABLE orders (id int PRIMARY KEY, customer_id int NOT NULL, status text NOT NULL, created_at timestamptz NOT NULL,
      total numeric(10,2) NOT NULL);
    INSERT INTO orders
      SELECT g, g % 2000 + 1, (ARRAY['open','paid','shipped'])[g % 3 + 1], timestamptz '2025-01-01' + g * interval '1 minute', g % 500
      FROM generate_series(1, 50000) g;
    CREATE TABLE order_items (id int PRIMARY KEY, order_id int NOT NULL, sku text NOT NULL, qty int NOT NULL);
    INSERT INTO order_items SELECT g, g % 50000 + 1, 'sku-' || (g % 5000), 1 + g % 4 FROM generate_series(1, 100000) g;
    CREATE TABLE readings (id int NOT NULL, a int NOT NULL, b int NOT NULL);
    INSERT INTO readings SELECT g, g % 100, g % 100 FROM generate_series(1, 100000) g;
    CREATE TABLE hits (n int);
    CREATE FUNCTION bump() RETURNS int LANGUAGE sql VOLATILE AS 'INSERT INTO hits VALUES (1) RETURNING 1';
    CREATE VIEW customers_bumping AS SELECT id, name, bump() AS b FROM customers;
  `);
  await c.query('VACUUM ANALYZE');
}

export interface DbShape {
  indexes: string[];
  tables: string[];
  rows: Record<string, number>;
}

/** Indexes, tables and row counts of the public schema (for "nothing changed" checks). */
export async function dbShape(c: pg.Client): Promise<DbShape> {
  const indexes = (await c.query<{ d: string }>(`SELECT indexdef AS d FROM pg_indexes WHERE schemaname = 'public' ORDER BY 1`)).rows.map(
    (r) => r.d,
  );
  const tables = (await c.query<{ t: string }>(`SELECT tablename AS t FROM pg_tables WHERE schemaname = 'public' ORDER BY 1`)).rows.map(
    (r) => r.t,
  );
  const rows: Record<string, number> = {};
  for (const t of tables) rows[t] = Number((await c.query<{ n: string }>(`SELECT count(*) AS n FROM public.${t}`)).rows[0]!.n);
  return { indexes, tables, rows };
}

/** A session that remembers every statement sent through it. */
export function recording(s: DbSession): DbSession & { sent: string[] } {
  const sent: string[] = [];
  return {
    get readOnly() {
      return s.readOnly;
    },
    get versionNum() {
      return s.versionNum;
    },
    get safeUrl() {
      return s.safeUrl;
    },
    sent,
    query(sql, params) {
      sent.push(sql);
      return s.query(sql, params);
    },
    close: () => s.close(),
  } as DbSession & { sent: string[] };
}
