// Builders of DatabaseProbes (src/record/database-probes.ts) for testing the database audits and
// renderers without a database. The defaults describe a HEALTHY, well-indexed database: fast
// statements, a 99.9 % cache hit ratio, every index used, no plan issue, modest connection use.
// Each builder takes overrides; dbRecord() puts the probes into an assessment record.
import type {
  ActivitySummary,
  DatabaseProbes,
  DatabaseWindow,
  IndexStats,
  IndexSuggestion,
  InferredRepetition,
  NPlusOneGroup,
  PlanNodeIssue,
  StatementPlan,
  StatementStats,
  TableStats,
} from '../../src/record/database-probes.ts';
import type { AssessmentRecord, PhaseRecord } from '../../src/record/assessment-record.ts';
import { fakeAssessment } from './fake-records.ts';

let nextId = 1000;

export function stmt(over: Partial<StatementStats> & { query?: string } = {}): StatementStats {
  const calls = over.calls ?? 5000;
  const meanExecMs = over.meanExecMs ?? 0.4;
  const hit = over.sharedBlksHit ?? calls * 3;
  const read = over.sharedBlksRead ?? 0;
  return {
    queryId: String(nextId++),
    query: 'SELECT id, name FROM products WHERE id = $1',
    calls,
    rows: calls,
    totalExecMs: calls * meanExecMs,
    meanExecMs,
    maxExecMs: meanExecMs * 5,
    totalPlanMs: 0,
    sharedBlksHit: hit,
    sharedBlksRead: read,
    tempBlksRead: 0,
    tempBlksWritten: 0,
    hitRatio: hit + read > 0 ? hit / (hit + read) : null,
    shareOfTotal: 0,
    ...over,
  };
}

/** Fills shareOfTotal from the statements' total times (as the collectors do). */
export function withShares(list: StatementStats[]): StatementStats[] {
  const total = list.reduce((t, s) => t + s.totalExecMs, 0);
  return list.map((s) => ({ ...s, shareOfTotal: total > 0 ? s.totalExecMs / total : 0 }));
}

export function table(over: Partial<TableStats> = {}): TableStats {
  return {
    schema: 'public',
    table: 'products',
    seqScan: 3,
    seqTupRead: 30_000,
    idxScan: 250_000,
    nLiveTup: 10_000,
    sizeBytes: 2_000_000,
    heapHitRatio: 0.999,
    lastAnalyze: '2026-11-25T09:00:00.000Z',
    ...over,
  };
}

export function index(over: Partial<IndexStats> = {}): IndexStats {
  const table = over.table ?? 'products';
  const name = over.index ?? `${table}_pkey`;
  const columns = over.columns ?? ['id'];
  return {
    schema: 'public',
    table,
    index: name,
    definition:
      `CREATE ${(over.unique ?? true) ? 'UNIQUE ' : ''}INDEX ${name} ON public.${table} USING ${over.method ?? 'btree'} ` +
      `(${columns.join(', ')})`,
    columns,
    method: 'btree',
    unique: true,
    primary: true,
    valid: true,
    predicate: null,
    idxScan: 250_000,
    sizeBytes: 240_000,
    ...over,
  };
}

export function issue(over: Partial<PlanNodeIssue> & Pick<PlanNodeIssue, 'kind'>): PlanNodeIssue {
  return { nodeType: 'Seq Scan', relation: 'orders', detail: `${over.kind} on orders`, figures: {}, ...over };
}

export function plan(s: Pick<StatementStats, 'queryId' | 'query'>, over: Partial<StatementPlan> = {}): StatementPlan {
  return {
    queryId: s.queryId,
    query: s.query,
    mode: 'analyze',
    plan: { 'Node Type': 'Seq Scan' },
    totalCost: 1850,
    executionMs: 12.4,
    planningMs: 0.1,
    issues: [],
    error: null,
    ...over,
  };
}

export function suggestion(over: Partial<IndexSuggestion> = {}): IndexSuggestion {
  const columns = over.columns ?? ['customer_id'];
  const table = over.table ?? 'orders';
  return {
    schema: 'public',
    table,
    columns,
    createStatement: `CREATE INDEX CONCURRENTLY ON public.${table} (${columns.join(', ')})`,
    queryIds: [],
    method: 'hypopg',
    costBefore: 1850,
    costAfter: 8.3,
    msBefore: null,
    msAfter: null,
    expectedImprovement: 'cost 1,850 → 8.3 (−99.6 %)',
    ...over,
  };
}

export function activity(over: Partial<ActivitySummary> = {}): ActivitySummary {
  return {
    samples: 20,
    maxConnections: 100,
    total: { max: 12, mean: 11 },
    active: { max: 3, mean: 1.2 },
    idle: { max: 10, mean: 9 },
    idleInTransaction: { max: 0, mean: 0 },
    waitingOnLocks: { max: 0, mean: 0 },
    longestActive: { ms: 12, query: 'SELECT 1' },
    waitEvents: {},
    ...over,
  };
}

