// GET /api/customers/:id (healthy: indexed queries, an in-process cache, HTTP caching) and
// GET /api/customers/:id/orders.
//
// DELIBERATE BOTTLENECK #3 (N+1 queries over an unindexed column): loadOrdersWithItems loads a page
// of the customer's orders (one indexed query), then runs ONE MORE QUERY PER ORDER for its items, one
// after another — `WHERE order_id = $1` on order_items, which has no index on order_id, so each of
// those queries is a sequential scan of ~41,000 rows (EXPLAIN: "Seq Scan on order_items", "Rows
// Removed by Filter" ≈ all of them). A page of 10 orders is 12 statements and 10 round trips that
// each wait for a full-table scan. The fix: `CREATE INDEX order_items_order ON order_items(order_id)`
// and one query for all the page's items (`WHERE order_id = ANY($1)`), as the product lookup below
// already does.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { DemoDatabase } from '../db.ts';
import { HttpError, parseId, parseLimit, sendJson } from '../http.ts';
import type { DemoStats } from '../stats.ts';

interface OrderRow {
  id: number;
  status: string;
  currency: string;
  subtotal_cents: number;
  shipping_cents: number;
  total_cents: number;
  created_at: Date;
}

interface ItemRow {
  product_id: number;
  quantity: number;
  unit_price_cents: number;
}

export interface OrderWithItems extends OrderRow {
  items: Array<ItemRow & { sku: string; name: string }>;
}

/** The SQL of the per-order item query (exported for the EXPLAIN checks of the tests). */
export const ITEMS_BY_ORDER_SQL = 'SELECT product_id, quantity, unit_price_cents FROM order_items WHERE order_id = $1';

/** A customer's most recent orders with their items: 1 + N + 1 queries (README, bottleneck 3). */
export async function loadOrdersWithItems(db: DemoDatabase, customerId: number, limit: number): Promise<OrderWithItems[]> {
  const orders = await db
    .statement(
      'ordersByCustomer',
      `SELECT id, status, currency, subtotal_cents, shipping_cents,
    total_cents, created_at FROM orders WHERE customer_id = $1 ORDER BY created_at DESC LIMIT $2`,
    )
    .all<OrderRow>(customerId, limit);
  const itemsByOrder = db.statement('itemsByOrder', ITEMS_BY_ORDER_SQL);
  // N+1: one query per order, awaited in turn (the loop an ORM's lazy relation runs), each a full
  // scan of order_items.
  const withItems: Array<OrderRow & { items: ItemRow[] }> = [];
  for (const order of orders) withItems.push({ ...order, items: await itemsByOrder.all<ItemRow>(order.id) });
  // The product names in one query for the whole page (the pattern the items query should follow).
  const productIds = [...new Set(withItems.flatMap((o) => o.items.map((i) => i.product_id)))];
  const products = await db
    .statement('productNamesByIds', 'SELECT id, sku, name FROM products WHERE id = ANY($1::int[])')
    .all<{ id: number; sku: string; name: string }>(productIds);
  const names = new Map(products.map((p) => [p.id, p]));
  return withItems.map((o) => ({
    ...o,
    items: o.items.map((i) => ({ ...i, sku: names.get(i.product_id)?.sku ?? '', name: names.get(i.product_id)?.name ?? '' })),
  }));
}

interface CustomerSummary {
  id: number;
  name: string;
  email: string;
  city: string;
  country: string;
  tier: string;
  created_at: Date;
  order_count: number;
  lifetime_value_cents: number;
  last_order_at: Date | null;
}

const CUSTOMER_CACHE_TTL_MS = 60_000;
const CUSTOMER_CACHE_MAX = 1000;

export function makeCustomerHandlers(db: DemoDatabase, stats: DemoStats) {
  const summary = db.statement(
    'customerSummary',
    `SELECT c.id, c.name, c.email, c.city, c.country, c.tier, c.created_at,
      count(o.id)::int AS order_count, coalesce(sum(o.total_cents), 0)::int AS lifetime_value_cents,
      max(o.created_at) AS last_order_at
    FROM customers c LEFT JOIN orders o ON o.customer_id = c.id WHERE c.id = $1 GROUP BY c.id`,
  );
  // Customer summaries change rarely: cached in process for a minute (bounded; oldest evicted first).
  const cache = new Map<number, { value: CustomerSummary; expires: number }>();

  async function customerSummary(id: number): Promise<CustomerSummary | undefined> {
    const hit = cache.get(id);
    if (hit !== undefined && hit.expires > Date.now()) return hit.value;
    const value = await summary.get<CustomerSummary>(id);
    if (value === undefined) return undefined;
    if (cache.size >= CUSTOMER_CACHE_MAX) cache.delete(cache.keys().next().value!);
    cache.set(id, { value: { ...value }, expires: Date.now() + CUSTOMER_CACHE_TTL_MS });
    return value;
  }

  /** GET /api/customers/:id */
  async function getCustomer(req: IncomingMessage, res: ServerResponse, params: string[]): Promise<void> {
    const id = parseId(params[0], 'customer');
    const customer = await customerSummary(id);
    if (customer === undefined) throw new HttpError(404, `customer ${id} not found`);
    sendJson(req, res, 200, customer, { cacheControl: 'private, max-age=60' });
  }

  /** GET /api/customers/:id/orders?limit= */
  async function listCustomerOrders(req: IncomingMessage, res: ServerResponse, params: string[], query: URLSearchParams): Promise<void> {
    const id = parseId(params[0], 'customer');
    const limit = parseLimit(query.get('limit'), 10, 100);
    if ((await customerSummary(id)) === undefined) throw new HttpError(404, `customer ${id} not found`);
    const orders = await stats.measureAsync('loadOrdersWithItems', () => loadOrdersWithItems(db, id, limit));
    sendJson(req, res, 200, { customerId: id, orders }, { cacheControl: 'private, max-age=30' });
  }

  return { getCustomer, listCustomerOrders };
}
