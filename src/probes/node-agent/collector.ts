// speedguard's side of the Node agent: a unix-socket server in a private temp dir that the agent in
// the target connects to. Give `env` to the target's spawn(); read `hello` and `samples`.
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { isAbsolute, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { AgentHello, AgentSample } from '../../record/agent-samples.ts';
import {
  AGENT_INTERVAL_ENV,
  AGENT_PROTOCOL_VERSION,
  AGENT_SOCKET_ENV,
  type AgentCommand,
  type AgentMessage,
  type HeapSnapshotWritten,
} from './protocol.ts';
import { asyncWaitImportFlag, sqlAgentImportFlag } from './companion-install.ts';
import { stripTypesQuietly } from '../../analysis/source/strip-types.ts';
import { BUILT, ownModule } from '../../own-files.ts';

export class AgentCollectorError extends Error {
  override name = 'AgentCollectorError';
}

export interface AgentCollectorOptions {
  /** Sample interval asked of the agent, ms (default 1000, min 100). */
  intervalMs?: number;
  /** NODE_OPTIONS the target would have had; ours is prepended. Default: process.env.NODE_OPTIONS. */
  baseNodeOptions?: string;
  /** How long a profiler command may take before its promise rejects, ms (default 30 000). */
  commandTimeoutMs?: number;
}

export interface CpuProfileOptions {
  /** Profiler sampling interval in µs (V8's default is 1000). */
  samplingIntervalUs?: number;
}

export interface HeapProfileOptions {
  /** Mean bytes allocated between samples. */
  samplingIntervalBytes?: number;
  /**
   * Keep the allocations the GC collected too (every sampled allocation: the allocation rate) instead
   * of only those still live at the stop (a leak's sites). Falls back silently to live-only where V8
   * cannot (before V8 11 / Node 20): see the answer's includesCollected.
   */
  includeCollected?: boolean;
}

export interface AgentCollector {
  socketPath: string;
  /** Add to the target's environment. */
  env: { NODE_OPTIONS: string; SPEEDGUARD_AGENT_SOCKET: string; SPEEDGUARD_AGENT_INTERVAL_MS?: string };
  /** The reporting process's hello (the first process that listened), once it arrived. */
  readonly hello: AgentHello | undefined;
  /** Every hello received, in order: more than one means several processes listened (cluster, …). */
  hellos: AgentHello[];
  /** Samples from the reporting process, in arrival order. */
  samples: AgentSample[];
  /** Resolves with the hello; rejects after timeoutMs. */
  waitForHello(timeoutMs?: number): Promise<AgentHello>;
  /**
   * Follow another process that said hello (by pid) instead of the first one: e.g. the spawned
   * service itself when a helper process it started listened first. Samples so far are dropped
   * (they were the other process's). Returns false when no hello came from that pid.
   */
  follow(pid: number): boolean;
  /**
   * Turns measuring off (no hooks, no timers, no samples) or back on in the followed process. It is
   * on from its hello. Lets a benchmark compare the same process with and without the agent's work.
   */
  setSampling(on: boolean): void;
  /** Calls cb for each new sample; returns an unsubscribe function. */
  onSample(cb: (sample: AgentSample) => void): () => void;
  startCpuProfile(opts?: CpuProfileOptions): Promise<void>;
  /** Stops the profile; the agent writes the .cpuprofile JSON to `path` (absolute) and the promise resolves after. */
  stopCpuProfile(path: string): Promise<void>;
  /** Starts the agent's sampling heap profiler (HeapProfiler.startSampling; V8's default interval is 32 KiB). */
  startHeapProfile(opts?: HeapProfileOptions): Promise<{ includesCollected: boolean }>;
  /** Stops it; the agent writes the SamplingHeapProfile JSON (.heapprofile) to `path` (absolute). */
  stopHeapProfile(path: string): Promise<void>;
  /** The target writes a V8 heap snapshot to `path` (absolute); refused above maxHeapBytes of heap used. */
  takeHeapSnapshot(path: string, maxHeapBytes: number): Promise<HeapSnapshotWritten>;
  close(): Promise<void>;
}

const AGENT_SOURCE = fileURLToPath(ownModule('./agent.ts', import.meta.url));
let strippedAgent: string | undefined;

/**
 * The agent as plain JS. The target may run Node 20/22 (no type stripping) and speedguard may be
 * installed under node_modules (where Node refuses to strip types), so the collector strips it
 * itself and hands the target a .mjs copy.
 */
function agentJavaScript(): string | undefined {
  if (strippedAgent !== undefined) return strippedAgent;
  // The build's agent.js is JavaScript already.
  const source = readFileSync(AGENT_SOURCE, 'utf8');
  const js = BUILT ? source : stripTypesQuietly(source);
  if (js !== null) strippedAgent = js;
  return js ?? undefined;
}

export async function startAgentCollector(opts: AgentCollectorOptions = {}): Promise<AgentCollector> {
  const intervalMs = opts.intervalMs;
  if (intervalMs !== undefined && !(Number.isFinite(intervalMs) && intervalMs >= 100)) {
    throw new AgentCollectorError(`startAgentCollector: intervalMs ${intervalMs} must be a number ≥ 100`);
  }
  const commandTimeoutMs = opts.commandTimeoutMs ?? 30_000;
  // mkdtemp makes the dir 0700: only this user can reach the socket (the agent can run a profiler).
  const dir = mkdtempSync(join(tmpdir(), 'sg-agent-'));
  const socketPath = join(dir, 'agent.sock');
  let agentFile = AGENT_SOURCE;
  const js = agentJavaScript();
  if (js !== undefined) {
    agentFile = join(dir, 'agent.mjs');
    writeFileSync(agentFile, js);
  }
  // A file URL needs no quoting in NODE_OPTIONS, even with spaces in the path.
  // + the N+1 detection's own --import (sql-agent.ts), loaded after the agent; '' when unavailable.
  const importFlag =
    `--import=${pathToFileURL(agentFile).href}` + (js !== undefined ? sqlAgentImportFlag(dir) + asyncWaitImportFlag(dir) : '');
  const base = opts.baseNodeOptions ?? process.env.NODE_OPTIONS ?? '';
  const env: AgentCollector['env'] = {
    NODE_OPTIONS: base ? `${importFlag} ${base}` : importFlag,
    [AGENT_SOCKET_ENV]: socketPath,
  };
  if (intervalMs !== undefined) env[AGENT_INTERVAL_ENV] = String(intervalMs);

  const hellos: AgentHello[] = [];
  const samples: AgentSample[] = [];
  const sampleListeners = new Set<(s: AgentSample) => void>();
  const helloWaiters: ((h: AgentHello) => void)[] = [];
  const pending = new Map<number, { resolve: (answer: AgentMessage) => void; reject: (e: Error) => void; timer: NodeJS.Timeout }>();
  let primary: net.Socket | undefined;
  let primaryHello: AgentHello | undefined;
  const socketOfPid = new Map<number, net.Socket>();
  let nextId = 1;
  const sockets = new Set<net.Socket>();

  const failPending = (why: string) => {
    for (const [id, p] of pending) {
      clearTimeout(p.timer);
      p.reject(new AgentCollectorError(why));
      pending.delete(id);
    }
  };

  // Agents measure only when told (protocol 2): the followed process, and no other.
  const setSampling = (socket: net.Socket, on: boolean) => {
    if (!socket.destroyed) socket.write(JSON.stringify({ cmd: 'sampling', id: 0, on } satisfies AgentCommand) + '\n');
  };

  const onMessage = (socket: net.Socket, msg: AgentMessage) => {
    if (msg.type === 'hello') {
      if (msg.protocol !== AGENT_PROTOCOL_VERSION) {
        socket.destroy();
        return;
      }
      hellos.push(msg);
      socketOfPid.set(msg.pid, socket);
      if (!primary) {
        primary = socket;
        primaryHello = msg;
        setSampling(socket, true);
        for (const w of helloWaiters.splice(0)) w(msg);
      }
      return;
    }
    if (socket !== primary) return;
    if (msg.type === 'sample') {
      samples.push(msg);
      for (const cb of sampleListeners) cb(msg);
      return;
    }
    const p = pending.get(msg.id);
    if (!p) return;
    pending.delete(msg.id);
    clearTimeout(p.timer);
    if (msg.type === 'error') p.reject(new AgentCollectorError(`agent: ${msg.message}`));
    else p.resolve(msg);
  };

  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.setEncoding('utf8');
    let buffered = '';
    socket.on('data', (chunk: string) => {
      buffered += chunk;
      let nl: number;
      while ((nl = buffered.indexOf('\n')) >= 0) {
        const line = buffered.slice(0, nl);
        buffered = buffered.slice(nl + 1);
        let msg: AgentMessage;
        try {
          msg = JSON.parse(line) as AgentMessage;
        } catch {
          continue;
        } // a torn line: skip it
        onMessage(socket, msg);
      }
    });
    socket.on('error', () => {});
    socket.on('close', () => {
      sockets.delete(socket);
      if (socket === primary) failPending('agent: the target closed the connection');
    });
  });
  server.listen(socketPath);
  await once(server, 'listening');
  server.unref();

  const command = (cmd: AgentCommand) =>
    new Promise<AgentMessage>((resolve, reject) => {
      if (!primary || primary.destroyed) {
        reject(new AgentCollectorError(`agent: ${cmd.cmd}: no target is connected`));
        return;
      }
      const timer = setTimeout(() => {
        pending.delete(cmd.id);
        reject(new AgentCollectorError(`agent: ${cmd.cmd} got no answer within ${commandTimeoutMs} ms`));
      }, commandTimeoutMs);
      pending.set(cmd.id, { resolve, reject, timer });
      primary.write(JSON.stringify(cmd) + '\n');
    });

  return {
    socketPath,
    env,
    get hello() {
      return primary ? primaryHello : undefined;
    },
    follow(pid: number) {
      const socket = socketOfPid.get(pid);
      const h = hellos.find((x) => x.pid === pid);
      if (!socket || !h || socket.destroyed) return false;
      if (socket !== primary) {
        failPending('agent: switched to another process');
        if (primary) setSampling(primary, false);
        setSampling(socket, true);
        primary = socket;
        primaryHello = h;
        samples.length = 0;
      }
      return true;
    },
    hellos,
    samples,
    waitForHello(timeoutMs = 10_000) {
      if (primary && primaryHello) return Promise.resolve(primaryHello);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          const i = helloWaiters.indexOf(done);
          if (i >= 0) helloWaiters.splice(i, 1);
          reject(new AgentCollectorError(`agent: no hello within ${timeoutMs} ms (did the target listen on a TCP port?)`));
        }, timeoutMs);
        const done = (h: AgentHello) => {
          clearTimeout(timer);
          resolve(h);
        };
        helloWaiters.push(done);
      });
    },
    setSampling(on) {
      if (primary) setSampling(primary, on);
    },
    onSample(cb) {
      sampleListeners.add(cb);
      return () => {
        sampleListeners.delete(cb);
      };
    },
    startCpuProfile(o = {}) {
      const interval = o.samplingIntervalUs;
      if (interval !== undefined && !(Number.isFinite(interval) && interval > 0)) {
        return Promise.reject(new AgentCollectorError(`startCpuProfile: samplingIntervalUs ${interval} must be a number > 0`));
      }
      return command({ cmd: 'cpu-profile-start', id: nextId++, samplingIntervalUs: interval }).then(() => {});
    },
    stopCpuProfile(path) {
      if (typeof path !== 'string' || !isAbsolute(path)) {
        return Promise.reject(new AgentCollectorError(`stopCpuProfile: path ${JSON.stringify(path)} must be absolute`));
      }
      return command({ cmd: 'cpu-profile-stop', id: nextId++, path }).then(() => {});
    },
    startHeapProfile(o = {}) {
      const interval = o.samplingIntervalBytes;
      if (interval !== undefined && !(Number.isFinite(interval) && interval > 0)) {
        return Promise.reject(new AgentCollectorError(`startHeapProfile: samplingIntervalBytes ${interval} must be a number > 0`));
      }
      return command({
        cmd: 'heap-profile-start',
        id: nextId++,
        samplingIntervalBytes: interval,
        includeCollected: o.includeCollected === true,
      }).then((answer) => ({ includesCollected: answer.type === 'heap-profile-started' && answer.includesCollected === true }));
    },
    stopHeapProfile(path) {
      if (typeof path !== 'string' || !isAbsolute(path)) {
        return Promise.reject(new AgentCollectorError(`stopHeapProfile: path ${JSON.stringify(path)} must be absolute`));
      }
      return command({ cmd: 'heap-profile-stop', id: nextId++, path }).then(() => {});
    },
    takeHeapSnapshot(path, maxHeapBytes) {
      if (typeof path !== 'string' || !isAbsolute(path)) {
        return Promise.reject(new AgentCollectorError(`takeHeapSnapshot: path ${JSON.stringify(path)} must be absolute`));
      }
      return command({ cmd: 'heap-snapshot', id: nextId++, path, maxHeapBytes }).then((answer) => {
        if (answer.type !== 'heap-snapshot-written') throw new AgentCollectorError(`agent: heap-snapshot answered ${answer.type}`);
        return answer;
      });
    },
    async close() {
      failPending('agent: collector closed');
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
