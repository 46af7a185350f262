// The demo's database as a process of its own: `speedguard demo` starts this file, reads one JSON line
// with the database's URL and figures, and later closes our stdin (or sends SIGTERM) to stop it. So the
// product starts the demo the way a user would (processes and URLs) and imports none of its code.
//
// Started in its own process group: a Ctrl-C in the terminal reaches speedguard, which ends the
// assessment first and then stops us in order. If speedguard dies (kill -9), our stdin closes and we
// stop anyway; if we die, postgres-watchdog.ts stops the cluster and removes its folder.
import { startDemoPostgres } from './postgres.ts';

const db = await startDemoPostgres().catch((error: unknown) => {
  process.stderr.write(`demo database: ${(error as Error).message}\n`);
  process.exit(1);
});
const { url, port, pid, dir, version, timings } = db;
process.stdout.write(JSON.stringify({ url, port, pid, dir, version, timings }) + '\n');

let stopping = false;
async function stop(): Promise<void> {
  if (stopping) return;
  stopping = true;
  await db.stop();
  process.exit(0);
}
process.on('SIGINT', () => {
  /* the terminal's Ctrl-C is speedguard's to handle: it stops us in order */
});
process.on('SIGTERM', () => void stop());
process.stdin.on('end', () => void stop());
process.stdin.on('error', () => void stop());
process.stdin.resume();
