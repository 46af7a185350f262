// Driver instrumentation for the agent's N+1 detection: node-postgres (`pg`, with `pg-pool`) and
// postgres.js (`postgres`). Runs inside the target, only in the process that listens (the agent calls
// sql-agent.ts's start() then).
//
// How the drivers are found — chosen for Node 20 … 24, ES module and CommonJS targets alike:
// - Both drivers keep their statements on a class prototype (pg's Client.prototype.query, pg-pool's
//   Pool.prototype.connect/query, postgres.js's Query.prototype.handle), so patching the prototype of
//   the copy the application loaded reaches every client, pool and query it makes, before or after.
// - pg is CommonJS, and `import pg from 'pg'` loads pg/lib/*.js through the CommonJS loader as well
//   (verified on Node 20.20, 22.23, 24.21): at listen time the loaded copies are in require.cache.
//   postgres.js's cjs/ build is found the same way.
// - postgres.js's ES module build is not in any registry we can read. Its Query class lives in
//   <package>/src/query.js; an ES module is one instance per URL, so importing that file (resolved
//   from the main script and the working directory) gives the application's own Query class. As that
//   may load a copy the application never uses, such a copy turns tracking on only when it runs a
//   statement ("speculative").
// - Copies loaded after listen (a lazy require) are caught by a Module._load wrapper that costs one
//   string-length test per require(). A postgres.js ES module copy first imported after listen from a
//   place the main script does not resolve to is not seen (module.registerHooks could, from Node
//   22.15 only, at the price of a hook on every module load of the service).
// Not done: a wire-protocol observer on the sockets (it would see every byte of every socket).
import Module, { createRequire } from 'node:module';
import { existsSync } from 'node:fs';
import { join, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { StatementEnd, SqlTracker } from './sql-requests.ts';

const PATCHED = Symbol.for('speedguard.sql.patched');

type Fn = (...args: unknown[]) => unknown;
type Proto = Record<string | symbol, unknown>;

function markPatched(proto: Proto): boolean {
  if (Object.hasOwn(proto, PATCHED)) return false;
  Object.defineProperty(proto, PATCHED, { value: true, enumerable: false });
  return true;
}

/** pg's query text: a string, or a config object / submittable (pg-cursor, pg-query-stream) with .text. */
function pgText(config: unknown): string | undefined {
  if (typeof config === 'string') return config;
  if (config !== null && typeof config === 'object') {
    const t = (config as { text?: unknown }).text;
    if (typeof t === 'string') return t;
  }
  return undefined;
}

function endOnce(end: StatementEnd, cb: Fn): Fn {
  return function (this: unknown, ...args: unknown[]) {
    end();
    return cb.apply(this, args);
  };
}

/** node-postgres Client (pg/lib/client.js exports the class). */
export function patchPgClient(Client: unknown, tracker: SqlTracker): boolean {
  const proto = (Client as { prototype?: Proto } | null)?.prototype;
  const original = proto?.query;
  if (!proto || typeof original !== 'function' || !markPatched(proto)) return false;
  const query = original as Fn;
  proto.query = function (this: unknown, config: unknown, values: unknown, callback: unknown) {
    const text = pgText(config);
    const end = text === undefined ? undefined : tracker.begin(text, 'pg');
    if (end === undefined) return query.apply(this, arguments as unknown as unknown[]);
    // Same arguments, with the callback (when there is one) wrapped to time the statement, and run in
    // its caller's request: pg calls it from the connection's socket events, i.e. in the context of
    // whoever opened the connection, so a callback chain (query → callback → next query) would
    // otherwise lose the request after the first statement.
    if (typeof callback === 'function') return query.call(this, config, values, endOnce(end, tracker.bindToRequest(callback as Fn)));
    if (typeof values === 'function') return query.call(this, config, endOnce(end, tracker.bindToRequest(values as Fn)));
    if (
      typeof (config as { submit?: unknown }).submit === 'function' ||
      typeof (config as { callback?: unknown }).callback === 'function'
    ) {
      end(); // counted, not timed (and not left in flight)
      return query.apply(this, arguments as unknown as unknown[]);
    }
    let result: { then?: unknown } | undefined;
    try {
      result = query.apply(this, arguments as unknown as unknown[]) as { then?: unknown } | undefined;
    } catch (e) {
      end();
      throw e;
    }
    if (result && typeof result.then === 'function') {
      // A promise that settles like pg's (a handler on pg's own would mark it handled and hide an
      // unhandled rejection the service would otherwise see).
      return (result as Promise<unknown>).then(
        (v) => {
          end();
          return v;
        },
        (e: unknown) => {
          end();
          throw e;
        },
      );
    }
    end(); // no promise and no callback: nothing to time it by
    return result;
  };
  tracker.driverPatched('pg', false);
  return true;
}

/** pg-pool's Pool (pg's Pool extends it). */
export function patchPgPool(Pool: unknown, tracker: SqlTracker): boolean {
  const proto = (Pool as { prototype?: Proto } | null)?.prototype;
  const connect = proto?.connect;
  const query = proto?.query;
  if (!proto || typeof connect !== 'function' || typeof query !== 'function' || !markPatched(proto)) return false;
  // connect(cb): with every client busy, cb runs when another request releases one, in THAT request's
  // async context; pool.query() issues its statement from such a callback. Give cb back its caller's.
  proto.connect = function (this: unknown, cb?: unknown) {
    if (typeof cb !== 'function') return (connect as Fn).apply(this, arguments as unknown as unknown[]);
    return (connect as Fn).call(this, tracker.bindToRequest(cb as Fn));
  };
  // The statement itself is counted by Client.query, called from pool internals: its stack has no
  // application frame, so the call site is taken here.
  proto.query = function (this: unknown, config: unknown, _values?: unknown, _cb?: unknown) {
    const text = pgText(config);
    if (text !== undefined) tracker.locate(text);
    return (query as Fn).apply(this, arguments as unknown as unknown[]);
  };
  tracker.driverPatched('pg', false);
  return true;
}

const templateTexts = new WeakMap<object, string>();

/** postgres.js statement text: the template's strings joined by $1, $2 … (fragments count as one parameter). */
function postgresText(q: { strings?: unknown }): string | undefined {
  const strings = q.strings;
  if (!Array.isArray(strings) || strings.length === 0) return undefined; // sql.file(): text unknown here
  if (strings.length === 1) return String(strings[0]);
  let text = templateTexts.get(strings);
  if (text === undefined) {
    text = String(strings[0]);
    for (let i = 1; i < strings.length; i++) text += `$${i}${String(strings[i])}`;
    templateTexts.set(strings, text);
  }
  return text;
}

/** postgres.js's Query class (src/query.js or cjs/src/query.js). */
export function patchPostgresQuery(Query: unknown, tracker: SqlTracker, speculative: boolean): boolean {
  const proto = (Query as { prototype?: Proto } | null)?.prototype;
  const handle = proto?.handle;
  if (!proto || typeof handle !== 'function' || !markPatched(proto)) return false;
  // handle() starts execution (from then()/execute(), once: `executed` guards it); the connection
  // settles the query through this.resolve / this.reject.
  proto.handle = function (this: { executed?: boolean; strings?: unknown; resolve?: Fn; reject?: Fn; origin?: unknown }) {
    if (!this.executed) {
      const text = postgresText(this);
      // postgres.js keeps a stack taken in the Query constructor (the caller's); ours, here, is async.
      const end =
        text === undefined
          ? undefined
          : tracker.begin(text, 'postgres', () => {
              const o = this.origin;
              return typeof o === 'string' ? o : undefined;
            });
      if (end !== undefined && typeof this.resolve === 'function' && typeof this.reject === 'function') {
        this.resolve = endOnce(end, this.resolve);
        this.reject = endOnce(end, this.reject);
      }
    }
    return (handle as Fn).apply(this, arguments as unknown as unknown[]);
  };
  tracker.driverPatched('postgres', speculative);
  return true;
}

const PG_CLIENT = `${sep}pg${sep}lib${sep}client.js`;
const PG_INDEX = `${sep}pg${sep}lib${sep}index.js`;
const PG_POOL = `${sep}pg-pool${sep}index.js`;
const POSTGRES_CJS_DIR = `${sep}postgres${sep}cjs${sep}src${sep}`;
const POSTGRES_CJS_QUERY = `${POSTGRES_CJS_DIR}query.js`;

function patchByFile(file: string, exports: unknown, tracker: SqlTracker): void {
  if (file.endsWith(PG_CLIENT)) patchPgClient(exports, tracker);
  else if (file.endsWith(PG_POOL)) patchPgPool(exports, tracker);
  else if (file.endsWith(POSTGRES_CJS_QUERY)) patchPostgresQuery((exports as { Query?: unknown } | null)?.Query, tracker, false);
}

/** Patches the copies already loaded: CommonJS ones from require.cache, postgres.js's ES module build by import. */
export async function instrumentLoaded(tracker: SqlTracker): Promise<void> {
  const cache = (Module as unknown as { _cache?: Record<string, { exports?: unknown } | undefined> })._cache ?? {};
  for (const file of Object.keys(cache)) {
    if (!file.endsWith('.js')) continue;
    try {
      patchByFile(file, cache[file]?.exports, tracker);
    } catch {
      /* never break the target */
    }
  }
  for (const url of postgresEsmQueryUrls()) {
    try {
      const mod = (await import(url)) as { Query?: unknown };
      patchPostgresQuery(mod.Query, tracker, true);
    } catch {
      /* not there, or not the layout we know */
    }
  }
}

/** file URLs of postgres.js's src/query.js as the main script and the working directory resolve 'postgres'. */
export function postgresEsmQueryUrls(roots: string[] = [process.argv[1] ?? '', join(process.cwd(), 'index.js')]): string[] {
  const urls = new Set<string>();
  for (const root of roots) {
    if (!root) continue;
    let cjsIndex: string;
    try {
      cjsIndex = createRequire(root).resolve('postgres');
    } catch {
      continue;
    }
    const suffix = `${POSTGRES_CJS_DIR}index.js`;
    if (!cjsIndex.endsWith(suffix)) continue;
    const file = cjsIndex.slice(0, -suffix.length) + `${sep}postgres${sep}src${sep}query.js`;
    if (existsSync(file)) urls.add(pathToFileURL(file).href);
  }
  return [...urls];
}

/** Patches copies required from now on; returns the unhook function. */
export function hookFutureLoads(tracker: SqlTracker): () => void {
  const M = Module as unknown as { _load: Fn };
  const original = M._load;
  if (typeof original !== 'function') return () => {};
  const load = function (this: unknown, request: unknown, parent: unknown) {
    const exports = original.apply(this, arguments as unknown as unknown[]);
    // One length test for almost every require(): the requests we want are './client' (pg/lib/index.js),
    // 'pg-pool' and './query.js' (postgres.js's cjs build).
    if (
      typeof request === 'string' &&
      request.length <= 10 &&
      (request === './client' || request === 'pg-pool' || request === './query.js')
    ) {
      try {
        const from = (parent as { filename?: unknown } | null)?.filename;
        if (typeof from === 'string') {
          if (request === './client' && from.endsWith(PG_INDEX)) patchPgClient(exports, tracker);
          else if (request === 'pg-pool') patchPgPool(exports, tracker);
          else if (request === './query.js' && from.includes(POSTGRES_CJS_DIR))
            patchPostgresQuery((exports as { Query?: unknown } | null)?.Query, tracker, false);
        }
      } catch {
        /* never break the target */
      }
    }
    return exports;
  };
  M._load = load;
  return () => {
    if (M._load === load) M._load = original;
  };
}
