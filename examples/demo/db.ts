// The demo shop's database (PostgreSQL, through `pg`): schema, a deterministic seed, and a thin layer
// of named prepared statements that count every query they run (GET /debug/stats exposes the counts,
// so the N+1 pattern in handlers/customers.ts is measurable from outside, as pg_stat_statements
// measures it from inside).
//
// Indexes are the ones a reasonable team would have — with ONE deliberate omission:
// order_items.order_id has no index (DELIBERATE BOTTLENECK #3, with the N+1 in loadOrdersWithItems).
// PostgreSQL does not index a foreign key's referencing column by itself, so this is a real-world
// omission, not a contrived one.
import pg from 'pg';
import {
  ADJECTIVES,
  BRANDS,
  CATEGORIES,
  CITIES,
  COLOURS,
  FIRST_NAMES,
  LAST_NAMES,
  MATERIALS,
  ORDER_STATUSES,
  QUALITIES,
  TAGS,
  TIERS,
} from './seed-words.ts';

export interface SeedSize {
  products: number;
  customers: number;
  orders: number;
}

export const DEFAULT_SEED: SeedSize = { products: 2000, customers: 500, orders: 20_000 };
export const DEFAULT_SEED_NUMBER = 20250630;
/** The connection pool's size: what a typical service runs with. */
export const POOL_SIZE = 10;

export class DemoDatabaseError extends Error {
  override name = 'DemoDatabaseError';
}

const SCHEMA = `
CREATE TABLE categories (
  id integer PRIMARY KEY,
  name text NOT NULL,
  slug text NOT NULL UNIQUE
);
CREATE TABLE products (
  id integer PRIMARY KEY,
  sku text NOT NULL UNIQUE,
  name text NOT NULL,
  description text NOT NULL,
  category_id integer NOT NULL,
  brand text NOT NULL,
  colour text NOT NULL,
  price_cents integer NOT NULL,
  rating real NOT NULL,
  review_count integer NOT NULL,
  tags text NOT NULL,
  stock_status text NOT NULL,
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL
);
CREATE INDEX products_category ON products(category_id);
CREATE TABLE customers (
  id integer PRIMARY KEY,
  email text NOT NULL UNIQUE,
  name text NOT NULL,
  city text NOT NULL,
  country text NOT NULL,
  tier text NOT NULL,
  created_at timestamptz NOT NULL
);
CREATE TABLE orders (
  id integer PRIMARY KEY,
  customer_id integer NOT NULL,
  status text NOT NULL,
  currency text NOT NULL,
  subtotal_cents integer NOT NULL,
  shipping_cents integer NOT NULL,
  total_cents integer NOT NULL,
  created_at timestamptz NOT NULL
);
CREATE INDEX orders_customer_created ON orders(customer_id, created_at);
CREATE TABLE order_items (
  id integer PRIMARY KEY,
  order_id integer NOT NULL,  -- no index: deliberate (see README, bottleneck 3)
  product_id integer NOT NULL,
  quantity integer NOT NULL,
  unit_price_cents integer NOT NULL
);
`;

// Added after the bulk load: one validating join per key instead of a trigger per row (~4× faster).
// PostgreSQL indexes the referenced side (a primary key) only — never order_items.order_id.
const FOREIGN_KEYS = `
ALTER TABLE products ADD FOREIGN KEY (category_id) REFERENCES categories(id);
ALTER TABLE orders ADD FOREIGN KEY (customer_id) REFERENCES customers(id);
ALTER TABLE order_items ADD FOREIGN KEY (order_id) REFERENCES orders(id);
ALTER TABLE order_items ADD FOREIGN KEY (product_id) REFERENCES products(id);
`;

/** The tables the demo needs; a DATABASE_URL without them is not a demo shop database. */
export const DEMO_TABLES = ['categories', 'products', 'customers', 'orders', 'order_items'] as const;

/** Per-statement query counts and time, and the total count, since start. */
export interface QueryStats {
  total: number;
  byStatement: Record<string, number>;
  /** Wall-clock time per statement (ms), round trip included. */
  msByStatement: Record<string, number>;
}

/** A named prepared statement that counts its executions. */
export class CountedStatement {
  readonly name: string;
  readonly sql: string;
  readonly #pool: pg.Pool;
  readonly #stats: QueryStats;

  constructor(name: string, sql: string, pool: pg.Pool, stats: QueryStats) {
    this.name = name;
    this.sql = sql;
    this.#pool = pool;
    this.#stats = stats;
    stats.byStatement[name] ??= 0;
    stats.msByStatement[name] ??= 0;
  }

