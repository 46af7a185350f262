// Statements grouped by incoming HTTP request, inside the target (see sql-agent.ts for how it is
// loaded). The driver hooks (sql-hooks.ts) call begin() for every statement; agent.ts calls
// onRequest()/onFinish() from the hooks it already has, and take() for each sample.
//
// Cost model (the agent must not slow the request path):
// - until a driver is instrumented (and in use) nothing is done per request: onRequest returns at once;
// - after, each request costs one AsyncLocalStorage.enterWith(response) (the response object itself is
//   the store: no allocation) and, at finish, one endpoint counter increment;
// - the per-request statement map is created on the request's first statement, and hung on the
//   response under a private symbol (like agent.ts's start time: no WeakMap, see the note there);
// - fingerprints are cached by SQL text, a call-site stack is read at most a few times per statement.
// Runs as plain JS after type stripping on Node 20+: only node: built-ins, no TS-only syntax.
import { AsyncLocalStorage } from 'node:async_hooks';
import { performance } from 'node:perf_hooks';
import { fingerprintSql } from './sql-fingerprint.ts';
import { OWN_DIR, stackFrames } from './stack-frames.ts';
import type { AgentSqlStats, SqlFrame, SqlLocation, SqlRepetition, SqlStatementUse } from '../../record/agent-sql-samples.ts';

/**
 * Executions of one statement in one request from which it is an N+1: N_PLUS_ONE_MIN_REPEATS of the record contract (this file runs inside
 * the target and cannot import it; a test keeps them equal).
 */
export const REPEAT_THRESHOLD = 5;
const MAX_FINGERPRINTS = 5000;
const MAX_ENDPOINT_NAMES = 2000;
const MAX_ENDPOINTS_PER_INTERVAL = 1000;
const MAX_REPETITIONS_PER_INTERVAL = 500;
const MAX_STATEMENTS_PER_INTERVAL = 200;
const MAX_LOCATION_TRIES = 3;
const MAX_PATH_CHARS = 300;

const SQL = Symbol('speedguard.sql');

interface StatementCount {
  count: number;
  ms: number;
  driver: string;
}
interface RequestSql {
  stmts: Map<string, StatementCount>;
}
type WithSql = { [SQL]?: RequestSql; writableEnded?: boolean };

/** Ends one statement's timing (call it once, when the result or error arrives). */
export type StatementEnd = () => void;

export interface SqlTracker {
  /** Drivers patched so far. */
  readonly drivers: string[];
  /** A driver was patched: from now on requests are tracked. `speculative`: only once it runs a statement. */
  driverPatched(driver: string, speculative: boolean): void;
  onRequest(response: object): void;
  onFinish(request: { method?: string; url?: string; originalUrl?: string }, response: object, ms: number): void;
  /**
   * A statement is being issued. Returns its end callback when it runs inside a tracked request, else
   * undefined. `origin` may supply a stack that leads to the application (postgres.js keeps one).
   */
  begin(text: string, driver: string, origin?: () => string | undefined): StatementEnd | undefined;
  /** Inside a tracked request: note the application call site for `text` if not known yet (pg-pool's query()). */
  locate(text: string): void;
  /** Restores `cb`'s caller's request when it is called later from another context (pg-pool queues). */
  bindToRequest<F extends (...args: never[]) => unknown>(cb: F): F;
  take(): AgentSqlStats | undefined;
  disable(): void;
}

// The id rule of speedguard's tag cardinality guard (src/metrics/tags.ts), duplicated: the agent
// ships alone and may not import project files.
const ID_SEGMENT = [
  /^\d+$/,
  /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i,
  /^[0-9a-f]{16,}$/i,
  /^(?=.*\d)[A-Za-z0-9_-]{20,}$/,
];

