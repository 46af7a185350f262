// Starting, watching and stopping the service under test for `speedguard profile`: spawn the command
// with the Node agent injected, learn where it listens (the agent's hello, or --port), keep the tail
// of its output for "the target died" reports, and stop the whole process group at the end (so
// `npm start` and shell wrappers do not leave the real server behind).
import { spawn, type ChildProcess } from 'node:child_process';
import { connect } from 'node:net';
import { startAgentCollector, type AgentCollector } from './node-agent/collector.ts';
import type { AgentHello } from '../record/agent-samples.ts';
import type { TargetProcess } from '../record/target-probes.ts';
import { RuntimeFailure, UsageError } from '../errors.ts';
import { listenerOf } from './proc/listener.ts';

const TAIL_LINES = 20;
/** How long to wait for the launched process's own hello after a descendant's came first. */
const PREFER_SPAWNED_MS = 1500;

export class TargetError extends RuntimeFailure {
  override name = 'TargetError';
}

export interface StartTargetOptions {
  command: string[];
  /** Where it listens, when the agent cannot tell (non-Node targets). */
  port?: number;
  /** Inject the Node agent (default true). */
  agent?: boolean;
  startTimeoutMs?: number;
  env?: Record<string, string>;
}

export interface StartedTarget {
  /** The spawned process; null when attached to a running one (--pid). */
  child: ChildProcess | null;
  collector: AgentCollector | null;
  hello: AgentHello | null;
  /** The process to sample: the one that listens (the agent's hello, else the listening socket's owner), else the spawned one. */
  pid: number;
  port: number;
  /** Rejects never; resolves when the spawned process exits. */
  exited: Promise<{ code: number | null; signal: string | null }>;
  info(): TargetProcess;
  /** SIGTERM to the process group, SIGKILL after graceMs. */
  stop(graceMs?: number): Promise<void>;
}

function tail(buffer: string[], chunk: string): void {
  for (const line of chunk.split('\n')) if (line.trim()) buffer.push(line.slice(0, 500));
  if (buffer.length > TAIL_LINES) buffer.splice(0, buffer.length - TAIL_LINES);
}

