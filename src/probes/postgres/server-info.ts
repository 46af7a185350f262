// What kind of server we are looking at, and whether pg_stat_statements can be used — and if not,
// exactly what THIS server lacks (not loaded, not created in this database, or no permission to see
// other users' statements), so the user gets the steps for their situation, not a generic manual.
import type { DatabaseServerInfo } from '../../record/database-probes.ts';
import type { DbSession } from './session.ts';

/** "15.20" from 150020, "9.6.24" from 90624. */
export function versionFromNum(v: number): string {
  if (v >= 100000) return `${Math.floor(v / 10000)}.${v % 10000}`;
  return `${Math.floor(v / 10000)}.${Math.floor(v / 100) % 100}.${v % 100}`;
}

/** An SQL identifier, quoted only when it has to be. */
export function quoteIdent(name: string): string {
  return /^[a-z_][a-z0-9_$]*$/.test(name) ? name : `"${name.replace(/"/g, '""')}"`;
}

export interface PgStatStatementsState {
  /** true/false from shared_preload_libraries or the view's own error; null when neither could tell. */
  preloaded: boolean | null;
  /** The current shared_preload_libraries value, or null when this user may not read it. */
  preloadSetting: string | null;
  /** CREATE EXTENSION done in this database. */
  installed: boolean;
  /** The view can be selected from (only meaningful when installed and preloaded). */
  selectable: boolean;
  /** superuser or member of pg_read_all_stats: sees every user's statements. */
  seesAllUsers: boolean;
  database: string;
  user: string;
}

/** The shared_preload_libraries value with pg_stat_statements added to what is already there. */
function preloadListWith(setting: string | null): string {
  const existing = (setting ?? '')
    .split(',')
    .map((x) => x.trim().replace(/^"|"$/g, ''))
    .filter((x) => x !== '' && x !== 'pg_stat_statements');
  return [...existing, 'pg_stat_statements'].join(',');
}

/** Whether pg_stat_statements is usable and, when something is missing, the steps for exactly that. */
export function pgStatStatementsAdvice(st: PgStatStatementsState): { available: boolean; howToEnable: string | null } {
  const db = `"${st.database}"`;
  const create = `in database ${db} run, as a superuser: CREATE EXTENSION pg_stat_statements;`;
  const user = quoteIdent(st.user);
  if (st.preloaded === false) {
    const list = preloadListWith(st.preloadSetting);
    const keep = st.preloadSetting
      ? ` (this keeps the libraries already listed: '${st.preloadSetting}')`
      : st.preloadSetting === null
        ? ' (keep any libraries already listed there)'
        : '';
    return {
      available: false,
      howToEnable:
        `pg_stat_statements is not loaded by the server. 1) In postgresql.conf set shared_preload_libraries = '${list}'${keep}, ` +
        `or as a superuser run ALTER SYSTEM SET shared_preload_libraries = '${list}'; ` +
        '(managed services: set it in the parameter group / database flags). ' +
        `2) Restart PostgreSQL (a reload is not enough). ` +
        (st.installed ? `3) The extension already exists in database ${db}; nothing else is needed.` : `3) Then ${create}`),
    };
  }
  if (!st.installed) {
    const unknown =
      st.preloaded === null
        ? ' If it then reports that it "must be loaded via shared_preload_libraries", ' +
          'add pg_stat_statements to shared_preload_libraries in postgresql.conf ' +
          `(or ALTER SYSTEM SET shared_preload_libraries = '${preloadListWith(null)}', keeping any libraries already listed) ` +
          'and restart PostgreSQL.'
        : '';
    return { available: false, howToEnable: `pg_stat_statements is not created in database ${db}: ${create}${unknown}` };
  }
  if (!st.selectable) {
    return {
      available: false,
      howToEnable:
        `user ${user} may not read pg_stat_statements: as a superuser run ` +
        `GRANT pg_read_all_stats TO ${user}; and GRANT SELECT ON pg_stat_statements TO ${user};`,
    };
  }
  if (!st.seesAllUsers) {
    // Usable — the user's own statements are visible — but other users' statements are hidden.
    return {
      available: true,
      howToEnable:
        `user ${user} sees only its own statements in pg_stat_statements (others show as <insufficient privilege>): ` +
        `as a superuser run GRANT pg_read_all_stats TO ${user};`,
    };
  }
  return { available: true, howToEnable: null };
}

interface SettingRow extends Record<string, unknown> {
  name: string;
  setting: string | null;
  unit: string | null;
}

