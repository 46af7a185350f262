// The history database's schema and its migrations. `PRAGMA user_version` is the source of truth
// for the schema version (cheap to read, atomic with the migration); `schema_version` keeps the
// human-readable log of which migration ran when. Migrations only ever append to MIGRATIONS.
import type { DatabaseSync } from 'node:sqlite';
import { HistoryError } from './errors.ts';

interface Migration {
  version: number;
  description: string;
  sql: string;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    description: 'records table: whole record as JSON plus indexed summary columns',
    sql: `
      CREATE TABLE IF NOT EXISTS schema_version (
        version     INTEGER PRIMARY KEY,
        description TEXT NOT NULL,
        applied_at  TEXT NOT NULL
      );
      CREATE TABLE records (
        seq               INTEGER PRIMARY KEY AUTOINCREMENT,
        id                TEXT NOT NULL UNIQUE,
        kind              TEXT NOT NULL CHECK (kind IN ('run', 'assess')),
        target            TEXT NOT NULL,
        started_at        TEXT NOT NULL,
        ended_at          TEXT,
        status            TEXT NOT NULL,
        duration_ms       REAL,
        saved_at          TEXT NOT NULL,
        requests          INTEGER,
        rps               REAL,
        p50_ms            REAL,
        p95_ms            REAL,
        p99_ms            REAL,
        error_rate        REAL,
        sustainable_rps   REAL,
        findings_critical INTEGER,
        findings_high     INTEGER,
        findings_medium   INTEGER,
        findings_low      INTEGER,
        findings_info     INTEGER,
        size_bytes        INTEGER NOT NULL,
        record            TEXT NOT NULL
      );
      CREATE INDEX records_by_start ON records (started_at, seq);
      CREATE INDEX records_by_kind_start ON records (kind, started_at, seq);
    `,
  },
  {
    version: 2,
    description: 'records.command: the command that made the record (run, assess, profile, db, demo)',
    // Backfilled from the stored JSON: assessments carry `command` since it existed; older ones made
    // by `profile` are recognised by their probes.profile, the rest were made by assess.
    sql: `
      ALTER TABLE records ADD COLUMN command TEXT;
      UPDATE records SET command = CASE
        WHEN kind = 'run' THEN 'run'
        WHEN json_valid(record) AND json_extract(record, '$.command') IN ('assess', 'profile', 'db', 'demo')
          THEN json_extract(record, '$.command')
        WHEN json_valid(record) AND json_type(record, '$.probes.profile') IS NOT NULL THEN 'profile'
        ELSE 'assess' END;
    `,
  },
];

export const SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1]!.version;

function userVersion(db: DatabaseSync): number {
  const row = db.prepare('PRAGMA user_version').get() as { user_version: number };
  return Number(row.user_version);
}

/** Brings the database to SCHEMA_VERSION; safe when several processes open it at once. */
export function migrate(db: DatabaseSync, path: string): void {
  if (userVersion(db) === SCHEMA_VERSION) return;
  // IMMEDIATE takes the write lock first, so two processes cannot both run a migration; the
  // version is re-read under the lock because the other one may have just finished.
  db.exec('BEGIN IMMEDIATE');
  try {
    const current = userVersion(db);
    if (current > SCHEMA_VERSION) {
      throw new HistoryError(
        'newer_schema',
        `history database ${path} has schema version ${current}, newer than this speedguard knows (${SCHEMA_VERSION}): ` +
          `upgrade speedguard or pass another --history`,
      );
    }
    for (const m of MIGRATIONS) {
      if (m.version <= current) continue;
      db.exec(m.sql);
      db.prepare('INSERT INTO schema_version (version, description, applied_at) VALUES (?, ?, ?)').run(
        m.version,
        m.description,
        new Date().toISOString(),
      );
      // PRAGMA takes no bound parameters; the version is an integer from this file.
      db.exec(`PRAGMA user_version = ${m.version}`);
    }
    db.exec('COMMIT');
  } catch (e) {
    db.exec('ROLLBACK');
    throw e;
  }
}
