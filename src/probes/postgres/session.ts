// The one way speedguard talks to a user's database: a single connection that is read-only unless
// the user passed --allow-writes, with statement and lock timeouts on every statement. Opened by
// openDb (connect.ts); everything in src/probes/postgres/ takes a DbSession, never a raw client.

export interface DbSession {
  /** Runs one statement (parameters as $1…); rows as plain objects. */
  query<T extends Record<string, unknown> = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T[]>;
  /** False only with --allow-writes (then still never a data-modifying statement: only CREATE INDEX inside a rolled-back transaction). */
  readonly readOnly: boolean;
  /** server_version_num, e.g. 150020. */
  readonly versionNum: number;
  /** The connection string without its password (safe to print and store). */
  readonly safeUrl: string;
  close(): Promise<void>;
}
