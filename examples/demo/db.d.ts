import pg from 'pg';
export interface SeedSize {
    products: number;
    customers: number;
    orders: number;
}
export declare const DEFAULT_SEED: SeedSize;
export declare const DEFAULT_SEED_NUMBER = 20250630;
/** The connection pool's size: what a typical service runs with. */
export declare const POOL_SIZE = 10;
export declare class DemoDatabaseError extends Error {
    name: string;
}
/** The tables the demo needs; a DATABASE_URL without them is not a demo shop database. */
export declare const DEMO_TABLES: readonly ['categories', 'products', 'customers', 'orders', 'order_items'];
/** Per-statement query counts and time, and the total count, since start. */
export interface QueryStats {
    total: number;
    byStatement: Record<string, number>;
    /** Wall-clock time per statement (ms), round trip included. */
    msByStatement: Record<string, number>;
}
/** A named prepared statement that counts its executions. */
export declare class CountedStatement {
    #private;
    readonly name: string;
    readonly sql: string;
    constructor(name: string, sql: string, pool: pg.Pool, stats: QueryStats);
    all<T>(...values: unknown[]): Promise<T[]>;
    get<T>(...values: unknown[]): Promise<T | undefined>;
}
export declare class DemoDatabase {
    #private;
    readonly pool: pg.Pool;
    readonly stats: QueryStats;
    constructor(url: string);
    get closed(): boolean;
    /** Prepares (once) a named statement; later calls with the same name return it. */
    statement(name: string, sql: string): CountedStatement;
    /** Every named statement prepared so far. */
    statements(): CountedStatement[];
    /**
     * The generic plan (the one a prepared statement runs with, whatever its parameters) of a statement,
     * one line per plan line, costs off: e.g. ["Seq Scan on order_items", "  Filter: (order_id = $1)"].
     * PREPARE + EXPLAIN EXECUTE under force_generic_plan works on PostgreSQL 12+ (EXPLAIN (GENERIC_PLAN)
     * only from 16), in a read-only transaction that is rolled back. Not counted in the query stats.
     */
    explain(sql: string): Promise<string[]>;
    close(): Promise<void>;
}
/**
 * Connects to a seeded demo shop database (a pool of POOL_SIZE connections, all open). Fails at once, with the reason, when
 * the server does not answer or has no demo tables — not on the first request.
 */
export declare function openDemoDatabase(url: string): Promise<DemoDatabase>;
/** Small, fast, seedable PRNG (mulberry32): the same seed gives the same shop every start. */
export declare function prng(seed: number): () => number;
/** The seed's rows, column by column (the shape the bulk INSERT … SELECT FROM unnest(…) takes). */
export interface ShopData {
    categories: {
        id: number[];
        name: string[];
        slug: string[];
    };
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
    customers: {
        id: number[];
        email: string[];
        name: string[];
        city: string[];
        country: string[];
        tier: string[];
        created_at: string[];
    };
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
    order_items: {
        id: number[];
        order_id: number[];
        product_id: number[];
        quantity: number[];
        unit_price_cents: number[];
    };
}
/** Generates the shop (a pure function of size and seed: ~30 ms for the default size). */
export declare function generateShop(size?: SeedSize, seed?: number): ShopData;
/**
 * Creates the schema and loads the shop into an empty database: one transaction, one
 * INSERT … SELECT FROM unnest(arrays) per table (a single round trip each: ~41,000 order items in
 * ~0.1 s), then ANALYZE so the planner knows the tables' sizes from the first query.
 */
export declare function seedDemoDatabase(client: pg.ClientBase, o?: {
    size?: SeedSize;
    seed?: number;
}): Promise<{
    rows: Record<keyof ShopData, number>;
}>;
