// GET /health — liveness: answers at once, never cached, runs no query and does not call the
// downstream (a health check that waits on a dependency reports the dependency, not us).
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { DemoDatabase } from '../db.ts';
import { sendJson } from '../http.ts';

export function makeHealthHandler(db: DemoDatabase) {
  const started = performance.now();
  return (req: IncomingMessage, res: ServerResponse): void => {
    const ok = !db.closed;
    sendJson(
      req,
      res,
      ok ? 200 : 503,
      { status: ok ? 'ok' : 'unavailable', uptimeSeconds: Math.round((performance.now() - started) / 1000) },
      { cacheControl: 'no-store', etag: false },
    );
  };
}
