// The demo shop's downstream "inventory service": a separate process on 127.0.0.1 that answers
// GET /stock/:productId in 30–50 ms (the delay stands for the remote system's own work and network;
// it is fixed per product so that measurements are repeatable). It is not the bottleneck being
// demonstrated — the 2-socket connection pool in front of it is (handlers/inventory.ts, README #4).
//
// Run alone: node examples/demo/downstream.ts [--port N] — prints "listening <port>" when ready.
// Started by server.ts as a child with an IPC channel; it exits when its parent goes away.
import { fileURLToPath } from 'node:url';
import { realpathSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { portFromArgs } from './args.ts';

export const DOWNSTREAM_MIN_MS = 30;
export const DOWNSTREAM_MAX_MS = 50;

/** The downstream's service time for a product: 30–50 ms, fixed per product id. */
export function downstreamDelayMs(productId: number): number {
  return DOWNSTREAM_MIN_MS + ((productId * 13) % (DOWNSTREAM_MAX_MS - DOWNSTREAM_MIN_MS + 1));
}

export function createDownstreamServer(): Server {
  const server = createServer((req, res) => {
    const m = /^\/stock\/(\d+)$/.exec(req.url ?? '');
    if (req.method !== 'GET' || m === null) {
      res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"not found"}');
      return;
    }
    const productId = Number(m[1]);
    setTimeout(() => {
      const body = JSON.stringify({
        productId,
        available: (productId * 37) % 120,
        reserved: (productId * 11) % 9,
        warehouse: ['AMS-1', 'FRA-2', 'DUB-1'][productId % 3],
        restockEta: (productId * 37) % 120 < 5 ? '2025-07-14' : null,
      });
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
      res.end(body);
    }, downstreamDelayMs(productId));
  });
  // Longer than the client's idle sockets live, so the pool's keep-alive sockets are not cut under it.
  server.keepAliveTimeout = 65_000;
  return server;
}

export async function startDownstream(port = 0): Promise<{ port: number; close(): Promise<void> }> {
  const server = createDownstreamServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', resolve);
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

// Run directly (not imported)? import.meta.main would say so, but only from Node 24.2.
if (process.argv[1] !== undefined && realpathSync(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const ds = await startDownstream(portFromArgs(process.argv.slice(2), 'demo downstream'));
  process.stdout.write(`listening ${ds.port}\n`);
  const stop = () => void ds.close().then(() => process.exit(0));
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
  if (process.connected) process.once('disconnect', stop);
}