async function waitForPort(port: number, until: number, died: () => boolean): Promise<void> {
  while (Date.now() < until) {
    if (died()) return;
    const ok = await new Promise<boolean>((resolve) => {
      const s = connect({ host: '127.0.0.1', port }, () => {
        s.destroy();
        resolve(true);
      });
      s.on('error', () => resolve(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new TargetError(`nothing listens on 127.0.0.1:${port} after ${Math.round((until - Date.now()) / 1000)} s`);
}

export async function startTarget(o: StartTargetOptions): Promise<StartedTarget> {
  if (o.command.length === 0)
    throw new UsageError('no command: give the command that starts the service after "--", e.g. speedguard profile -- node server.js');
  const collector = o.agent === false ? null : await startAgentCollector({ baseNodeOptions: process.env.NODE_OPTIONS ?? '' });
  const stderrTail: string[] = [];
  const startedAt = new Date().toISOString();
  let stoppedAt: string | null = null;
  let exit: { code: number | null; signal: string | null } | null = null;
  let stopping = false;
  const child = spawn(o.command[0]!, o.command.slice(1), {
    env: { ...process.env, ...(o.env ?? {}), ...(collector?.env ?? {}) },
    stdio: ['ignore', 'pipe', 'pipe'],
    // Its own process group: stop() signals the group, wrappers included.
    detached: true,
  });
  const exited = new Promise<{ code: number | null; signal: string | null }>((resolve) => {
    child.once('exit', (code, signal) => {
      exit = { code, signal };
      stoppedAt ??= new Date().toISOString();
      resolve(exit);
    });
    child.once('error', (e) => {
      tail(stderrTail, `failed to start: ${e.message}`);
      exit = { code: null, signal: null };
      resolve(exit);
    });
  });
  child.stdout!.on('data', (d: Buffer) => tail(stderrTail, d.toString()));
  child.stderr!.on('data', (d: Buffer) => tail(stderrTail, d.toString()));

  const timeout = o.startTimeoutMs ?? 30_000;
  let hello: AgentHello | null = null;
  let port = o.port ?? 0;
  // Without the agent's hello: the process that holds the listening socket (a shim or a wrapper
  // spawned it: pyenv's python3, sh -c, npm), else the spawned one.
  let listener: number | null = null;
  try {
    if (o.port) {
      await waitForPort(o.port, Date.now() + timeout, () => exit !== null);
      if (collector) hello = await collector.waitForHello(2000).catch(() => null);
      if (!hello && process.platform === 'linux') listener = await listenerOf(o.port, child.pid!);
    } else if (collector) {
      hello = await Promise.race([
        collector.waitForHello(timeout),
        exited.then((e) => {
          throw new TargetError(
            `the target exited before listening (code ` +
              `${e.code ?? e.signal})${stderrTail.length ? `: ${stderrTail.slice(-3).join(' | ')}` : ''}`,
          );
        }),
      ]);
      // A helper the service starts (a downstream, a worker server) may listen before the
      // service itself does: when the process we launched says hello too, follow it instead.
      if (hello.pid !== child.pid) {
        const until = Date.now() + PREFER_SPAWNED_MS;
        while (Date.now() < until && exit === null && !collector.hellos.some((h) => h.pid === child.pid))
          await new Promise((r) => setTimeout(r, 50));
        if (collector.follow(child.pid!)) hello = collector.hello ?? hello;
      }
      port = hello.port;
    } else {
      throw new TargetError('without the Node agent, give the port the service listens on with --port');
    }
    if (exit)
      throw new TargetError(
        `the target exited during start-up (code ` +
          `${(exit as { code: number | null }).code})${stderrTail.length ? `: ${stderrTail.slice(-3).join(' | ')}` : ''}`,
      );
  } catch (e) {
    try {
      process.kill(-child.pid!, 'SIGKILL');
    } catch {
      /* already gone */
    }
    await collector?.close();
    if (e instanceof TargetError) throw e;
    throw new TargetError(
      `the target did not start listening within ${timeout / 1000} s (${(e as Error).message}); is it a Node.js service? otherwise ` +
        `pass --port${stderrTail.length ? `. Its last output: ${stderrTail.slice(-3).join(' | ')}` : ''}`,
    );
  }

  const info = (): TargetProcess => ({
    command: o.command,
    pid: hello?.pid ?? listener ?? child.pid ?? null,
    port,
    startedAt,
    stoppedAt,
    died: exit !== null && !stopping,
    exitCode: exit ? (exit as { code: number | null }).code : null,
    signal: exit ? (exit as { signal: string | null }).signal : null,
    stderrTail: [...stderrTail],
  });
  return {
    child,
    collector,
    hello,
    pid: hello?.pid ?? listener ?? child.pid!,
    port,
    exited,
    info,
    async stop(graceMs = 5000) {
      // The group outlives its leader: a wrapper (sh, npm) may exit while the real server is still
      // shutting down, so wait for the listening process too, and escalate to SIGKILL after the grace.
      const served = hello?.pid ?? listener ?? undefined;
      if (exit === null) stopping = true;
      try {
        process.kill(-child.pid!, 'SIGTERM');
      } catch {
        /* gone */
      }
      const deadline = Date.now() + graceMs;
      await Promise.race([exited, new Promise((r) => setTimeout(r, graceMs))]);
      while (served !== undefined && alive(served) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      if (exit === null || (served !== undefined && alive(served))) {
        try {
          process.kill(-child.pid!, 'SIGKILL');
        } catch {
          /* gone */
        }
        if (served !== undefined)
          try {
            process.kill(served, 'SIGKILL');
          } catch {
            /* gone */
          }
        await Promise.race([exited, new Promise((r) => setTimeout(r, 1000))]);
      }
      stoppedAt ??= new Date().toISOString();
      await collector?.close();
    },
  };
}

/**
 * Attach to a process that is already running (any language): /proc probes only, no agent, no CPU
 * profile, and it is left running at the end. The caller names the port it serves on.
 */
export async function attachTarget(pid: number, port: number, timeoutMs = 10_000): Promise<StartedTarget> {
  try {
    process.kill(pid, 0);
  } catch {
    throw new TargetError(`no process with pid ${pid} (or not ours to watch)`);
  }
  await waitForPort(port, Date.now() + timeoutMs, () => false);
  const startedAt = new Date().toISOString();
  let stoppedAt: string | null = null;
  const exited = new Promise<{ code: number | null; signal: string | null }>(() => {});
  return {
    child: null,
    collector: null,
    hello: null,
    pid,
    port,
    exited,
    info: () => ({
      command: [`pid ${pid}`],
      pid,
      port,
      startedAt,
      stoppedAt,
      died: !alive(pid),
      exitCode: null,
      signal: null,
      stderrTail: [],
    }),
    async stop() {
      stoppedAt ??= new Date().toISOString();
    },
  };
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