export function dbWindow(over: Partial<DatabaseWindow> = {}): DatabaseWindow {
  const statements = over.statements ?? [];
  const calls = statements.reduce((t, s) => t + s.calls, 0);
  const execMs = statements.reduce((t, s) => t + s.totalExecMs, 0);
  const hit = statements.reduce((t, s) => t + s.sharedBlksHit, 0);
  const read = statements.reduce((t, s) => t + s.sharedBlksRead, 0);
  return {
    phase: 'baseline',
    fromEpochMs: Date.parse('2026-11-25T10:00:00.000Z'),
    toEpochMs: Date.parse('2026-11-25T10:00:20.000Z'),
    httpRequests: 2000,
    statements,
    totals: { calls, execMs, sharedBlksHit: hit, sharedBlksRead: read, hitRatio: hit + read > 0 ? hit / (hit + read) : null },
    tableScans: [],
    activity: activity(),
    inferredRepetition: [],
    ...over,
  };
}

export function nPlusOne(over: Partial<NPlusOneGroup> = {}): NPlusOneGroup {
  return {
    endpoint: 'GET /api/customers/:id/orders',
    statement: 'SELECT * FROM order_items WHERE order_id = $1',
    requests: 400,
    endpointRequests: 400,
    perRequestMean: 20,
    perRequestMax: 25,
    msPerRequest: 30,
    shareOfRequest: 0.6,
    driver: 'pg',
    location: { file: '/app/src/orders.js', line: 42, function: 'loadItems' },
    ...over,
  };
}

export function inferred(over: Partial<InferredRepetition> = {}): InferredRepetition {
  return {
    queryId: '77',
    query: 'SELECT * FROM order_items WHERE order_id = $1',
    calls: 40_000,
    httpRequests: 2000,
    callsPerRequest: 20,
    phase: 'baseline',
    ...over,
  };
}

/** A healthy, well-indexed database in snapshot mode (speedguard db). */
export function healthyProbes(over: Partial<DatabaseProbes> = {}): DatabaseProbes {
  const statements = withShares([
    stmt({ query: 'SELECT id, name, price FROM products WHERE id = $1', calls: 50_000, meanExecMs: 0.05 }),
    stmt({ query: 'SELECT * FROM orders WHERE customer_id = $1 ORDER BY created_at DESC LIMIT $2', calls: 20_000, meanExecMs: 0.3 }),
    stmt({ query: 'INSERT INTO orders (customer_id, total) VALUES ($1, $2)', calls: 3000, meanExecMs: 0.8, rows: 3000 }),
    stmt({ query: 'UPDATE customers SET last_seen = $1 WHERE id = $2', calls: 3000, meanExecMs: 0.4 }),
  ]);
  return {
    url: 'postgres://app@127.0.0.1:5432/shop',
    server: {
      versionNum: 180004,
      version: '18.4',
      database: 'shop',
      settings: {
        sharedPreloadLibraries: 'pg_stat_statements',
        trackIoTiming: false,
        workMemKb: 4096,
        sharedBuffersKb: 131072,
        maxConnections: 100,
        randomPageCost: 4,
      },
      extensions: { pgStatStatements: '1.12', hypopg: null },
      pgStatStatements: { available: true, howToEnable: null },
      hypopgAvailable: false,
    },
    mode: 'snapshot',
    statementsInfo: { extVersion: '1.12', takenAt: '2026-11-25T10:00:00.000Z', entries: 4, dealloc: 0 },
    statements,
    cacheHitRatio: { tables: 0.9995, indexes: 0.9998, blocks: { heapHit: 2_000_000, heapRead: 1000, idxHit: 3_000_000, idxRead: 600 } },
    tables: [
      table({ table: 'products', nLiveTup: 10_000, seqScan: 2, idxScan: 50_000 }),
      table({ table: 'orders', nLiveTup: 200_000, seqScan: 1, idxScan: 23_000, sizeBytes: 30_000_000 }),
      table({ table: 'customers', nLiveTup: 5000, seqScan: 40, idxScan: 3000 }),
    ],
    indexes: [
      index({ table: 'products', index: 'products_pkey', columns: ['id'] }),
      index({ table: 'orders', index: 'orders_pkey', columns: ['id'], idxScan: 100 }),
      index({
        table: 'orders',
        index: 'orders_customer_id_created_at_idx',
        columns: ['customer_id', 'created_at'],
        unique: false,
        primary: false,
        idxScan: 20_000,
        sizeBytes: 6_000_000,
      }),
      index({ table: 'customers', index: 'customers_pkey', columns: ['id'], idxScan: 3000 }),
    ],
    windows: [],
    plans: statements.slice(0, 2).map((s) => plan(s, { totalCost: 8.3, executionMs: 0.05 })),
    indexSuggestions: [],
    nPlusOne: [],
    allowWrites: false,
    warnings: [],
    ...over,
  };
}

/** The same healthy database measured under load: one baseline window with the statements' difference. */
export function healthyLoadProbes(over: Partial<DatabaseProbes> = {}): DatabaseProbes {
  const base = healthyProbes();
  const statements = withShares(
    base.statements.map((s) => ({
      ...s,
      calls: Math.round(s.calls / 10),
      totalExecMs: s.totalExecMs / 10,
      maxExecMs: null,
      sharedBlksHit: Math.round(s.sharedBlksHit / 10),
    })),
  );
  return { ...base, mode: 'load', statements, windows: [dbWindow({ statements, httpRequests: 7600 })], ...over };
}

/** An assessment record carrying the probes (phases optional: `speedguard db` has none). */
export function dbRecord(probes: DatabaseProbes, phases: PhaseRecord[] = [], extra: Partial<AssessmentRecord> = {}): AssessmentRecord {
  return fakeAssessment(phases, {
    target: probes.url,
    targetName: `db-${probes.server.database}`,
    probes: { database: probes },
    ...extra,
  });
}