  async all<T>(...values: unknown[]): Promise<T[]> {
    this.#stats.total++;
    this.#stats.byStatement[this.name]!++;
    const t0 = performance.now();
    try {
      // `name`: prepared once per pooled connection, then executed — as an ORM would.
      const r = await this.#pool.query({ name: this.name, text: this.sql, values });
      return r.rows as T[];
    } finally {
      this.#stats.msByStatement[this.name]! += performance.now() - t0;
    }
  }

  async get<T>(...values: unknown[]): Promise<T | undefined> {
    return (await this.all<T>(...values))[0];
  }
}

export class DemoDatabase {
  readonly pool: pg.Pool;
  readonly stats: QueryStats = { total: 0, byStatement: {}, msByStatement: {} };
  readonly #statements = new Map<string, CountedStatement>();
  #closed = false;

  constructor(url: string) {
    // Idle connections are kept (idleTimeoutMillis 0): openDemoDatabase opens all of them up front, as a
    // service under steady traffic has them, so no measured request waits for a connection handshake.
    this.pool = new pg.Pool({ connectionString: url, max: POOL_SIZE, idleTimeoutMillis: 0, application_name: 'speedguard-demo-shop' });
    // An idle pooled connection the server closes (a restart, the cluster stopping) must not crash the
    // process: the pool drops it and opens a new one when needed.
    this.pool.on('error', (e) => {
      if (!this.#closed) process.stderr.write(`demo: database connection lost: ${e.message}\n`);
    });
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** Prepares (once) a named statement; later calls with the same name return it. */
  statement(name: string, sql: string): CountedStatement {
    let s = this.#statements.get(name);
    if (s === undefined) {
      s = new CountedStatement(name, sql, this.pool, this.stats);
      this.#statements.set(name, s);
    } else if (s.sql !== sql) {
      throw new DemoDatabaseError(`db: statement "${name}" is already prepared with different SQL`);
    }
    return s;
  }

  /** Every named statement prepared so far. */
  statements(): CountedStatement[] {
    return [...this.#statements.values()];
  }

  /**
   * The generic plan (the one a prepared statement runs with, whatever its parameters) of a statement,
   * one line per plan line, costs off: e.g. ["Seq Scan on order_items", "  Filter: (order_id = $1)"].
   * PREPARE + EXPLAIN EXECUTE under force_generic_plan works on PostgreSQL 12+ (EXPLAIN (GENERIC_PLAN)
   * only from 16), in a read-only transaction that is rolled back. Not counted in the query stats.
   */
  async explain(sql: string): Promise<string[]> {
    const params = Math.max(0, ...[...sql.matchAll(/\$(\d+)/g)].map((m) => Number(m[1])));
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN READ ONLY');
      await client.query('SET LOCAL plan_cache_mode = force_generic_plan');
      await client.query(`PREPARE demo_debug_explain AS ${sql}`);
      try {
        const args = params === 0 ? '' : `(${Array.from({ length: params }, () => 'NULL').join(', ')})`;
        const r = await client.query<{ 'QUERY PLAN': string }>(`EXPLAIN (COSTS OFF) EXECUTE demo_debug_explain${args}`);
        return r.rows.map((row) => row['QUERY PLAN']);
      } finally {
        await client.query('DEALLOCATE demo_debug_explain');
      }
    } finally {
      await client.query('ROLLBACK').catch(() => {});
      client.release();
    }
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.pool.end();
  }
}

/**
 * Connects to a seeded demo shop database (a pool of POOL_SIZE connections, all open). Fails at once, with the reason, when
 * the server does not answer or has no demo tables — not on the first request.
 */
export async function openDemoDatabase(url: string): Promise<DemoDatabase> {
  const db = new DemoDatabase(url);
  try {
    const r = await db.pool.query<{ missing: string[] }>(
      'SELECT array_agg(t) FILTER (WHERE to_regclass(t) IS NULL) AS missing FROM unnest($1::text[]) AS t',
      [DEMO_TABLES],
    );
    const missing = r.rows[0]?.missing ?? null;
    if (missing !== null && missing.length > 0) {
      throw new DemoDatabaseError(
        `DATABASE_URL: the database has no demo shop tables (${missing.join(', ')} missing); ` +
          'start examples/demo/server.ts without DATABASE_URL to get a private, seeded PostgreSQL',
      );
    }
    const clients = await Promise.all(Array.from({ length: POOL_SIZE }, () => db.pool.connect()));
    for (const c of clients) c.release();
  } catch (error) {
    await db.close();
    if (error instanceof DemoDatabaseError) throw error;
    throw new DemoDatabaseError(`DATABASE_URL: cannot use the database: ${(error as Error).message}`);
  }
  return db;
}

/** Small, fast, seedable PRNG (mulberry32): the same seed gives the same shop every start. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// A fixed "now" keeps the seed (and so every response and test) identical from run to run.
const SEED_NOW = Date.UTC(2025, 5, 30);
const DAY_MS = 86_400_000;

/** The seed's rows, column by column (the shape the bulk INSERT … SELECT FROM unnest(…) takes). */
export interface ShopData {
  categories: { id: number[]; name: string[]; slug: string[] };
  products: {
    id: number[];
    sku: string[];
    name: string[];
    description: string[];
    category_id: number[];
    brand: string[];
    colour: string[];
    price_cents: number[];
    rating: number[];
    review_count: number[];
    tags: string[];
    stock_status: string[];
    created_at: string[];
    updated_at: string[];
  };
  customers: { id: number[]; email: string[]; name: string[]; city: string[]; country: string[]; tier: string[]; created_at: string[] };
  orders: {
    id: number[];
    customer_id: number[];
    status: string[];
    currency: string[];
    subtotal_cents: number[];
    shipping_cents: number[];
    total_cents: number[];
    created_at: string[];
  };
  order_items: { id: number[]; order_id: number[]; product_id: number[]; quantity: number[]; unit_price_cents: number[] };
}

/** Generates the shop (a pure function of size and seed: ~30 ms for the default size). */
export function generateShop(size: SeedSize = DEFAULT_SEED, seed = DEFAULT_SEED_NUMBER): ShopData {
  const random = prng(seed);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)]!;
  const int = (lo: number, hi: number): number => lo + Math.floor(random() * (hi - lo + 1));
  const iso = (ms: number): string => new Date(ms).toISOString();
  const data: ShopData = {
    categories: { id: [], name: [], slug: [] },
    products: {
      id: [],
      sku: [],
      name: [],
      description: [],
      category_id: [],
      brand: [],
      colour: [],
      price_cents: [],
      rating: [],
      review_count: [],
      tags: [],
      stock_status: [],
      created_at: [],
      updated_at: [],
    },
    customers: { id: [], email: [], name: [], city: [], country: [], tier: [], created_at: [] },
    orders: { id: [], customer_id: [], status: [], currency: [], subtotal_cents: [], shipping_cents: [], total_cents: [], created_at: [] },
    order_items: { id: [], order_id: [], product_id: [], quantity: [], unit_price_cents: [] },
  };
  const push = <K extends keyof ShopData>(
    table: K,
    row: { [C in keyof ShopData[K]]: ShopData[K][C] extends Array<infer V> ? V : never },
  ) => {
    for (const [column, value] of Object.entries(row)) (data[table] as unknown as Record<string, unknown[]>)[column]!.push(value);
  };

