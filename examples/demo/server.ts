// The bundled demo shop for `speedguard demo`: a small HTTP API (products, customers, orders,
// inventory) on PostgreSQL, with four REAL, deliberate bottlenecks — see README.md (the answer key a
// correct assessment is held to).
//
//   [DATABASE_URL=postgres://…] node examples/demo/server.ts [--port N]
// With DATABASE_URL, it uses that (already seeded) database, as `speedguard demo` runs it; without,
// it starts its own private, seeded PostgreSQL (postgres.ts) and stops it at the end.
// Prints exactly one line, "listening <port>", on stdout when ready (127.0.0.1 only; port 0 = any
// free port). SIGTERM/SIGINT: stop accepting, finish in-flight requests (≤ 2 s), stop the
// downstream, close the pool, stop its own PostgreSQL, exit 0.
import { realpathSync } from 'node:fs';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { portFromArgs } from './args.ts';
import { openDemoDatabase, type DemoDatabase } from './db.ts';
import { startDemoPostgres, type DemoPostgres } from './postgres.ts';
import { makeCustomerHandlers } from './handlers/customers.ts';
import { makeDebugHandlers, type DemoDatabaseInfo } from './handlers/debug.ts';
import { makeHealthHandler } from './handlers/health.ts';
import { InventoryClient, makeInventoryHandler } from './handlers/inventory.ts';
import { makeProductHandlers } from './handlers/products.ts';
import { loadCatalogue, makeRecommendationsHandler } from './handlers/recommendations.ts';
import { HttpError, sendError } from './http.ts';
import { DemoStats } from './stats.ts';

type Handler = (req: IncomingMessage, res: ServerResponse, params: string[], query: URLSearchParams) => void | Promise<void>;

interface Route {
  /** "GET /api/products/:id" — the route's name in /debug/stats. */
  name: string;
  pattern: RegExp;
  handler: Handler;
}

// .js in the published build (dist/examples/demo), .ts here.
const DOWNSTREAM = fileURLToPath(new URL(`./downstream.${import.meta.url.endsWith('.js') ? 'js' : 'ts'}`, import.meta.url));
const SHUTDOWN_GRACE_MS = 2_000;

export interface DemoServer {
  port: number;
  downstreamPort: number;
  server: Server;
  db: DemoDatabase;
  /** The PostgreSQL this server started (null when it was given DATABASE_URL). */
  postgres: DemoPostgres | null;
  close(): Promise<void>;
}

async function buildRoutes(
  db: DemoDatabase,
  stats: DemoStats,
  inventory: InventoryClient,
  downstreamPid: number | null,
  postgres: DemoPostgres | null,
  database: DemoDatabaseInfo,
): Promise<Route[]> {
  const products = makeProductHandlers(db);
  const customers = makeCustomerHandlers(db, stats);
  const debug = makeDebugHandlers(
    db,
    stats,
    inventory,
    { server: process.pid, downstream: downstreamPid, postgres: postgres?.pid ?? null },
    database,
  );
  const route = (name: string, handler: Handler): Route => ({
    name,
    pattern: new RegExp(`^${name.slice(4).replace(/:[a-zA-Z]+/g, '([^/]+)')}$`),
    handler,
  });
  return [
    route('GET /health', makeHealthHandler(db)),
    route('GET /api/products', products.listProducts),
    route('GET /api/products/:id', products.getProduct),
    route('GET /api/products/:id/recommendations', makeRecommendationsHandler(await loadCatalogue(db), stats)),
    route('GET /api/customers/:id', customers.getCustomer),
    route('GET /api/customers/:id/orders', customers.listCustomerOrders),
    route('GET /api/inventory/:id', makeInventoryHandler(db, inventory)),
    route('GET /debug/stats', debug.debugStats),
    route('GET /debug/query-plans', debug.queryPlans),
  ];
}

function dispatch(routes: Route[], stats: DemoStats) {
  return (req: IncomingMessage, res: ServerResponse): void => {
    const fail = (error: unknown) => {
      if (res.headersSent) return void res.destroy();
      if (error instanceof HttpError) return sendError(req, res, error.status, error.message);
      process.stderr.write(`demo: ${req.method} ${req.url}: ${(error as Error).stack ?? String(error)}\n`);
      sendError(req, res, 500, 'internal error');
    };
    let url: URL;
    let path: string;
    let match: { route: Route; params: string[] } | null = null;
    try {
      url = new URL(req.url ?? '/', 'http://127.0.0.1');
      path = url.pathname.length > 1 ? url.pathname.replace(/\/+$/, '') : url.pathname;
      for (const route of routes) {
        const m = route.pattern.exec(path);
        if (m !== null) {
          match = { route, params: m.slice(1).map(decodeURIComponent) };
          break;
        }
      }
    } catch {
      return fail(new HttpError(400, 'malformed request path'));
    }
    if (match === null) return fail(new HttpError(404, `no route for ${path}`));
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('allow', 'GET, HEAD');
      return fail(new HttpError(405, `${req.method} is not allowed on ${path}`));
    }
    stats.countRequest(match.route.name);
    try {
      const done = match.route.handler(req, res, match.params, url.searchParams);
      if (done instanceof Promise) done.catch(fail);
    } catch (error) {
      fail(error);
    }
  };
}

