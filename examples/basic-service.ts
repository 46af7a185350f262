// A small, realistic loopback API used by `speedguard demo` (and `npm start`) until the full demo
// service exists: a product catalogue in memory, one slow endpoint and one CPU-heavy endpoint.
// Run alone: node examples/basic-service.ts [port]  — prints "listening <port>" when ready.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createHash } from 'node:crypto';

const products = Array.from({ length: 200 }, (_, i) => ({
  id: i + 1,
  name: `Product ${i + 1}`,
  price: Math.round((5 + ((i * 37) % 200)) * 100) / 100,
  stock: (i * 13) % 50,
}));

function json(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

/** Deliberately CPU-heavy: iterated hashing, as a stand-in for a costly computation. */
function priceQuote(id: number): string {
  let h = String(id);
  for (let i = 0; i < 2000; i++) h = createHash('sha256').update(h).digest('hex');
  return h.slice(0, 16);
}

export function handle(req: IncomingMessage, res: ServerResponse): void {
  const url = new URL(req.url ?? '/', 'http://localhost');
  const path = url.pathname;
  if (path === '/health') return json(res, 200, { status: 'ok' });
  if (path === '/api/products') {
    const limit = Math.min(Number(url.searchParams.get('limit') ?? 20), 200);
    return json(res, 200, { items: products.slice(0, limit), total: products.length });
  }
  const m = /^\/api\/products\/(\d+)(\/quote)?$/.exec(path);
  if (m) {
    const p = products[Number(m[1]) - 1];
    if (!p) return json(res, 404, { error: 'not found' });
    if (m[2]) return json(res, 200, { id: p.id, quote: priceQuote(p.id) });
    return json(res, 200, p);
  }
  if (path === '/api/slow') {
    setTimeout(() => json(res, 200, { ok: true }), 20);
    return;
  }
  json(res, 404, { error: 'not found' });
}

if (import.meta.main) {
  const server = createServer(handle);
  server.keepAliveTimeout = 60_000;
  server.listen(Number(process.argv[2] ?? 0), '127.0.0.1', () => {
    const addr = server.address();
    process.stdout.write(`listening ${typeof addr === 'object' && addr ? addr.port : ''}\n`);
  });
  process.on('SIGTERM', () => server.close(() => process.exit(0)));
}
