// Samples pg_stat_activity of the current database at a fixed interval: how many client
// connections, in which state, waiting on what — the connection-pool view of the load.
//
// Give it a session of its own (window.ts opens a second connection): a pg.Client runs one query
// at a time, so sampling on the probe session would queue behind EXPLAINs and catalog reads.
// The sampler's own backend and every other speedguard connection (application_name) are left out.
// Query texts from pg_stat_activity carry literals: only the normalised text is kept.
// Bounded: it stops itself after maxDurationMs; the timer is unref'd (never keeps the process alive);
// memory is constant (running sums, not samples).
import type { ActivitySummary } from '../../record/database-probes.ts';
import { normaliseSql } from '../../analysis/postgres/normalise-sql.ts';
import type { DbSession } from './session.ts';

export class ActivitySamplerOptionError extends Error {
  override name = 'ActivitySamplerOptionError';
}

export interface ActivitySamplerOptions {
  /** Time between the end of one sample and the start of the next. Default 1000 ms, ≥ 10. */
  intervalMs?: number;
  /** The sampler stops itself after this long. Default 1 hour. */
  maxDurationMs?: number;
  /** Stop after this many samples (e.g. 3 for a snapshot). Default: unlimited. */
  maxSamples?: number;
}

export interface ActivitySampler {
  /** Stops sampling (idempotent) and returns the summary of the samples taken so far. */
  stop(): ActivitySummary;
  /** Resolves once `count` samples have been taken, or when the sampler stopped (whichever first). */
  whenSamples(count: number): Promise<void>;
  /** Resolves when no sample query is in flight any more after stop(): then the session can be closed. */
  readonly idle: Promise<void>;
  /** Errors of failed sample queries (the sampler keeps going; the first few are kept). */
  readonly errors: string[];
}

interface Row extends Record<string, unknown> {
  state: string | null;
  wait_event_type: string | null;
  wait_event: string | null;
  active_ms: number | null;
  query: string | null;
}

const SAMPLE_SQL = `SELECT state, wait_event_type, wait_event,
       CASE WHEN state = 'active' THEN extract(epoch FROM clock_timestamp() - query_start)::float8 * 1000 END AS active_ms,
       CASE WHEN state = 'active' THEN left(query, 4000) END AS query
  FROM pg_stat_activity
 WHERE datname = current_database()
   AND pid <> pg_backend_pid()
   AND backend_type = 'client backend'
   AND coalesce(application_name, '') <> 'speedguard'`;

class Stat {
  max = 0;
  sum = 0;
  add(v: number): void {
    this.max = Math.max(this.max, v);
    this.sum += v;
  }
  summary(n: number) {
    return { max: this.max, mean: n > 0 ? Math.round((this.sum / n) * 1000) / 1000 : 0 };
  }
}

export function startActivitySampler(s: DbSession, o: ActivitySamplerOptions = {}): ActivitySampler {
  const intervalMs = o.intervalMs ?? 1000;
  const maxDurationMs = o.maxDurationMs ?? 3_600_000;
  const maxSamples = o.maxSamples ?? Number.POSITIVE_INFINITY;
  if (!Number.isFinite(intervalMs) || intervalMs < 10)
    throw new ActivitySamplerOptionError(`startActivitySampler: intervalMs must be ≥ 10, got ${intervalMs}`);
  if (!(maxDurationMs > 0)) throw new ActivitySamplerOptionError(`startActivitySampler: maxDurationMs must be > 0, got ${maxDurationMs}`);
  if (!(maxSamples >= 1)) throw new ActivitySamplerOptionError(`startActivitySampler: maxSamples must be ≥ 1, got ${maxSamples}`);

  const startedAt = Date.now();
  const total = new Stat(),
    active = new Stat(),
    idle = new Stat(),
    idleInTx = new Stat(),
    locks = new Stat();
  const waitEvents: Record<string, number> = {};
  const errors: string[] = [];
  let samples = 0;
  let maxConnections = 0;
  let longest: { ms: number; query: string } | null = null;
  let running = true;
  let timer: NodeJS.Timeout | undefined;
  let summary: ActivitySummary | null = null;
  let waiters: Array<{ count: number; resolve: () => void }> = [];
  let resolveIdle!: () => void;
  const idlePromise = new Promise<void>((r) => {
    resolveIdle = r;
  });
  let inFlight = false;

  const wake = () => {
    const keep: typeof waiters = [];
    for (const w of waiters) !running || samples >= w.count ? w.resolve() : keep.push(w);
    waiters = keep;
  };

  const record = (rows: Row[]) => {
    samples++;
    let a = 0,
      i = 0,
      iit = 0,
      l = 0;
    for (const r of rows) {
      if (r.state === 'active') {
        a++;
        if (r.wait_event_type) {
          const k = `${r.wait_event_type}:${r.wait_event ?? ''}`;
          waitEvents[k] = (waitEvents[k] ?? 0) + 1;
        }
        if (r.active_ms !== null && (longest === null || r.active_ms > longest.ms)) {
          longest = { ms: Math.round(r.active_ms * 1000) / 1000, query: normaliseSql(r.query ?? '') };
        }
      } else if (r.state === 'idle') i++;
      else if (r.state === 'idle in transaction' || r.state === 'idle in transaction (aborted)') iit++;
      if (r.wait_event_type === 'Lock') l++;
    }
    total.add(rows.length);
    active.add(a);
    idle.add(i);
    idleInTx.add(iit);
    locks.add(l);
  };

  const tick = async () => {
    if (!running) return;
    inFlight = true;
    try {
      if (maxConnections === 0) {
        const [mc] = await s.query<{ v: number }>(`SELECT current_setting('max_connections')::int AS v`);
        maxConnections = mc?.v ?? 0;
      }
      const rows = await s.query<Row>(SAMPLE_SQL);
      if (running) record(rows);
    } catch (e) {
      if (running && errors.length < 5) errors.push((e as Error).message);
    } finally {
      inFlight = false;
    }
    if (!running) {
      resolveIdle();
      return;
    }
    if (samples >= maxSamples || Date.now() - startedAt >= maxDurationMs) {
      finish();
      return;
    }
    wake();
    timer = setTimeout(() => void tick(), intervalMs);
    timer.unref();
  };

  const finish = (): ActivitySummary => {
    if (summary) return summary;
    running = false;
    clearTimeout(timer);
    summary = {
      samples,
      maxConnections,
      total: total.summary(samples),
      active: active.summary(samples),
      idle: idle.summary(samples),
      idleInTransaction: idleInTx.summary(samples),
      waitingOnLocks: locks.summary(samples),
      longestActive: longest,
      waitEvents: { ...waitEvents },
    };
    if (!inFlight) resolveIdle();
    wake();
    return summary;
  };

  void tick();
  return {
    stop: finish,
    whenSamples(count: number) {
      if (!running || samples >= count) return Promise.resolve();
      return new Promise<void>((resolve) => waiters.push({ count, resolve }));
    },
    idle: idlePromise,
    errors,
  };
}
