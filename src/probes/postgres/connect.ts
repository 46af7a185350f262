// Opens the one connection speedguard uses to look at a user's database (DbSession) and keeps the
// password out of everything it prints: redactDbUrl() is applied to every URL we show or store, and
// error texts from the driver are scrubbed of the password before they leave this file.
//
// Session guarantees, set with SET right after connecting (not with the startup `options`
// parameter, which connection poolers such as PgBouncer reject):
// - default_transaction_read_only = on (unless allowWrites): any data-modifying statement fails;
// - statement_timeout / lock_timeout: a probe never runs long or queues behind the application's locks;
// - idle_in_transaction_session_timeout: a crashed speedguard never leaves a transaction open.
// Every statement carries the comment `/* speedguard */` so that pg_stat_statements readers can drop
// speedguard's own statements (pg_stat_statements has no application_name to filter on). The
// comment goes AFTER the first keyword (`SELECT /* speedguard */ …`): PostgreSQL 18 stores a
// statement's text from its first token, so a leading comment would not reach pg_stat_statements.
// Comments are not part of the queryid: if the application runs the very same statement under the
// same role, the two share one entry whose text is whichever ran first.
import pg from 'pg';
import { RuntimeFailure, UsageError } from '../../errors.ts';
import type { DbSession } from './session.ts';

/** The comment every statement sent through a DbSession starts with. */
export const SPEEDGUARD_SQL_MARKER = '/* speedguard */';

/** A database URL that cannot be used (wrong scheme, unparsable): bad input, exit 2. */
export class DbInputError extends UsageError {
  override name = 'DbInputError';
}

/** The server could not be reached or refused us (refused, auth failure, unknown database, timeout). */
export class DbConnectError extends RuntimeFailure {
  override name = 'DbConnectError';
  /** SQLSTATE (e.g. 28P01, 3D000) or the socket error code (ECONNREFUSED), when known. */
  readonly code: string | null;
  constructor(message: string, code: string | null) {
    super(message);
    this.code = code;
  }
}

/** A statement failed. The message names the statement by its first line; parameters never appear. */
export class DbQueryError extends Error {
  override name = 'DbQueryError';
  /** SQLSTATE, e.g. 25006 (read-only transaction), 57014 (statement timeout), 55P03 (lock timeout). */
  readonly code: string | null;
  constructor(message: string, code: string | null) {
    super(message);
    this.code = code;
  }
}

export interface OpenDbOptions {
  /** --allow-writes: the session is not read-only (speedguard still only builds indexes in rolled-back transactions). */
  allowWrites?: boolean;
  /** Default 10 000 ms. */
  statementTimeoutMs?: number;
  /** Default 1 000 ms. */
  lockTimeoutMs?: number;
  /** Default 10 000 ms. */
  connectTimeoutMs?: number;
}

// Parameters whose value is a secret (password=, sslpassword=, …): in a URL's query string, and in
// a libpq keyword/value string (where values may be single-quoted).
const SECRET_QUERY_PARAM = /([?&])[a-z_]*password=[^&#]*/gi;
const SECRET_KEYWORD = /(^|\s+)[a-z_]*password\s*=\s*('(?:[^'\\]|\\.)*'?|\S*)/gi;

/**
 * The URL without its password: `postgres://user:secret@host/db?password=x&sslmode=require` →
 * `postgres://user@host/db?sslmode=require`. Works on strings that are not valid URLs too (libpq
 * `key=value` strings, unencoded special characters in the password), because it is also used on
 * the bad input we report.
 */
