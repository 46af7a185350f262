// GET /api/inventory/:productId — live stock for a product, from the downstream inventory service.
//
// DELIBERATE BOTTLENECK #4 (slow downstream behind a small connection pool): every request calls the
// downstream (30–50 ms) through an http.Agent with maxSockets: 1. One call can be in flight at once;
// the rest wait in the agent's queue for a socket, so under concurrency latency grows by ~40 ms per
// queued request while the CPU stays idle — throughput is capped at ~1 / 43 ms ≈ 23 calls/s. The
// fix: a larger pool (maxSockets sized by Little's law: rate × downstream latency), and/or caching
// stock levels for a few seconds, and a deadline that covers the queueing, to fail fast.
import { Agent, request } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { DemoDatabase } from '../db.ts';
import { HttpError, parseId, sendJson } from '../http.ts';

// One socket (was 2 while the shop ran on SQLite): on PostgreSQL the N+1 costs the database ~35 ms of
// CPU per orders page, and with two sockets the pool's limit (~150 req/s of the plan) came so close
// to the whole machine's CPU limit on 2 cores that a busy machine saw "everything slows together".
export const INVENTORY_POOL_SIZE = 1;
const DOWNSTREAM_TIMEOUT_MS = 5_000;

/** Figures about the downstream calls (GET /debug/stats → downstream). */
export interface DownstreamStats {
  calls: number;
  failures: number;
  /** Calls abandoned because the client went away first (dropped from the queue if still in it). */
  cancelled: number;
  inFlight: number;
  maxInFlight: number;
  /** Calls waiting for a pool socket now, and the most ever seen waiting at once. */
  queued: number;
  maxQueued: number;
  /** Total time calls spent waiting for a socket (ms). */
  queueWaitMs: number;
  poolSize: number;
}

export class InventoryClient {
  readonly stats: DownstreamStats = {
    calls: 0,
    failures: 0,
    cancelled: 0,
    inFlight: 0,
    maxInFlight: 0,
    queued: 0,
    maxQueued: 0,
    queueWaitMs: 0,
    poolSize: INVENTORY_POOL_SIZE,
  };
  readonly #agent = new Agent({ keepAlive: true, maxSockets: INVENTORY_POOL_SIZE, maxFreeSockets: INVENTORY_POOL_SIZE });
  readonly #port: number;

  constructor(port: number) {
    this.#port = port;
  }

  /**
   * One downstream call. Its 5 s timeout is the socket's, so it does not count the time spent queued
   * for a socket: under overload a call waits as long as its client does (README, bottleneck 4).
   */
  stock(productId: number, signal?: AbortSignal): Promise<Record<string, unknown>> {
    const s = this.stats;
    s.calls++;
    s.inFlight++;
    s.maxInFlight = Math.max(s.maxInFlight, s.inFlight);
    // Calls beyond the pool's sockets wait in the agent's queue.
    s.queued = Math.max(0, s.inFlight - INVENTORY_POOL_SIZE);
    s.maxQueued = Math.max(s.maxQueued, s.queued);
    const queuedAt = performance.now();
    let waiting = true;
    const gotSocket = () => {
      if (!waiting) return;
      waiting = false;
      s.queueWaitMs += performance.now() - queuedAt;
    };
    return new Promise<Record<string, unknown>>((resolve, reject) => {
      const req = request(
        { host: '127.0.0.1', port: this.#port, path: `/stock/${productId}`, agent: this.#agent, timeout: DOWNSTREAM_TIMEOUT_MS, signal },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            if (res.statusCode !== 200) return reject(new HttpError(502, `inventory service answered ${res.statusCode}`));
            try {
              resolve(JSON.parse(Buffer.concat(chunks).toString()) as Record<string, unknown>);
            } catch {
              reject(new HttpError(502, 'inventory service sent invalid JSON'));
            }
          });
          res.on('error', reject);
        },
      );
      req.on('socket', gotSocket);
      req.on('timeout', () => req.destroy(new HttpError(504, `inventory service did not answer within ${DOWNSTREAM_TIMEOUT_MS} ms`)));
      req.on('error', (e) => reject(e instanceof HttpError ? e : new HttpError(502, `inventory service: ${e.message}`)));
      req.end();
    })
      .finally(() => {
        gotSocket();
        s.inFlight--;
        s.queued = Math.max(0, s.inFlight - INVENTORY_POOL_SIZE);
      })
      .catch((e: unknown) => {
        if (signal?.aborted) s.cancelled++;
        else s.failures++;
        throw e;
      });
  }

  close(): void {
    this.#agent.destroy();
  }
}

export function makeInventoryHandler(db: DemoDatabase, client: InventoryClient) {
  const product = db.statement('productSkuById', 'SELECT id, sku, name FROM products WHERE id = $1');
  /** GET /api/inventory/:productId */
  return async (req: IncomingMessage, res: ServerResponse, params: string[]): Promise<void> => {
    const id = parseId(params[0], 'product');
    const p = await product.get<{ id: number; sku: string; name: string }>(id);
    if (p === undefined) throw new HttpError(404, `product ${id} not found`);
    // A client that gave up does not keep its place in the pool's queue.
    const abandoned = new AbortController();
    res.once('close', () => {
      if (!res.writableFinished) abandoned.abort();
    });
    let stock: Record<string, unknown>;
    try {
      stock = await client.stock(id, abandoned.signal);
    } catch (error) {
      if (abandoned.signal.aborted) return;
      throw error;
    }
    sendJson(req, res, 200, { productId: id, sku: p.sku, name: p.name, ...stock }, { cacheControl: 'public, max-age=5' });
  };
}
