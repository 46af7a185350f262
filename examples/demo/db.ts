// The demo shop's embedded database (node:sqlite): schema, a deterministic seed, and a thin layer of
// named, prepared statements that count every query they run (GET /debug/stats exposes the counts,
// so the N+1 pattern in handlers/customers.ts is measurable, not just visible in the code).
//
// Indexes are the ones a reasonable team would have — with ONE deliberate omission:
// order_items.order_id has no index (DELIBERATE BOTTLENECK #3, with the N+1 in loadOrdersWithItems).
import { DatabaseSync, type SQLInputValue, type StatementSync } from 'node:sqlite';
import {
  ADJECTIVES, BRANDS, CATEGORIES, CITIES, COLOURS, FIRST_NAMES, LAST_NAMES, MATERIALS, ORDER_STATUSES, QUALITIES,
  TAGS, TIERS,
} from './seed-words.ts';

export interface SeedSize {
  products: number;
  customers: number;
  orders: number;
}

export const DEFAULT_SEED: SeedSize = { products: 2000, customers: 500, orders: 20_000 };

const SCHEMA = `
CREATE TABLE categories (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL,
  slug TEXT NOT NULL UNIQUE
);
CREATE TABLE products (
  id INTEGER PRIMARY KEY,
  sku TEXT NOT NULL UNIQUE,
  name TEXT NOT NULL,
  description TEXT NOT NULL,
  category_id INTEGER NOT NULL REFERENCES categories(id),
  brand TEXT NOT NULL,
  colour TEXT NOT NULL,
  price_cents INTEGER NOT NULL,
  rating REAL NOT NULL,
  review_count INTEGER NOT NULL,
  tags TEXT NOT NULL,
  stock_status TEXT NOT NULL,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
);
CREATE INDEX products_category ON products(category_id);
CREATE TABLE customers (
  id INTEGER PRIMARY KEY,
  email TEXT NOT NULL UNIQUE,
  name TEXT NOT NULL,
  city TEXT NOT NULL,
  country TEXT NOT NULL,
  tier TEXT NOT NULL,
  created_at TEXT NOT NULL
);
CREATE TABLE orders (
  id INTEGER PRIMARY KEY,
  customer_id INTEGER NOT NULL REFERENCES customers(id),
  status TEXT NOT NULL,
  currency TEXT NOT NULL,
  subtotal_cents INTEGER NOT NULL,
  shipping_cents INTEGER NOT NULL,
  total_cents INTEGER NOT NULL,
  created_at TEXT NOT NULL
);
CREATE INDEX orders_customer_created ON orders(customer_id, created_at);
CREATE TABLE order_items (
  id INTEGER PRIMARY KEY,
  order_id INTEGER NOT NULL REFERENCES orders(id),  -- no index: deliberate (see README, bottleneck 3)
  product_id INTEGER NOT NULL REFERENCES products(id),
  quantity INTEGER NOT NULL,
  unit_price_cents INTEGER NOT NULL
);
`;

/** Per-statement query counts, and the total, since start (or the last reset). */
export interface QueryStats {
  total: number;
  byStatement: Record<string, number>;
}

/** A prepared statement that counts its executions under a name. */
export class CountedStatement {
  readonly name: string;
  readonly sql: string;
  readonly #stmt: StatementSync;
  readonly #stats: QueryStats;

  constructor(name: string, sql: string, stmt: StatementSync, stats: QueryStats) {
    this.name = name;
    this.sql = sql;
    this.#stmt = stmt;
    this.#stats = stats;
    stats.byStatement[name] ??= 0;
  }

  #count(): void {
    this.#stats.total++;
    this.#stats.byStatement[this.name]!++;
  }

  all<T>(...params: SQLInputValue[]): T[] {
    this.#count();
    return this.#stmt.all(...params) as T[];
  }

  get<T>(...params: SQLInputValue[]): T | undefined {
    this.#count();
    return this.#stmt.get(...params) as T | undefined;
  }

  run(...params: SQLInputValue[]): void {
    this.#count();
    this.#stmt.run(...params);
  }
}

export class DemoDatabase {
  readonly sqlite: DatabaseSync;
  readonly stats: QueryStats = { total: 0, byStatement: {} };
  readonly #statements = new Map<string, CountedStatement>();

  constructor(path = ':memory:') {
    this.sqlite = new DatabaseSync(path);
  }

  /** Prepares (once) a named statement; later calls with the same name return it. */
  statement(name: string, sql: string): CountedStatement {
    let s = this.#statements.get(name);
    if (s === undefined) {
      s = new CountedStatement(name, sql, this.sqlite.prepare(sql), this.stats);
      this.#statements.set(name, s);
    } else if (s.sql !== sql) {
      throw new Error(`db: statement "${name}" is already prepared with different SQL`);
    }
    return s;
  }

