// The real CLI as a user runs it (bin/speedguard.js on this Node), with colours off and CI set; the
// process is killed after `timeoutMs` so a hung command fails its test instead of the whole suite.
import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const BIN = fileURLToPath(new URL('../../bin/speedguard.js', import.meta.url));

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export function runCli(
  args: string[],
  o: { env?: NodeJS.ProcessEnv; timeoutMs?: number; cwd?: string; onSpawn?: (kill: (sig: NodeJS.Signals) => void) => void } = {},
): Promise<CliResult> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      env: { ...process.env, NO_COLOR: '1', CI: '1', ...o.env },
      ...(o.cwd ? { cwd: o.cwd } : {}),
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), o.timeoutMs ?? 90_000);
    o.onSpawn?.((sig) => child.kill(sig));
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

export interface LiveCli {
  child: ChildProcess;
  /** Output so far (grows while the command runs). */
  readonly stdout: string;
  readonly stderr: string;
  /** The exit code once the command ended (killed after `timeoutMs`). */
  code: Promise<number | null>;
}

/** The CLI started without waiting for it: for tests that signal it while it runs. */
export function startCli(args: string[], o: { timeoutMs?: number } = {}): LiveCli {
  const child = spawn(process.execPath, [BIN, ...args], { env: { ...process.env, NO_COLOR: '1', CI: '1' } });
  const live = { child, stdout: '', stderr: '' } as LiveCli & { stdout: string; stderr: string };
  child.stdout!.on('data', (d) => (live.stdout += d));
  child.stderr!.on('data', (d) => (live.stderr += d));
  const killer = setTimeout(() => child.kill('SIGKILL'), o.timeoutMs ?? 60_000);
  live.code = new Promise((resolve) =>
    child.on('close', (code) => {
      clearTimeout(killer);
      resolve(code);
    }),
  );
  return live;
}