function kb(row: SettingRow | undefined): number {
  if (!row || row.setting === null) return 0;
  const n = Number(row.setting);
  const unit = row.unit ?? '';
  const m = /^(\d*)\s*(B|kB|MB|GB)$/.exec(unit);
  if (!m) return n;
  const mult = Number(m[1] || '1');
  const per = m[2] === 'B' ? 1 / 1024 : m[2] === 'kB' ? 1 : m[2] === 'MB' ? 1024 : 1024 * 1024;
  return Math.round(n * mult * per);
}

/** The schema the pg_stat_statements extension lives in, or null when not created in this database. */
export async function pgStatStatementsSchema(s: DbSession): Promise<string | null> {
  const r = await s.query<{ nspname: string }>(
    `SELECT n.nspname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace WHERE e.extname = 'pg_stat_statements'`,
  );
  return r[0]?.nspname ?? null;
}

export async function readServerInfo(s: DbSession): Promise<DatabaseServerInfo> {
  const [who] = await s.query<{ db: string; usr: string; superuser: boolean; read_all_stats: boolean }>(
    `SELECT current_database() AS db, current_user AS usr,
            coalesce((SELECT rolsuper FROM pg_roles WHERE rolname = current_user), false) AS superuser,
            pg_has_role(current_user, 'pg_read_all_stats', 'USAGE') AS read_all_stats`,
  );
  // pg_settings leaves out (or nulls) superuser-only settings such as shared_preload_libraries for other users.
  const settingRows = await s.query<SettingRow>(
    `SELECT name, setting, unit FROM pg_settings
      WHERE name IN ('shared_preload_libraries', 'track_io_timing', 'work_mem', 'shared_buffers', 'max_connections', 'random_page_cost')`,
  );
  const setting = (n: string) => settingRows.find((r) => r.name === n);
  const exts = await s.query<{ extname: string; extversion: string; nspname: string }>(
    `SELECT e.extname, e.extversion, n.nspname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace
      WHERE e.extname IN ('pg_stat_statements', 'hypopg')`,
  );
  const [avail] = await s.query<{ hypopg: boolean }>(
    `SELECT EXISTS (SELECT 1 FROM pg_available_extensions WHERE name = 'hypopg') AS hypopg`,
  );
  const pss = exts.find((e) => e.extname === 'pg_stat_statements');
  const hypo = exts.find((e) => e.extname === 'hypopg');

  const preloadSetting = setting('shared_preload_libraries')?.setting ?? null;
  let preloaded: boolean | null = preloadSetting === null ? null : /(^|[\s,"])pg_stat_statements([\s,"]|$)/.test(preloadSetting);
  let selectable = false;
  if (pss) {
    const view = `${quoteIdent(pss.nspname)}.pg_stat_statements`;
    const [priv] = await s.query<{ ok: boolean }>(`SELECT has_table_privilege($1, 'SELECT') AS ok`, [view]);
    selectable = priv?.ok === true;
    try {
      // showtext => false: does not read the (possibly large) query-text file.
      await s.query(`SELECT 1 FROM ${quoteIdent(pss.nspname)}.pg_stat_statements(false) LIMIT 1`);
      preloaded = true;
    } catch (e) {
      // 55000: "pg_stat_statements must be loaded via shared_preload_libraries".
      if ((e as { code?: string }).code === '55000') preloaded = false;
      else if ((e as { code?: string }).code === '42501') selectable = false;
      else throw e;
    }
  }
  const advice = pgStatStatementsAdvice({
    preloaded,
    preloadSetting,
    installed: pss !== undefined,
    selectable,
    seesAllUsers: who!.superuser || who!.read_all_stats,
    database: who!.db,
    user: who!.usr,
  });
  const sharedPreloadLibraries = preloadSetting ?? '';
  return {
    versionNum: s.versionNum,
    version: versionFromNum(s.versionNum),
    database: who!.db,
    settings: {
      sharedPreloadLibraries,
      trackIoTiming: setting('track_io_timing')?.setting === 'on',
      workMemKb: kb(setting('work_mem')),
      sharedBuffersKb: kb(setting('shared_buffers')),
      maxConnections: Number(setting('max_connections')?.setting ?? 0),
      randomPageCost: Number(setting('random_page_cost')?.setting ?? 0),
    },
    extensions: { pgStatStatements: pss?.extversion ?? null, hypopg: hypo?.extversion ?? null },
    pgStatStatements: advice,
    hypopgAvailable: avail?.hypopg === true || hypo !== undefined,
  };
}