  /** Every named statement prepared so far. */
  statements(): CountedStatement[] {
    return [...this.#statements.values()];
  }

  /** SQLite's EXPLAIN QUERY PLAN for a statement: one line per plan step, e.g. "SCAN order_items". */
  explain(sql: string): string[] {
    const rows = this.sqlite.prepare(`EXPLAIN QUERY PLAN ${sql}`).all() as Array<{ detail: string }>;
    return rows.map((r) => r.detail);
  }

  close(): void {
    if (this.sqlite.isOpen) this.sqlite.close();
  }
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

/** Creates the schema and seeds it in one transaction with prepared statements (~0.1 s). */
export function openDemoDatabase(options: { path?: string; size?: SeedSize; seed?: number } = {}): DemoDatabase {
  const size = options.size ?? DEFAULT_SEED;
  const db = new DemoDatabase(options.path ?? ':memory:');
  db.sqlite.exec(SCHEMA);
  db.sqlite.exec('BEGIN');
  try {
    seed(db.sqlite, size, prng(options.seed ?? 20250630));
    db.sqlite.exec('COMMIT');
  } catch (error) {
    db.sqlite.exec('ROLLBACK');
    db.close();
    throw error;
  }
  db.sqlite.exec('ANALYZE');
  return db;
}

function seed(sqlite: DatabaseSync, size: SeedSize, random: () => number): void {
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)]!;
  const int = (lo: number, hi: number): number => lo + Math.floor(random() * (hi - lo + 1));
  const iso = (ms: number): string => new Date(ms).toISOString();

  const insertCategory = sqlite.prepare('INSERT INTO categories (id, name, slug) VALUES (?, ?, ?)');
  CATEGORIES.forEach((c, i) => insertCategory.run(i + 1, c.name, c.name.toLowerCase()));

  const insertProduct = sqlite.prepare(`INSERT INTO products (id, sku, name, description, category_id, brand, colour,
    price_cents, rating, review_count, tags, stock_status, created_at, updated_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)`);
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
    const description = `The ${adjective.toLowerCase()} ${noun.toLowerCase()} from ${brand}, made of ${material} in ` +
      `${colour}. ${q1[0]!.toUpperCase()}${q1.slice(1)} and ${q2}, it suits ${category.name.toLowerCase()} ` +
      `enthusiasts who want something ${pick(QUALITIES)}.`;
    // Log-normal-ish prices between ~5 and ~600.
    const priceCents = Math.round(Math.exp(1.6 + random() * 4.8) * 100) + 99;
    prices.push(priceCents);
    const tags = [...new Set([pick(TAGS), pick(TAGS)])].join(',');
    const created = SEED_NOW - int(30, 1500) * DAY_MS;
    insertProduct.run(id, `SKU-${String(categoryId).padStart(2, '0')}-${String(id).padStart(5, '0')}`, name,
      description, categoryId, brand, colour, priceCents, Math.round((3 + random() * 2) * 10) / 10, int(0, 2400), tags,
      random() < 0.9 ? 'in_stock' : 'backorder', iso(created), iso(created + int(0, 25) * DAY_MS));
  }

  const insertCustomer = sqlite.prepare(
    'INSERT INTO customers (id, email, name, city, country, tier, created_at) VALUES (?,?,?,?,?,?,?)');
  for (let id = 1; id <= size.customers; id++) {
    const first = pick(FIRST_NAMES);
    const last = pick(LAST_NAMES);
    const [city, country] = pick(CITIES);
    insertCustomer.run(id, `${first}.${last}.${id}@example.com`.toLowerCase(), `${first} ${last}`, city, country,
      pick(TIERS), iso(SEED_NOW - int(60, 1800) * DAY_MS));
  }

  const insertOrder = sqlite.prepare(`INSERT INTO orders (id, customer_id, status, currency, subtotal_cents,
    shipping_cents, total_cents, created_at) VALUES (?,?,?,?,?,?,?,?)`);
  const insertItem = sqlite.prepare(
    'INSERT INTO order_items (order_id, product_id, quantity, unit_price_cents) VALUES (?,?,?,?)');
  for (let id = 1; id <= size.orders; id++) {
    const customerId = int(1, size.customers);
    const lines = 1 + Math.floor(random() * random() * 6); // 1..6, mostly 1–3
    let subtotal = 0;
    const items: Array<[number, number, number]> = [];
    for (let l = 0; l < lines; l++) {
      // Popular products sell more: a skew towards low ids.
      const productId = 1 + Math.floor(size.products * random() ** 1.7);
      const quantity = random() < 0.8 ? 1 : int(2, 4);
      items.push([productId, quantity, prices[productId]!]);
      subtotal += quantity * prices[productId]!;
    }
    const shipping = subtotal > 5000 ? 0 : 499;
    insertOrder.run(id, customerId, pick(ORDER_STATUSES), 'EUR', subtotal, shipping, subtotal + shipping,
      iso(SEED_NOW - Math.floor(random() * 730 * DAY_MS)));
    for (const [productId, quantity, price] of items) insertItem.run(id, productId, quantity, price);
  }
}
