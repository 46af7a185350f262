// Installs the peer tools a benchmark compares against, only if they are missing.
// Debian packages through apt; autocannon through npm into a scratch prefix (never package.json).
import { existsSync } from 'node:fs';
import { sh } from './proc.ts';

const AUTOCANNON_PREFIX = '/tmp/sg-bench-peers';
/** autocannon's entry script; run with the repo's Node 24 so both Node tools use the same runtime. */
export const AUTOCANNON_JS = `${AUTOCANNON_PREFIX}/node_modules/autocannon/autocannon.js`;

const APT_FOR_COMMAND: Record<string, string> = {
  wrk: 'wrk',
  nginx: 'nginx-light',
  taskset: 'util-linux',
  '/usr/bin/time': 'time',
};

export type Peer = 'wrk' | 'nginx' | 'autocannon';

export async function ensurePeers(peers: Peer[]): Promise<void> {
  const commands = ['taskset', '/usr/bin/time', ...peers.filter((p) => p !== 'autocannon')];
  const missing: string[] = [];
  for (const c of commands) {
    if ((await sh(`command -v ${c} >/dev/null 2>&1`)).code !== 0) missing.push(APT_FOR_COMMAND[c] ?? c);
  }
  if (missing.length > 0) {
    console.error(`installing ${missing.join(' ')} with apt-get …`);
    const r = await sh(
      `apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq ${missing.join(' ')} >/dev/null`,
    );
    if (r.code !== 0) throw new Error(`apt-get install ${missing.join(' ')} failed (exit ${r.code}); install them by hand and re-run`);
  }
  if (peers.includes('autocannon') && !existsSync(AUTOCANNON_JS)) {
    console.error(`installing autocannon into ${AUTOCANNON_PREFIX} …`);
    const r = await sh(`npm install --no-save --no-audit --no-fund --prefix ${AUTOCANNON_PREFIX} autocannon >/dev/null`);
    if (r.code !== 0 || !existsSync(AUTOCANNON_JS)) throw new Error(`npm install autocannon into ${AUTOCANNON_PREFIX} failed`);
  }
}

/** Optional peers (wrk2 is not packaged by Debian): the command's path, or undefined. */
export async function findCommand(name: string): Promise<string | undefined> {
  const r = await sh(`command -v ${name} 2>/dev/null`);
  return r.code === 0 ? r.out.trim() : undefined;
}