  CATEGORIES.forEach((c, i) => push('categories', { id: i + 1, name: c.name, slug: c.name.toLowerCase() }));

  const prices: number[] = [0];
  for (let id = 1; id <= size.products; id++) {
    const categoryId = int(1, CATEGORIES.length);
    const category = CATEGORIES[categoryId - 1]!;
    const noun = pick(category.nouns);
    const brand = pick(BRANDS);
    const adjective = pick(ADJECTIVES);
    const material = pick(MATERIALS);
    const colour = pick(COLOURS);
    const q1 = pick(QUALITIES);
    const q2 = pick(QUALITIES);
    const name = `${brand} ${adjective} ${noun}`;
    const description =
      `The ${adjective.toLowerCase()} ${noun.toLowerCase()} from ${brand}, made of ${material} in ` +
      `${colour}. ${q1[0]!.toUpperCase()}${q1.slice(1)} and ${q2}, it suits ${category.name.toLowerCase()} ` +
      `enthusiasts who want something ${pick(QUALITIES)}.`;
    // Log-normal-ish prices between ~5 and ~600.
    const priceCents = Math.round(Math.exp(1.6 + random() * 4.8) * 100) + 99;
    prices.push(priceCents);
    const tags = [...new Set([pick(TAGS), pick(TAGS)])].join(',');
    const created = SEED_NOW - int(30, 1500) * DAY_MS;
    push('products', {
      id,
      sku: `SKU-${String(categoryId).padStart(2, '0')}-${String(id).padStart(5, '0')}`,
      name,
      description,
      category_id: categoryId,
      brand,
      colour,
      price_cents: priceCents,
      rating: Math.round((3 + random() * 2) * 10) / 10,
      review_count: int(0, 2400),
      tags,
      stock_status: random() < 0.9 ? 'in_stock' : 'backorder',
      created_at: iso(created),
      updated_at: iso(created + int(0, 25) * DAY_MS),
    });
  }

