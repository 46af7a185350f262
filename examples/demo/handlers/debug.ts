// Debug endpoints (not part of the API, not in plan.yaml): what the demo measured about itself, so
// each bottleneck can be proven from outside — query counts per statement (the N+1), CPU time per
// function (the recommender), the downstream pool's queue, and SQLite's plan for every statement.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { DemoDatabase } from '../db.ts';
import { sendJson } from '../http.ts';
import type { DemoStats } from '../stats.ts';
import type { InventoryClient } from './inventory.ts';

export function makeDebugHandlers(db: DemoDatabase, stats: DemoStats, inventory: InventoryClient, processes: { server: number; downstream: number | null }) {
  /** GET /debug/stats */
  function debugStats(req: IncomingMessage, res: ServerResponse): void {
    sendJson(req, res, 200, {
      startedAt: stats.startedAt,
      processes,
      requests: stats.requests,
      queries: db.stats,
      functions: stats.functions,
      downstream: inventory.stats,
    }, { cacheControl: 'no-store', etag: false });
  }

  /** GET /debug/query-plans — EXPLAIN QUERY PLAN of every prepared statement. */
  function queryPlans(req: IncomingMessage, res: ServerResponse): void {
    const statements = db.statements().map((s) => ({ name: s.name, sql: s.sql.replace(/\s+/g, ' '), plan: db.explain(s.sql) }));
    sendJson(req, res, 200, { statements }, { cacheControl: 'no-store', etag: false });
  }

  return { debugStats, queryPlans };
}
