// Debug endpoints (not part of the API, not in plan.yaml): what the demo measured about itself, so
// each bottleneck can be proven from outside — query counts per statement (the N+1), CPU time per
// function (the recommender), the downstream pool's queue, and PostgreSQL's plan for every statement.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { DemoDatabase } from '../db.ts';
import { sendJson } from '../http.ts';
import type { DemoStats } from '../stats.ts';
import type { InventoryClient } from './inventory.ts';

/** The processes behind the demo, and its database (the password never leaves the process). */
export interface DemoProcesses {
  server: number;
  downstream: number | null;
  /** The private PostgreSQL's postmaster, when this server started it (null with DATABASE_URL). */
  postgres: number | null;
}

export interface DemoDatabaseInfo {
  /** The connection URL without its password. */
  url: string;
  /** Started (and stopped) by this server, rather than given in DATABASE_URL. */
  owned: boolean;
  dataDir: string | null;
}

export function makeDebugHandlers(
  db: DemoDatabase,
  stats: DemoStats,
  inventory: InventoryClient,
  processes: DemoProcesses,
  database: DemoDatabaseInfo,
) {
  /** GET /debug/stats */
  function debugStats(req: IncomingMessage, res: ServerResponse): void {
    sendJson(
      req,
      res,
      200,
      {
        startedAt: stats.startedAt,
        processes,
        database,
        requests: stats.requests,
        queries: db.stats,
        functions: stats.functions,
        downstream: inventory.stats,
      },
      { cacheControl: 'no-store', etag: false },
    );
  }

  /** GET /debug/query-plans — the generic plan (EXPLAIN, costs off) of every prepared statement. */
  async function queryPlans(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const statements = [];
    for (const s of db.statements()) statements.push({ name: s.name, sql: s.sql.replace(/\s+/g, ' '), plan: await db.explain(s.sql) });
    sendJson(req, res, 200, { statements }, { cacheControl: 'no-store', etag: false });
  }

  return { debugStats, queryPlans };
}
