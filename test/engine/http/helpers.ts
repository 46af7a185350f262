// Shared helpers for the HTTP client tests: servers on 127.0.0.1:0 and timing sanity checks.

import assert from 'node:assert/strict';
import http from 'node:http';
import net from 'node:net';
import type { HttpResponse, RequestTimings, SendOptions } from '../../../src/engine/http/types.ts';

export const SEND: SendOptions = { keepBody: true, requestTimeoutMs: 5000 };

/** Listen on 127.0.0.1, port 0; returns the port. */
export function listen(server: net.Server): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve((server.address() as net.AddressInfo).port));
  });
}

/** Close a server and every socket it accepted. */
export function closeServer(server: net.Server): Promise<void> {
  return new Promise((resolve) => {
    if (server instanceof http.Server) server.closeAllConnections();
    const sockets = (server as TrackedServer).trackedSockets;
    if (sockets !== undefined) for (const s of sockets) s.destroy();
    server.close(() => resolve());
  });
}

interface TrackedServer extends net.Server {
  trackedSockets?: Set<net.Socket>;
}

/**
 * A raw TCP server. onRequest is called for each request head received on a connection
 * (requests without bodies), with its index on that connection.
 */
export function rawServer(onRequest: (socket: net.Socket, head: string, index: number) => void): net.Server {
  const server: TrackedServer = net.createServer((socket) => {
    server.trackedSockets!.add(socket);
    socket.on('close', () => server.trackedSockets!.delete(socket));
    socket.on('error', () => {});
    let pending = '';
    let index = 0;
    socket.on('data', (chunk: Buffer) => {
      pending += chunk.toString('latin1');
      for (let guard = 0; guard < 1000; guard++) {
        const end = pending.indexOf('\r\n\r\n');
        if (end < 0) break;
        const head = pending.slice(0, end);
        pending = pending.slice(end + 4);
        onRequest(socket, head, index++);
      }
    });
  });
  server.trackedSockets = new Set();
  return server;
}

/** Sockets currently open on a raw server (for counting connections). */
export function openSockets(server: net.Server): number {
  return (server as TrackedServer).trackedSockets?.size ?? 0;
}

export function assertOk(res: HttpResponse, status = 200): void {
  assert.equal(res.error, null, `unexpected error ${JSON.stringify(res.error)}`);
  assert.equal(res.status, status);
}

/** Phase timings are non-negative, add up, and connecting is set only on a new connection. */
export function assertSaneTimings(t: RequestTimings, opts: { newConnection: boolean; tls?: boolean }): void {
  for (const k of ['blocked', 'connecting', 'tlsHandshaking', 'sending', 'waiting', 'receiving', 'duration'] as const) {
    assert.ok(Number.isFinite(t[k]) && t[k] >= 0, `${k} = ${t[k]}`);
  }
  assert.ok(Math.abs(t.duration - (t.sending + t.waiting + t.receiving)) < 1e-9, 'duration = sending + waiting + receiving');
  assert.ok(t.endedAt >= t.startedAt);
  const total = t.endedAt - t.startedAt;
  assert.ok(t.blocked + t.connecting + t.tlsHandshaking + t.duration <= total + 1e-6, 'phases fit in the request span');
  if (opts.newConnection) assert.ok(t.connecting > 0, `connecting ${t.connecting} on a new connection`);
  else assert.equal(t.connecting, 0);
  if (opts.tls === true && opts.newConnection) assert.ok(t.tlsHandshaking > 0);
  else assert.equal(t.tlsHandshaking, 0);
}

/** Wait for an event on an emitter, with a timeout so a broken test fails instead of hanging. */
export function once(emitter: NodeJS.EventEmitter, event: string, ms = 5000): Promise<unknown[]> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`timed out waiting for ${event}`)), ms);
    emitter.once(event, (...args: unknown[]) => {
      clearTimeout(timer);
      resolve(args);
    });
  });
}
