// GET /api/products (the catalogue) and GET /api/products/:id.
//
// DELIBERATE BOTTLENECK #2 (HTTP caching and compression): listProducts serves the catalogue — up to
// 500 products, ~100–250 KB of JSON that changes only when the catalogue does — with no
// Cache-Control, no ETag/Last-Modified and no compression, even to clients sending
// Accept-Encoding: gzip. Every other endpoint goes through sendJson (caching headers, validators,
// gzip/br over 1 KB); this one writes its body by hand. The fix is to use sendJson with e.g.
// "public, max-age=300" (the JSON compresses ~8:1).
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { DemoDatabase } from '../db.ts';
import { HttpError, parseId, parseLimit, sendJson } from '../http.ts';

interface ProductRow {
  id: number;
  sku: string;
  name: string;
  description: string;
  category: string;
  brand: string;
  colour: string;
  price_cents: number;
  rating: number;
  review_count: number;
  tags: string;
  stock_status: string;
  created_at: Date;
  updated_at: Date;
}

const PRODUCT_COLUMNS = `p.id, p.sku, p.name, p.description, c.slug AS category, p.brand, p.colour, p.price_cents, p.rating,
  p.review_count, p.tags, p.stock_status, p.created_at, p.updated_at`;

function toApi(p: ProductRow) {
  return {
    id: p.id,
    sku: p.sku,
    name: p.name,
    description: p.description,
    category: p.category,
    brand: p.brand,
    colour: p.colour,
    price: { amount_cents: p.price_cents, currency: 'EUR' },
    rating: p.rating,
    review_count: p.review_count,
    tags: p.tags.split(','),
    stock_status: p.stock_status,
    created_at: p.created_at,
    updated_at: p.updated_at,
  };
}

export function makeProductHandlers(db: DemoDatabase) {
  const page = db.statement(
    'productsPage',
    `SELECT ${PRODUCT_COLUMNS} FROM products p
    JOIN categories c ON c.id = p.category_id ORDER BY p.id LIMIT $1 OFFSET $2`,
  );
  const pageInCategory = db.statement(
    'productsPageInCategory',
    `SELECT ${PRODUCT_COLUMNS} FROM products p
    JOIN categories c ON c.id = p.category_id WHERE c.slug = $1 ORDER BY p.id LIMIT $2 OFFSET $3`,
  );
  const count = db.statement('productsCount', 'SELECT count(*)::int AS n FROM products');
  const countInCategory = db.statement(
    'productsCountInCategory',
    'SELECT count(*)::int AS n FROM products p JOIN categories c ON c.id = p.category_id WHERE c.slug = $1',
  );
  const byId = db.statement(
    'productById',
    `SELECT ${PRODUCT_COLUMNS} FROM products p
    JOIN categories c ON c.id = p.category_id WHERE p.id = $1`,
  );

  /** GET /api/products?limit=&offset=&category= — DELIBERATELY uncached and uncompressed (README #2). */
  async function listProducts(_req: IncomingMessage, res: ServerResponse, _params: string[], query: URLSearchParams): Promise<void> {
    const limit = parseLimit(query.get('limit'), 50, 500);
    const offset = query.get('offset') === null ? 0 : parseLimit(query.get('offset'), 0, 1_000_000, 'offset');
    const category = query.get('category');
    const rows = await (category === null ? page.all<ProductRow>(limit, offset) : pageInCategory.all<ProductRow>(category, limit, offset));
    const total = (await (category === null ? count.get<{ n: number }>() : countInCategory.get<{ n: number }>(category)))!.n;
    const body = Buffer.from(JSON.stringify({ items: rows.map(toApi), total, limit, offset }));
    // No Cache-Control, no validator, no Content-Encoding — whatever the request's Accept-Encoding says.
    res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-length': body.length });
    res.end(body);
  }

  /** GET /api/products/:id */
  async function getProduct(req: IncomingMessage, res: ServerResponse, params: string[]): Promise<void> {
    const id = parseId(params[0], 'product');
    const row = await byId.get<ProductRow>(id);
    if (row === undefined) throw new HttpError(404, `product ${id} not found`);
    sendJson(req, res, 200, toApi(row), { cacheControl: 'public, max-age=300' });
  }

  return { listProducts, getProduct };
}