export function redactDbUrl(url: string): string {
  let out = String(url);
  const scheme = /^[a-z][a-z0-9+.-]*:\/\//i.exec(out);
  if (scheme) {
    const rest = out.slice(scheme[0].length);
    // The userinfo ends at the '@' after which the authority (up to /, ? or #) has no further '@':
    // a password with an unencoded '@' (user:p@ss@host) still ends at the last one.
    let at = -1;
    for (let i = rest.indexOf('@'); i !== -1; i = rest.indexOf('@', i + 1)) {
      const authority = /^[^/?#]*/.exec(rest.slice(i + 1))![0];
      if (!authority.includes('@')) {
        at = i;
        break;
      }
    }
    if (at !== -1) {
      const userinfo = rest.slice(0, at);
      const colon = userinfo.indexOf(':');
      const user = colon === -1 ? userinfo : userinfo.slice(0, colon);
      out = scheme[0] + (user === '' ? '' : `${user}@`) + rest.slice(at + 1);
    }
  }
  out = scheme ? out.replace(SECRET_QUERY_PARAM, '$1') : out.replace(SECRET_KEYWORD, '');
  // Tidy the separators left behind by removed parameters.
  return out
    .replace(/\?&+/, '?')
    .replace(/&{2,}/g, '&')
    .replace(/[?&]+(#|$)/, '$1');
}

/** The password as written in the URL and as decoded — both must never appear in anything we print. */
function passwordForms(url: string, parsed: URL | null): string[] {
  const forms = new Set<string>();
  if (parsed && parsed.password) {
    forms.add(parsed.password);
    try {
      forms.add(decodeURIComponent(parsed.password));
    } catch {
      /* keep the raw form */
    }
  }
  for (const m of url.matchAll(/[?&]([a-z_]*password)=([^&#]*)/gi)) {
    if (m[2]) {
      forms.add(m[2]);
      try {
        forms.add(decodeURIComponent(m[2]));
      } catch {
        /* raw form only */
      }
    }
  }
  if (process.env.PGPASSWORD) forms.add(process.env.PGPASSWORD);
  // Very short strings would garble every message and are no real secret to hide in one.
  return [...forms].filter((f) => f.length >= 4).sort((a, b) => b.length - a.length);
}

function scrub(text: string, secrets: string[]): string {
  let out = text;
  for (const s of secrets) out = out.split(s).join('***');
  return out;
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

/** `sql` with the marker comment after its first keyword (or at the end when it starts otherwise). */
export function markSql(sql: string): string {
  if (sql.includes(SPEEDGUARD_SQL_MARKER)) return sql;
  const m = /^\s*[A-Za-z]+/.exec(sql);
  return m ? `${m[0]} ${SPEEDGUARD_SQL_MARKER}${sql.slice(m[0].length)}` : `${sql}\n${SPEEDGUARD_SQL_MARKER}`;
}

/** The statement's first non-empty line (without our marker), for error messages. */
function firstLineOf(sql: string): string {
  const line =
    sql
      .split('\n')
      .map((l) => l.trim())
      .find((l) => l.length > 0) ?? '';
  return line.length > 120 ? `${line.slice(0, 117)}...` : line;
}

function checkUrl(url: string): URL {
  if (typeof url !== 'string' || url.trim() === '')
    throw new DbInputError('database URL is empty: expected postgres://user@host:port/database');
  if (!/^postgres(ql)?:\/\//i.test(url)) {
    throw new DbInputError(`database URL "${redactDbUrl(url).slice(0, 80)}" must start with postgres:// or postgresql://`);
  }
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new DbInputError(
      `database URL "${redactDbUrl(url)}" is not a valid URL ` +
        `(check the host, the port, and percent-encode special characters in the password)`,
    );
  }
  if (parsed.port !== '' && Number(parsed.port) === 0) throw new DbInputError(`database URL "${redactDbUrl(url)}" has port 0`);
  return parsed;
}

function positiveMs(name: string, v: number | undefined, dflt: number): number {
  if (v === undefined) return dflt;
  if (!Number.isFinite(v) || v <= 0) throw new DbInputError(`openDb: ${name} must be a positive number of milliseconds, got ${v}`);
  return Math.round(v);
}

/**
 * Connects to `url` with one pg.Client and returns the read-only, time-limited session.
 * Throws DbInputError for an unusable URL, DbConnectError when the server cannot be used.
 */
export async function openDb(url: string, o: OpenDbOptions = {}): Promise<DbSession> {
  const parsed = checkUrl(url);
  const safeUrl = redactDbUrl(url);
  const secrets = passwordForms(url, parsed);
  const statementTimeoutMs = positiveMs('statementTimeoutMs', o.statementTimeoutMs, 10_000);
  const lockTimeoutMs = positiveMs('lockTimeoutMs', o.lockTimeoutMs, 1_000);
  const connectTimeoutMs = positiveMs('connectTimeoutMs', o.connectTimeoutMs, 10_000);
  const readOnly = o.allowWrites !== true;

  let client: pg.Client;
  try {
    client = new pg.Client({
      connectionString: url,
      application_name: 'speedguard',
      connectionTimeoutMillis: connectTimeoutMs,
      keepAlive: true,
    });
  } catch (e) {
    // The driver's own parse (sslrootcert files, encodings …) failed.
    throw new DbInputError(`database URL "${safeUrl}" cannot be used: ${scrub(oneLine((e as Error).message), secrets)}`);
  }
  // A connection the server drops while idle must not crash the process: the next query fails instead.
  let broken: Error | null = null;
  client.on('error', (e) => {
    broken = e;
  });

  try {
    await client.connect();
  } catch (e) {
    await client.end().catch(() => {});
    const err = e as Error & { code?: string };
    throw new DbConnectError(`cannot connect to ${safeUrl}: ${scrub(oneLine(err.message || String(e)), secrets)}`, err.code ?? null);
  }

  const fail = (e: unknown, sql: string, params?: unknown[]): DbQueryError => {
    const err = e as Error & { code?: string };
    // Server messages can echo a parameter ('invalid input syntax for type integer: "…"'): hide them too.
    const values = (params ?? [])
      .map((p) => (p === null || p === undefined ? '' : typeof p === 'object' ? JSON.stringify(p) : String(p)))
      .filter((v) => v.length >= 3);
    const msg = scrub(
      scrub(oneLine(err?.message ?? String(e)), secrets),
      values.sort((a, b) => b.length - a.length),
    );
    return new DbQueryError(`${msg}${err?.code ? ` [SQLSTATE ${err.code}]` : ''} in: ${firstLineOf(sql)}`, err?.code ?? null);
  };

  // Idle sessions would be killed by idle_session_timeout on some servers; only in-transaction idling is limited here.
  const idleInTxMs = Math.max(60_000, statementTimeoutMs * 3);
  const setup = [
    `SET application_name = 'speedguard'`,
    `SET statement_timeout = ${statementTimeoutMs}`,
    `SET lock_timeout = ${lockTimeoutMs}`,
    `SET idle_in_transaction_session_timeout = ${idleInTxMs}`,
    ...(readOnly ? ['SET default_transaction_read_only = on'] : []),
    `SELECT current_setting('server_version_num')::int AS v`,
  ]
    .map(markSql)
    .join('; ');
  let versionNum: number;
  try {
    const results = (await client.query(setup)) as unknown as pg.QueryResult[];
    const last = Array.isArray(results) ? results[results.length - 1]! : (results as pg.QueryResult);
    versionNum = Number((last.rows[0] as { v: number }).v);
  } catch (e) {
    await client.end().catch(() => {});
    throw new DbConnectError(`cannot prepare the session on ${safeUrl}: ${fail(e, setup).message}`, (e as { code?: string }).code ?? null);
  }

  let closed = false;
  const session: DbSession = {
    readOnly,
    versionNum,
    safeUrl,
    async query<T extends Record<string, unknown> = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T[]> {
      if (closed) throw new DbQueryError(`the database session to ${safeUrl} is closed in: ${firstLineOf(sql)}`, null);
      if (broken)
        throw new DbQueryError(
          `the connection to ${safeUrl} was lost (${scrub(oneLine((broken as Error).message), secrets)}) in: ${firstLineOf(sql)}`,
          null,
        );
      try {
        const r = await client.query<T>(markSql(sql), params);
        return r.rows;
      } catch (e) {
        throw fail(e, sql, params);
      }
    },
    async close() {
      if (closed) return;
      closed = true;
      await client.end().catch(() => {});
    },
  };
  return session;
}
