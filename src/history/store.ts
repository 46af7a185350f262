// The run history: every `run` and `assess` record, stored whole (JSON) in an embedded SQLite
// database (node:sqlite, no native addon) with its key figures in indexed columns.
// Durability: WAL journal, synchronous=FULL and one BEGIN IMMEDIATE … COMMIT per save, so a
// kill -9 at any moment leaves a database that opens and holds every save() that returned.
import { existsSync, mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { SEVERITY_ORDER, type Severity } from '../record/findings.ts';
import { HistoryError } from './errors.ts';
import { redactRecord } from '../record/redact.ts';
import { MIN_PREFIX, parseRef } from './refs.ts';
import { migrate } from './schema.ts';
import { summarise, type HistorySummary, type StoredRecord } from './summary.ts';

export { HistoryError, type HistoryErrorCode } from './errors.ts';
export { SCHEMA_VERSION } from './schema.ts';
export type { HistorySummary, StoredRecord } from './summary.ts';

export const DEFAULT_HISTORY_PATH = '.speedguard/history.db';

export type RecordKind = 'run' | 'assess';
/** The command that made a record: `run`, or the assessment's command. */
export type RecordCommand = 'run' | 'assess' | 'profile' | 'db' | 'demo';

export interface HistoryEntry {
  id: string;
  kind: RecordKind;
  /** The command that made it (a profile is an assessment record made by `profile`). */
  command: RecordCommand;
  /** The plan's source (runs) or the assessed target (assessments), as stored (redacted). */
  target: string;
  status: string;
  startedAt: string;
  endedAt: string | null;
  durationMs: number | null;
  /** When the record was written to the history (ISO). */
  savedAt: string;
  /** Size of the stored JSON (bytes). */
  sizeBytes: number;
  summary: HistorySummary;
}

export interface OpenHistoryOptions {
  /** false: a missing database is an error (for commands that only read). Default true. */
  create?: boolean;
  /** How long to wait for another process's write lock (ms). Default 10 s. */
  busyTimeoutMs?: number;
}

export interface HistoryStore {
  readonly path: string;
  /** Stores the record (replacing one with the same id) in one transaction. */
  save(record: StoredRecord): void;
  /** ref: full id, unique prefix (≥ 6 chars), `latest`, `latest~N`; optionally only records of one kind. */
  get(ref: string, kind?: RecordKind): StoredRecord;
  /** Resolves a ref to its entry without parsing the stored record. */
  resolve(ref: string, kind?: RecordKind): HistoryEntry;
  /** Newest first (by start time). */
  list(limit?: number, kind?: RecordKind): HistoryEntry[];
  count(kind?: RecordKind): number;
  /** The shortest prefix of `id` (at least minLength) that no other stored id shares, like git's short hashes. */
  shortId(id: string, minLength?: number): string;
  close(): void;
}

interface Row {
  seq: number;
  id: string;
  kind: RecordKind;
  command: RecordCommand | null;
  target: string;
  status: string;
  started_at: string;
  ended_at: string | null;
  duration_ms: number | null;
  saved_at: string;
  size_bytes: number;
  requests: number | null;
  rps: number | null;
  p50_ms: number | null;
  p95_ms: number | null;
  p99_ms: number | null;
  error_rate: number | null;
  sustainable_rps: number | null;
  findings_critical: number | null;
  findings_high: number | null;
  findings_medium: number | null;
  findings_low: number | null;
  findings_info: number | null;
}

const ENTRY_COLUMNS =
  'seq, id, kind, command, target, status, started_at, ended_at, duration_ms, saved_at, size_bytes, requests, rps, p50_ms, p95_ms, ' +
  'p99_ms, error_rate, sustainable_rps, findings_critical, findings_high, findings_medium, findings_low, findings_info';
const NEWEST_FIRST = 'ORDER BY started_at DESC, seq DESC';

function toEntry(r: Row): HistoryEntry {
  const findings =
    r.kind === 'assess'
      ? (Object.fromEntries(SEVERITY_ORDER.map((s) => [s, Number(r[`findings_${s}` as keyof Row] ?? 0)])) as Record<Severity, number>)
      : null;
  return {
    id: r.id,
    kind: r.kind,
    command: r.command ?? r.kind,
    target: r.target,
    status: r.status,
    startedAt: r.started_at,
    endedAt: r.ended_at,
    durationMs: r.duration_ms,
    savedAt: r.saved_at,
    sizeBytes: Number(r.size_bytes),
    summary: {
      requests: r.requests === null ? null : Number(r.requests),
      rps: r.rps,
      p50Ms: r.p50_ms,
      p95Ms: r.p95_ms,
      p99Ms: r.p99_ms,
      errorRate: r.error_rate,
      sustainableRps: r.sustainable_rps,
      findings,
    },
  };
}

/** ISO timestamps sort correctly as text only when they share one format: normalise to toISOString. */
function isoOrRaw(s: string): string {
  const t = Date.parse(s);
  return Number.isFinite(t) ? new Date(t).toISOString() : s;
}

const COMMANDS: ReadonlySet<string> = new Set<RecordCommand>(['assess', 'profile', 'db', 'demo']);

/** `run` for runs; an assessment's own `command` (older records: assess). */
function commandOf(record: StoredRecord): RecordCommand {
  if (record.kind === 'run') return 'run';
  const c = (record as { command?: unknown }).command;
  return typeof c === 'string' && COMMANDS.has(c) ? (c as RecordCommand) : 'assess';
}

function checkRecord(record: StoredRecord): void {
  const r = record as unknown as Record<string, unknown> | null;
  const what = (field: string) => new HistoryError('bad_record', `cannot store record: field ${field} is missing or invalid`);
  if (!r || typeof r !== 'object') throw new HistoryError('bad_record', 'cannot store record: not an object');
  if (typeof r.id !== 'string' || r.id.length < MIN_PREFIX || /[\s\x00-\x1f]/.test(r.id)) throw what('id');
  if (r.kind !== 'run' && r.kind !== 'assess') throw what('kind');
  if (typeof r.startedAt !== 'string' || !Number.isFinite(Date.parse(r.startedAt))) throw what('startedAt');
  if (typeof r.status !== 'string') throw what('status');
}

function targetOf(record: StoredRecord): string {
  return record.kind === 'assess' ? String(record.target ?? '') : String(record.plan?.source ?? '');
}

function wrapOpenError(e: unknown, path: string): never {
  if (e instanceof HistoryError) throw e;
  const msg = (e as Error)?.message ?? String(e);
  if (/not a database|malformed|file is encrypted/i.test(msg)) {
    throw new HistoryError('not_a_database', `${path} is not a speedguard history database (${msg})`);
  }
  throw new HistoryError('not_a_database', `cannot open history database ${path}: ${msg}`);
}

export function openHistory(path: string, opts: OpenHistoryOptions = {}): HistoryStore {
  const file = resolve(path);
  if (!existsSync(file)) {
    if (opts.create === false) {
      throw new HistoryError(
        'missing_database',
        `no history database at ${path} (\`speedguard run\` and \`speedguard assess\` create it; pass --history PATH to read another)`,
      );
    }
    mkdirSync(dirname(file), { recursive: true });
  }
  let db: DatabaseSync;
  try {
    db = new DatabaseSync(file, { timeout: opts.busyTimeoutMs ?? 10_000 });
  } catch (e) {
    wrapOpenError(e, path);
  }
  try {
    // WAL: readers never block the writer and a torn write is simply an uncommitted WAL tail,
    // discarded on the next open. FULL: fsync on commit, so power loss keeps committed runs too
    // (one fsync per run is nothing next to the run itself).
    db.exec('PRAGMA journal_mode = WAL');
    db.exec('PRAGMA synchronous = FULL');
    migrate(db, path);
  } catch (e) {
    db.close();
    wrapOpenError(e, path);
  }

  const upsert = db.prepare(`
    INSERT INTO records (id, kind, command, target, started_at, ended_at, status, duration_ms, saved_at,
      requests, rps, p50_ms, p95_ms, p99_ms, error_rate, sustainable_rps,
      findings_critical, findings_high, findings_medium, findings_low, findings_info, size_bytes, record)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
    ON CONFLICT (id) DO UPDATE SET kind = excluded.kind, command = excluded.command, target = excluded.target,
      started_at = excluded.started_at, ended_at = excluded.ended_at, status = excluded.status,
      duration_ms = excluded.duration_ms, saved_at = excluded.saved_at,
      requests = excluded.requests, rps = excluded.rps, p50_ms = excluded.p50_ms, p95_ms = excluded.p95_ms,
      p99_ms = excluded.p99_ms, error_rate = excluded.error_rate, sustainable_rps = excluded.sustainable_rps,
      findings_critical = excluded.findings_critical, findings_high = excluded.findings_high,
      findings_medium = excluded.findings_medium, findings_low = excluded.findings_low,
      findings_info = excluded.findings_info, size_bytes = excluded.size_bytes, record = excluded.record`);
  const byId = db.prepare(`SELECT ${ENTRY_COLUMNS} FROM records WHERE id = ?`);
  // Prefix match on the unique index: ids in [prefix, prefix + U+10FFFF) — every id starting with it.
  const byPrefix = (kind: RecordKind | undefined) =>
    db.prepare(`SELECT ${ENTRY_COLUMNS} FROM records WHERE id >= ? AND id < ? ${kind ? 'AND kind = ?' : ''} ${NEWEST_FIRST} LIMIT 11`);
  const recordBySeq = db.prepare('SELECT record FROM records WHERE seq = ?');
  const idBefore = db.prepare('SELECT id FROM records WHERE id < ? ORDER BY id DESC LIMIT 1');
  const idAfter = db.prepare('SELECT id FROM records WHERE id > ? ORDER BY id ASC LIMIT 1');
  let open = true;

  const kindFilter = (kind: RecordKind | undefined) => (kind ? 'WHERE kind = ?' : '');
  const kindArgs = (kind: RecordKind | undefined) => (kind ? [kind] : []);
  const counted = (kind?: RecordKind) =>
    Number((db.prepare(`SELECT count(*) AS n FROM records ${kindFilter(kind)}`).get(...kindArgs(kind)) as { n: number }).n);
  const noun = (kind: RecordKind | undefined, n = 1) => {
    const s = n === 1 ? '' : 's';
    return kind === 'assess' ? `assessment${s}` : kind === 'run' ? `run${s} (kind run)` : `run${s}`;
  };

  function resolveRow(ref: string, kind?: RecordKind): Row {
    const parsed = parseRef(ref);
    if (parsed.type === 'latest') {
      const row = db
        .prepare(`SELECT ${ENTRY_COLUMNS} FROM records ${kindFilter(kind)} ${NEWEST_FIRST} LIMIT 1 OFFSET ?`)
        .get(...kindArgs(kind), parsed.back) as Row | undefined;
      if (row) return row;
      const n = counted(kind);
      throw new HistoryError(
        'not_found',
        n === 0
          ? `no ${noun(kind)} in history ${path} yet`
          : `${ref}: history ${path} holds only ${n} ${noun(kind, n)} (latest … latest~${n - 1})`,
      );
    }
    const exact = byId.get(parsed.id) as Row | undefined;
    if (exact && (!kind || exact.kind === kind)) return exact;
    if (!exact && parsed.id.length < MIN_PREFIX) {
      throw new HistoryError(
        'bad_ref',
        `run reference ${JSON.stringify(ref)} is too short: give at least ${MIN_PREFIX} characters of the id, latest or latest~N`,
      );
    }
    const rows = (byPrefix(kind).all(parsed.id, parsed.id + '\u{10FFFF}', ...kindArgs(kind)) as unknown as Row[]).filter((r) =>
      r.id.startsWith(parsed.id),
    );
    if (rows.length === 1) return rows[0]!;
    if (rows.length === 0) {
      const other = exact ? ` (${exact.id} is a ${exact.kind} record, not ${kind})` : '';
      throw new HistoryError(
        'not_found',
        `no ${noun(kind)} ${JSON.stringify(ref)} in history ${path}${other} — see \`speedguard history\``,
      );
    }
    const shown = rows
      .slice(0, 10)
      .map((r) => `${r.id} (${r.kind}, ${r.started_at}, ${r.target})`)
      .join('; ');
    throw new HistoryError(
      'ambiguous',
      `run reference ${JSON.stringify(ref)} is ambiguous: ${rows.length > 10 ? 'more than 10' : rows.length} runs start with it: ` +
        `${shown} — give more characters`,
    );
  }

  const ensureOpen = () => {
    if (!open) throw new Error(`history ${path} is closed`);
  };

  return {
    path: file,
    save(record) {
      ensureOpen();
      checkRecord(record);
      const json = JSON.stringify(record);
      const s = summarise(record);
      const f = s.findings;
      const args = [
        record.id,
        record.kind,
        commandOf(record),
        targetOf(record),
        isoOrRaw(record.startedAt),
        record.endedAt ? isoOrRaw(record.endedAt) : null,
        record.status,
        Number.isFinite(record.durationMs) ? record.durationMs : null,
        new Date().toISOString(),
        s.requests,
        s.rps,
        s.p50Ms,
        s.p95Ms,
        s.p99Ms,
        s.errorRate,
        s.sustainableRps,
        f?.critical ?? null,
        f?.high ?? null,
        f?.medium ?? null,
        f?.low ?? null,
        f?.info ?? null,
        Buffer.byteLength(json),
        json,
      ] as const;
      db.exec('BEGIN IMMEDIATE');
      try {
        upsert.run(...args);
        db.exec('COMMIT');
      } catch (e) {
        if (db.isTransaction) db.exec('ROLLBACK');
        throw e;
      }
    },
    get(ref, kind) {
      ensureOpen();
      const row = resolveRow(ref, kind);
      const { record } = recordBySeq.get(row.seq) as { record: string };
      // Records stored before redaction went by rule may hold secrets: scrub them on the way out too.
      return redactRecord(JSON.parse(record) as StoredRecord);
    },
    resolve(ref, kind) {
      ensureOpen();
      return toEntry(resolveRow(ref, kind));
    },
    list(limit, kind) {
      ensureOpen();
      const lim = limit === undefined || !Number.isFinite(limit) || limit < 0 ? -1 : Math.floor(limit);
      const rows = db
        .prepare(`SELECT ${ENTRY_COLUMNS} FROM records ${kindFilter(kind)} ${NEWEST_FIRST} LIMIT ?`)
        .all(...kindArgs(kind), lim) as unknown as Row[];
      return rows.map(toEntry);
    },
    count(kind) {
      ensureOpen();
      return counted(kind);
    },
    shortId(id, minLength = 8) {
      ensureOpen();
      // In sorted order, the ids sharing the longest prefix with `id` are its two neighbours.
      let common = 0;
      for (const row of [idBefore.get(id), idAfter.get(id)] as Array<{ id: string } | undefined>) {
        if (!row) continue;
        let n = 0;
        while (n < id.length && n < row.id.length && id[n] === row.id[n]) n++;
        common = Math.max(common, n);
      }
      return id.slice(0, Math.max(minLength, common + 1));
    },
    close() {
      if (!open) return;
      open = false;
      db.close();
    },
  };
}