/** "GET /customers/:id/orders" from a method and a request target (path, query dropped; absolute form accepted). */
export function endpointName(method: string | undefined, url: string | undefined): string {
  let path = typeof url === 'string' ? url : '/';
  const cut = path.search(/[?#]/);
  if (cut >= 0) path = path.slice(0, cut);
  if (!path.startsWith('/')) {
    const scheme = path.indexOf('://');
    const slash = scheme >= 0 ? path.indexOf('/', scheme + 3) : -1;
    path = slash >= 0 ? path.slice(slash) : '/';
  }
  if (path.length > MAX_PATH_CHARS) path = path.slice(0, MAX_PATH_CHARS);
  const segs = path.split('/');
  for (let i = 0; i < segs.length; i++) {
    const seg = segs[i]!;
    if (seg && ID_SEGMENT.some((re) => re.test(seg))) segs[i] = ':id';
  }
  return `${method ?? '?'} ${segs.join('/')}`;
}

/** Application frames kept per call site: enough to step past a repository layer and a query helper. */
export const MAX_CALLER_FRAMES = 6;

/**
 * The frames of `stack` in the application (not node:, not node_modules, not the agent), innermost
 * first, at most `max`. The collector walks them past query wrappers to the loop that issues the
 * statements (probes/node-agent/n-plus-one.ts); the agent only reads them.
 */
export function applicationFrames(stack: string | undefined, ownDir = OWN_DIR, max = MAX_CALLER_FRAMES): SqlFrame[] {
  return stackFrames(stack, ownDir, max, false).map(({ file, line, column, function: fn }) => ({ file, line, column, function: fn }));
}

/** The first frame of `stack` in the application, with the application frames above it when there are several. */
export function firstApplicationFrame(stack: string | undefined, ownDir = OWN_DIR): SqlLocation | null {
  const frames = applicationFrames(stack, ownDir);
  const first = frames[0];
  if (!first) return null;
  const loc: SqlLocation = { file: first.file, line: first.line, function: first.function };
  if (frames.length > 1) loc.frames = frames;
  return loc;
}

function capturedStack(): string | undefined {
  const limit = Error.stackTraceLimit;
  // ORMs put many frames between the driver and the application.
  Error.stackTraceLimit = 40;
  try {
    return new Error().stack;
  } finally {
    Error.stackTraceLimit = limit;
  }
}

interface Interval {
  endpoints: Record<string, number>;
  endpointCount: number;
  requestsWithSql: number;
  statements: number;
  statementMs: number;
  repeated: Map<string, SqlRepetition>;
  byStatement: Map<string, SqlStatementUse>;
  inFlightMax: number;
  dropped: number;
}
function emptyInterval(inFlight: number): Interval {
  return {
    endpoints: {},
    endpointCount: 0,
    requestsWithSql: 0,
    statements: 0,
    statementMs: 0,
    repeated: new Map(),
    byStatement: new Map(),
    // Statements still running when the interval starts are in flight in it.
    inFlightMax: inFlight,
    dropped: 0,
  };
}

export function createSqlTracker(o: { threshold?: number } = {}): SqlTracker {
  const threshold = o.threshold ?? REPEAT_THRESHOLD;
  const als = new AsyncLocalStorage<WithSql>();
  const drivers: string[] = [];
  let enabled = true;
  /** Requests are tracked (a driver is in use). */
  let active = false;
  /** Only speculative drivers so far: become active on the first statement. */
  let armed = false;
  const fingerprints = new Map<string, string>();
  const endpointNames = new Map<string, Map<string, string>>();
  const locations = new Map<string, SqlLocation | null>();
  const locationTries = new Map<string, number>();
  /** Statements issued and not yet answered (every one begin() times). */
  let inFlight = 0;
  let interval = emptyInterval(0);

  const fingerprint = (text: string): string => {
    let fp = fingerprints.get(text);
    if (fp === undefined) {
      fp = fingerprintSql(text);
      if (fingerprints.size >= MAX_FINGERPRINTS) fingerprints.clear();
      fingerprints.set(text, fp);
    }
    return fp;
  };

  const locateFp = (fp: string, origin?: () => string | undefined) => {
    if (locations.has(fp)) return;
    let loc: SqlLocation | null = null;
    try {
      loc = firstApplicationFrame(origin?.());
    } catch {
      /* a getter of the driver failed */
    }
    if (!loc) loc = firstApplicationFrame(capturedStack());
    const tries = (locationTries.get(fp) ?? 0) + 1;
    if (loc || tries >= MAX_LOCATION_TRIES) {
      if (locations.size >= MAX_FINGERPRINTS) locations.clear();
      locations.set(fp, loc);
      locationTries.delete(fp);
    } else {
      locationTries.set(fp, tries);
    }
  };

  /** The current request's statement map (created on its first statement), or undefined. */
  const current = (): RequestSql | undefined => {
    const res = als.getStore();
    if (res === undefined || res.writableEnded === true) return undefined;
    let rs = res[SQL];
    if (rs === undefined) res[SQL] = rs = { stmts: new Map() };
    return rs;
  };

  return {
    drivers,
    driverPatched(driver, speculative) {
      // A speculative copy is listed once it runs a statement (begin()).
      if (speculative) {
        armed = true;
        return;
      }
      if (!drivers.includes(driver)) drivers.push(driver);
      active = true;
    },
    onRequest(response) {
      if (active && enabled) als.enterWith(response as WithSql);
    },
    onFinish(request, response, ms) {
      if (!active || !enabled) return;
      const method = request.method ?? '?';
      const url = typeof request.originalUrl === 'string' ? request.originalUrl : (request.url ?? '');
      // method → url → name: no string built per request.
      let names = endpointNames.get(method);
      if (names === undefined) endpointNames.set(method, (names = new Map()));
      let endpoint = names.get(url);
      if (endpoint === undefined) {
        endpoint = endpointName(method, url);
        if (names.size >= MAX_ENDPOINT_NAMES) names.clear();
        names.set(url, endpoint);
      }
      const iv = interval;
      if (iv.endpoints[endpoint] !== undefined) iv.endpoints[endpoint]++;
      else if (iv.endpointCount < MAX_ENDPOINTS_PER_INTERVAL) {
        iv.endpoints[endpoint] = 1;
        iv.endpointCount++;
      } else iv.dropped++;
      const rs = (response as WithSql)[SQL];
      if (rs === undefined) return;
      (response as WithSql)[SQL] = undefined;
      iv.requestsWithSql++;
      for (const [fp, st] of rs.stmts) {
        iv.statements += st.count;
        iv.statementMs += st.ms;
        let use = iv.byStatement.get(fp);
        if (use === undefined && iv.byStatement.size < MAX_STATEMENTS_PER_INTERVAL) {
          use = { statement: fp, driver: st.driver, requests: 0, executions: 0, ms: 0, requestMs: 0, location: null };
          iv.byStatement.set(fp, use);
        }
        if (use === undefined) iv.dropped++;
        else {
          use.requests++;
          use.executions += st.count;
          use.ms += st.ms;
          use.requestMs += ms;
        }
        if (st.count < threshold) continue;
        const key = `${endpoint}\n${fp}`;
        let r = iv.repeated.get(key);
        if (r === undefined) {
          if (iv.repeated.size >= MAX_REPETITIONS_PER_INTERVAL) {
            iv.dropped++;
            continue;
          }
          r = {
            endpoint,
            statement: fp,
            driver: st.driver,
            requests: 0,
            executions: 0,
            maxExecutions: 0,
            ms: 0,
            requestMs: 0,
            location: null,
          };
          iv.repeated.set(key, r);
        }
        r.requests++;
        r.executions += st.count;
        if (st.count > r.maxExecutions) r.maxExecutions = st.count;
        r.ms += st.ms;
        r.requestMs += ms;
      }
    },
    begin(text, driver, origin) {
      if (!enabled) return undefined;
      if (!active) {
        if (!armed) return undefined;
        active = true; // a speculatively patched driver is in use: track from the next request on
      }
      if (drivers.length === 0 || (drivers[0] !== driver && !drivers.includes(driver))) drivers.push(driver);
      const rs = current();
      if (rs === undefined) return undefined;
      const fp = fingerprint(text);
      let st = rs.stmts.get(fp);
      if (st === undefined) rs.stmts.set(fp, (st = { count: 0, ms: 0, driver }));
      st.count++;
      if (!locations.has(fp)) locateFp(fp, origin);
      const t0 = performance.now();
      const counted = st;
      let ended = false;
      if (++inFlight > interval.inFlightMax) interval.inFlightMax = inFlight;
      return () => {
        if (ended) return;
        ended = true;
        inFlight--;
        counted.ms += performance.now() - t0;
      };
    },
    locate(text) {
      if (!enabled || !active) return;
      const res = als.getStore();
      if (res === undefined) return;
      const fp = fingerprint(text);
      if (!locations.has(fp)) locateFp(fp);
    },
    bindToRequest(cb) {
      // Our store only, not AsyncResource.bind: that would also hand the caller's context to every
      // other AsyncLocalStorage of the application (its logger's request id …) where, without the
      // agent, the releasing request's is seen. A profiler must not change what the service does.
      if (!enabled || !active) return cb;
      const store = als.getStore();
      const run = als.run.bind(als) as (store: WithSql | undefined, fn: (...a: unknown[]) => unknown, ...a: unknown[]) => unknown;
      return function (this: unknown, ...args: unknown[]) {
        return run(store, () => (cb as unknown as (...a: unknown[]) => unknown).apply(this, args));
      } as unknown as typeof cb;
    },
    take() {
      if (!active) return undefined;
      const iv = interval;
      interval = emptyInterval(inFlight);
      const repeated = [...iv.repeated.values()];
      for (const r of repeated) r.location = locations.get(r.statement) ?? null;
      const byStatement = [...iv.byStatement.values()];
      for (const u of byStatement) u.location = locations.get(u.statement) ?? null;
      return {
        drivers: [...drivers],
        threshold,
        endpoints: iv.endpoints,
        requestsWithSql: iv.requestsWithSql,
        statements: iv.statements,
        statementMs: iv.statementMs,
        repeated,
        dropped: iv.dropped,
        byStatement,
        inFlightMax: iv.inFlightMax,
      };
    },
    disable() {
      enabled = false;
      try {
        als.disable();
      } catch {
        /* ignore */
      }
    },
  };
}
