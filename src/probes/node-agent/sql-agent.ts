// The agent's N+1 detection, loaded into the target by its own `--import` right after agent.ts (the
// collector ships both; see companion-install.ts). Loading it does nothing but register an object on
// globalThis: agent.ts calls start() when its process starts listening, so the drivers are patched
// only in that process (NODE_OPTIONS reaches npm, shells' node children …), and reports through
// the agent's samples (AgentSample.sql).
//
// Same rules as agent.ts: never crash the target, never keep it alive, plain JS after type stripping
// on Node 20+, only node: built-ins and the sibling sql-*.ts files (shipped with it).
import { hookFutureLoads, instrumentLoaded } from './sql-hooks.ts';
import type { SqlAgentApi, SqlProbe } from './sql-protocol.ts';
import { createSqlTracker } from './sql-requests.ts';

const KEY = Symbol.for('speedguard.agent.sql');
const g = globalThis as unknown as Record<symbol, unknown>;

function start(): SqlProbe | undefined {
  try {
    const tracker = createSqlTracker();
    instrumentLoaded(tracker).catch(() => {
      /* never break the target */
    });
    const unhook = hookFutureLoads(tracker);
    return {
      onRequest(response) {
        try {
          tracker.onRequest(response);
        } catch {
          /* never break the target */
        }
      },
      onFinish(request, response, ms) {
        try {
          tracker.onFinish(request, response, ms);
        } catch {
          /* never break the target */
        }
      },
      take() {
        try {
          return tracker.take();
        } catch {
          return undefined;
        }
      },
      stop() {
        // The patched prototypes stay (others may have wrapped them since); they pass through.
        tracker.disable();
        unhook();
      },
    };
  } catch {
    return undefined;
  }
}

if (process.env.SPEEDGUARD_AGENT_SOCKET && !g[KEY]) {
  let started = false;
  const api: SqlAgentApi = {
    start() {
      if (started) return undefined;
      started = true;
      return start();
    },
  };
  g[KEY] = api;
}