  for (let id = 1; id <= size.customers; id++) {
    const first = pick(FIRST_NAMES);
    const last = pick(LAST_NAMES);
    const [city, country] = pick(CITIES);
    push('customers', {
      id,
      email: `${first}.${last}.${id}@example.com`.toLowerCase(),
      name: `${first} ${last}`,
      city,
      country,
      tier: pick(TIERS),
      created_at: iso(SEED_NOW - int(60, 1800) * DAY_MS),
    });
  }

  let itemId = 0;
  for (let id = 1; id <= size.orders; id++) {
    const customerId = int(1, size.customers);
    const lines = 1 + Math.floor(random() * random() * 6); // 1..6, mostly 1–3
    let subtotal = 0;
    const items: Array<[number, number, number]> = [];
    for (let l = 0; l < lines; l++) {
      // Popular products sell more: a skew towards low ids.
      const productId = 1 + Math.floor(size.products * random() ** 1.7);
      const quantity = random() < 0.8 ? 1 : int(2, 4);
      items.push([productId, quantity, prices[productId] ?? 0]);
      subtotal += quantity * (prices[productId] ?? 0);
    }
    const shipping = subtotal > 5000 ? 0 : 499;
    push('orders', {
      id,
      customer_id: customerId,
      status: pick(ORDER_STATUSES),
      currency: 'EUR',
      subtotal_cents: subtotal,
      shipping_cents: shipping,
      total_cents: subtotal + shipping,
      created_at: iso(SEED_NOW - Math.floor(random() * 730 * DAY_MS)),
    });
    for (const [productId, quantity, price] of items) {
      push('order_items', { id: ++itemId, order_id: id, product_id: productId, quantity, unit_price_cents: price });
    }
  }
  return data;
}

/** Each column's PostgreSQL type, for the unnest($n::type[]) of the bulk load. */
const COLUMN_TYPES: Record<keyof ShopData, Record<string, string>> = {
  categories: { id: 'int', name: 'text', slug: 'text' },
  products: {
    id: 'int',
    sku: 'text',
    name: 'text',
    description: 'text',
    category_id: 'int',
    brand: 'text',
    colour: 'text',
    price_cents: 'int',
    rating: 'real',
    review_count: 'int',
    tags: 'text',
    stock_status: 'text',
    created_at: 'timestamptz',
    updated_at: 'timestamptz',
  },
  customers: { id: 'int', email: 'text', name: 'text', city: 'text', country: 'text', tier: 'text', created_at: 'timestamptz' },
  orders: {
    id: 'int',
    customer_id: 'int',
    status: 'text',
    currency: 'text',
    subtotal_cents: 'int',
    shipping_cents: 'int',
    total_cents: 'int',
    created_at: 'timestamptz',
  },
  order_items: { id: 'int', order_id: 'int', product_id: 'int', quantity: 'int', unit_price_cents: 'int' },
};

/**
 * Creates the schema and loads the shop into an empty database: one transaction, one
 * INSERT … SELECT FROM unnest(arrays) per table (a single round trip each: ~41,000 order items in
 * ~0.1 s), then ANALYZE so the planner knows the tables' sizes from the first query.
 */
export async function seedDemoDatabase(
  client: pg.ClientBase,
  o: { size?: SeedSize; seed?: number } = {},
): Promise<{ rows: Record<keyof ShopData, number> }> {
  const data = generateShop(o.size ?? DEFAULT_SEED, o.seed ?? DEFAULT_SEED_NUMBER);
  const rows = {} as Record<keyof ShopData, number>;
  await client.query('BEGIN');
  try {
    await client.query(SCHEMA);
    for (const table of Object.keys(COLUMN_TYPES) as Array<keyof ShopData>) {
      const types = COLUMN_TYPES[table];
      const columns = Object.keys(types);
      const unnest = columns.map((c, i) => `$${i + 1}::${types[c]}[]`).join(', ');
      const values = columns.map((c) => (data[table] as unknown as Record<string, unknown[]>)[c]!);
      const r = await client.query(`INSERT INTO ${table} (${columns.join(', ')}) SELECT * FROM unnest(${unnest})`, values);
      rows[table] = r.rowCount ?? 0;
    }
    await client.query(FOREIGN_KEYS);
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => {});
    throw error;
  }
  await client.query(`ANALYZE ${DEMO_TABLES.join(', ')}`);
  return { rows };
}
