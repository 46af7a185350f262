// Start a fixture service in its own process (so it never shares a thread with the generator),
// wait for its "listening <port>" line, and stop it afterwards.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';

export interface ChildService {
  url: string;
  port: number;
  child: ChildProcess;
  stop(): Promise<void>;
}

export async function startChildService(file: string, env: Record<string, string> = {}, timeoutMs = 15_000): Promise<ChildService> {
  return startChildCommand([process.execPath, file], env, timeoutMs);
}

/** The same for any command (a native binary, another language's server). */
export async function startChildCommand(command: string[], env: Record<string, string> = {}, timeoutMs = 15_000): Promise<ChildService> {
  const file = command.join(' ');
  const child = spawn(command[0]!, command.slice(1), { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise<number>((resolve, reject) => {
    let buf = '';
    const timer = setTimeout(() => reject(new Error(`${file} did not start within ${timeoutMs} ms`)), timeoutMs);
    child.stdout!.on('data', (d: Buffer) => {
      buf += d.toString();
      const m = /listening (\d+)/.exec(buf);
      if (m) {
        clearTimeout(timer);
        resolve(Number(m[1]));
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${file} exited early with code ${code}`));
    });
  });
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    child,
    async stop() {
      if (child.exitCode !== null) return;
      child.kill('SIGTERM');
      await once(child, 'exit');
    },
  };
}