async function startDownstreamChild(): Promise<{ child: ChildProcess; port: number }> {
  // Its own process, as a real downstream would be: its timers never wait behind our CPU work.
  const child = spawn(process.execPath, [...process.execArgv, DOWNSTREAM], { stdio: ['ignore', 'pipe', 'inherit', 'ipc'] });
  const port = await new Promise<number>((resolve, reject) => {
    let buf = '';
    child.stdout!.on('data', (d: Buffer) => {
      buf += d.toString();
      const m = /listening (\d+)/.exec(buf);
      if (m) resolve(Number(m[1]));
    });
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`demo: the downstream service exited early (code ${code})`)));
  });
  child.stdout!.resume();
  return { child, port };
}

/** The URL without its password: what /debug/stats may show. */
function withoutPassword(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '(unparseable DATABASE_URL)';
  }
}

export async function startDemoServer(options: { port?: number; databaseUrl?: string } = {}): Promise<DemoServer> {
  // The downstream and (without a database URL) a private PostgreSQL start at the same time.
  const downstream = startDownstreamChild();
  downstream.catch(() => {}); // awaited below; a rejection while the database starts is not unhandled
  let postgres: DemoPostgres | null = null;
  let db: DemoDatabase | null = null;
  let ds: { child: ChildProcess; port: number } | null = null;
  let server: Server | null = null;
  const stats = new DemoStats();
  let inventory: InventoryClient | null = null;
  const teardown = async () => {
    inventory?.close();
    if (ds && ds.child.exitCode === null && ds.child.signalCode === null) {
      const exited = once(ds.child, 'exit');
      ds.child.kill('SIGTERM');
      await exited;
    }
    await db?.close();
    await postgres?.stop();
  };
  let handle: (req: IncomingMessage, res: ServerResponse) => void;
  try {
    const url = options.databaseUrl ?? (postgres = await startDemoPostgres()).url;
    db = await openDemoDatabase(url);
    ds = await downstream;
    inventory = new InventoryClient(ds.port);
    const database: DemoDatabaseInfo = { url: withoutPassword(url), owned: postgres !== null, dataDir: postgres?.dataDir ?? null };
    handle = dispatch(await buildRoutes(db, stats, inventory, ds.child.pid ?? null, postgres, database), stats);
  } catch (error) {
    ds ??= await downstream.catch(() => null);
    await teardown();
    throw error;
  }
  // Responses in progress, so that shutdown can ask their keep-alive connections to close after them.
  const inFlight = new Set<ServerResponse>();
  let closing: Promise<void> | null = null;
  server = createServer((req, res) => {
    if (closing !== null) res.setHeader('connection', 'close');
    inFlight.add(res);
    res.once('close', () => inFlight.delete(res));
    handle(req, res);
  });
  // Longer than a load generator's idle gaps, so idle keep-alive connections are not closed under it.
  server.keepAliveTimeout = 65_000;
  try {
    await new Promise<void>((resolve, reject) => {
      server!.once('error', reject);
      server!.listen(options.port ?? 0, '127.0.0.1', resolve);
    });
  } catch (error) {
    await teardown();
    throw error;
  }
  const close = () =>
    (closing ??= (async () => {
      const closed = new Promise<void>((resolve) => server!.close(() => resolve()));
      for (const res of inFlight) if (!res.headersSent) res.setHeader('connection', 'close');
      server!.closeIdleConnections();
      const grace = setTimeout(() => server!.closeAllConnections(), SHUTDOWN_GRACE_MS);
      await closed;
      clearTimeout(grace);
      await teardown();
    })());
  return { port: (server.address() as AddressInfo).port, downstreamPort: ds.port, server, db, postgres, close };
}

// Run directly (not imported)? import.meta.main would say so, but only from Node 24.2.
if (process.argv[1] !== undefined && realpathSync(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const databaseUrl = process.env.DATABASE_URL || undefined;
  const demo = await startDemoServer({ port: portFromArgs(process.argv.slice(2), 'demo'), ...(databaseUrl ? { databaseUrl } : {}) }).catch(
    (error: unknown) => {
      process.stderr.write(`demo: cannot start: ${(error as Error).message}\n`);
      process.exit(1);
    },
  );
  process.stdout.write(`listening ${demo.port}\n`);
  const stop = () =>
    void demo.close().then(
      () => process.exit(0),
      (error: unknown) => {
        process.stderr.write(`demo: shutdown failed: ${(error as Error).message}\n`);
        process.exit(1);
      },
    );
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}
