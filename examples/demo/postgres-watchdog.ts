// The demo PostgreSQL's watchdog (started by postgres.ts, one per cluster):
//   node postgres-watchdog.ts <temp folder> <data folder>
// It only waits. When its IPC channel to the process that started the cluster closes — that
// process called stop() (then there is nothing left to do) or died without it (a crash, kill -9, a
// second Ctrl-C) — it shuts the cluster down (fast, then immediate, then SIGKILL, each bounded) and
// removes the folder, so no postgres outlives the demo. Its own session: a terminal's Ctrl-C never
// reaches it.
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';

const [dir, dataDir] = process.argv.slice(2);
if (dir === undefined || dataDir === undefined || process.send === undefined) {
  process.stderr.write('postgres-watchdog: usage: node postgres-watchdog.ts <temp folder> <data folder> (with an IPC channel)\n');
  process.exit(2);
}

/** The postmaster's pid, as its parent told us (before the pid file exists) or as the pid file says. */
let told: number | null = null;
process.on('message', (m: { postmaster?: unknown }) => {
  if (typeof m?.postmaster === 'number') told = m.postmaster;
});

function postmasterPid(): number | null {
  try {
    const pid = Number(readFileSync(join(dataDir!, 'postmaster.pid'), 'utf8').split('\n')[0]);
    if (Number.isSafeInteger(pid) && pid > 0) return pid;
  } catch {
    // No pid file: stopped cleanly, or not started yet.
  }
  return told;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    // A pid is reused only after its process is gone: check it is still a postgres (Linux; elsewhere trust kill(0)).
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('postgres');
  } catch {
    return true;
  }
}

async function gone(pid: number, ms: number): Promise<boolean> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (!alive(pid)) return true;
    await new Promise((r) => setTimeout(r, 25));
  }
  return !alive(pid);
}

process.once('disconnect', async () => {
  const pid = postmasterPid();
  if (pid !== null && alive(pid)) {
    for (const [signal, ms] of [
      ['SIGINT', 10_000],
      ['SIGQUIT', 5_000],
      ['SIGKILL', 2_000],
    ] as const) {
      try {
        process.kill(pid, signal);
      } catch {
        break;
      }
      if (await gone(pid, ms)) break;
    }
  }
  rmSync(dir, { recursive: true, force: true });
  process.exit(0);
});
