// speedguard's in-target agent. Loaded into the service under test with
//   NODE_OPTIONS="--import <file URL of this file, or of its type-stripped copy>"
// (works for ESM and CJS targets). NODE_OPTIONS reaches every node descendant (npm → sh → node), so
// the agent stays passive until its process starts listening on a TCP port: only that process reports.
// It then streams NDJSON (see protocol.ts) to the unix socket named in SPEEDGUARD_AGENT_SOCKET.
//
// Rules for this file: it must never crash, slow down noticeably or keep alive the target. Every
// timer and socket is unref'd, every callback is guarded, and on any socket trouble it goes quiet.
// It must run as plain JS after type stripping, on Node 20+: no runtime imports of project files
// (types only), no TS-only syntax, only node: built-ins.
import { randomBytes } from 'node:crypto';
import dc from 'node:diagnostics_channel';
import { writeFile } from 'node:fs/promises';
import net from 'node:net';
import { constants as perfConstants, createHistogram, performance, PerformanceObserver } from 'node:perf_hooks';
import v8 from 'node:v8';
import type {
  AgentHello,
  AgentSample,
  DurationStats,
  GcKind,
  GcKindStats,
  IncomingHttpStats,
  OutgoingOriginStats,
  ThreadpoolProbeStats,
} from '../../record/agent-samples.ts';
import type { AsyncWaitApi } from './async-waits.ts';
import type { AgentCommand, AgentMessage } from './protocol.ts';
import type { SqlAgentApi } from './sql-protocol.ts';

// Duplicated from protocol.ts on purpose: this file may only import types (see above).
const PROTOCOL_VERSION = 2;
const SOCKET_ENV = 'SPEEDGUARD_AGENT_SOCKET';
const INTERVAL_ENV = 'SPEEDGUARD_AGENT_INTERVAL_MS';
/** Past this much unsent data the collector is not reading: drop samples rather than buffer. */
const MAX_BACKLOG_BYTES = 4 * 1024 * 1024;
/** How often the threadpool probe submits its tiny job (ms): ~5 jobs/s, each a few µs of pool work. */
const POOL_PROBE_EVERY_MS = 200;
/** Bench only (bench/agent-overhead.ts --off): comma-separated parts to leave out, to bisect the agent's cost (… sql, async). */
const OFF = new Set((process.env.SPEEDGUARD_AGENT_OFF ?? '').split(','));

const socketPath = process.env[SOCKET_ENV];
// Guards against a second copy of the agent in the same process (NODE_OPTIONS given twice).
const GLOBAL_KEY = Symbol.for('speedguard.agent');
const g = globalThis as unknown as Record<symbol, unknown>;
if (socketPath && !g[GLOBAL_KEY]) {
  g[GLOBAL_KEY] = true;
  try {
    waitForListen((port, address, server) => activate(socketPath, port, address, server));
  } catch {
    // never break the target
  }
}

type Unsubscribe = () => void;

function waitForListen(onListen: (port: number, address: string, server: net.Server) => void): void {
  let fired = false;
  const unsubs: Unsubscribe[] = [];
  const seen = (server: net.Server | undefined) => {
    if (fired || !server) return;
    const addr = server.address();
    // Unix sockets and named pipes are not what a load test targets: keep waiting for a TCP port.
    if (!addr || typeof addr === 'string') return;
    fired = true;
    for (const u of unsubs) u();
    try {
      onListen(addr.port, addr.address, server);
    } catch {
      /* never break the target */
    }
  };
  // Node ≥ 22.4 / 20.16 publish the 'net.server.listen' tracing channel; asyncEnd fires once bound.
  const channel = 'tracing:net.server.listen:asyncEnd';
  const onEnd = (msg: unknown) => seen((msg as { server?: net.Server }).server);
  dc.subscribe(channel, onEnd);
  unsubs.push(() => dc.unsubscribe(channel, onEnd));
  // Older Node: wrap listen() to watch for the 'listening' event. Harmless duplicate on newer Node.
  const proto = net.Server.prototype;
  const original = proto.listen;
  const wrapped = function (this: net.Server, ...args: unknown[]) {
    try {
      this.once('listening', () => seen(this));
    } catch {
      /* ignore */
    }
    return (original as (...a: unknown[]) => net.Server).apply(this, args);
  };
  proto.listen = wrapped as typeof proto.listen;
  unsubs.push(() => {
    if (proto.listen === wrapped) proto.listen = original;
  });
}

function activate(path: string, port: number, address: string, server: net.Server): void {
  const intervalMs = Math.max(100, Number(process.env[INTERVAL_ENV]) || 1000);
  const stops: Unsubscribe[] = [];
  let quiet = false;
  const socket = net.createConnection(path);
  socket.unref();
  socket.setNoDelay?.(true);

  const send = (msg: AgentMessage) => {
    if (quiet || socket.destroyed || socket.writableLength > MAX_BACKLOG_BYTES) return;
    try {
      socket.write(JSON.stringify(msg) + '\n');
    } catch {
      goQuiet();
    }
  };
  const goQuiet = () => {
    if (quiet) return;
    quiet = true;
    for (const stop of stops.splice(0)) {
      try {
        stop();
      } catch {
        /* ignore */
      }
    }
    socket.destroy();
  };
  socket.on('error', goQuiet);
  socket.on('close', goQuiet);

  // Nothing is measured until the collector says 'sampling' on: only the process it follows pays for
  // the hooks and timers. The others that listen (a helper service the target spawned, workers of a
  // cluster) stay idle; a 10 ms timer alone costs an idle process ~1 % of a core in wake-ups, taken
  // from the core the target shares with it.
  const sampling: Unsubscribe[] = [];
  let sampler: (() => AgentSample) | undefined;
  const stopSampling = () => {
    sampler = undefined;
    for (const stop of sampling.splice(0)) {
      try {
        stop();
      } catch {
        /* ignore */
      }
    }
  };
  stops.push(stopSampling);
  const startSampling = () => {
    if (sampler || quiet) return;
    const collect = startCollecting(sampling, server);
    sampler = collect;
    const timer = setInterval(() => {
      try {
        send(collect());
      } catch {
        goQuiet();
      }
    }, intervalMs);
    timer.unref();
    sampling.push(() => clearInterval(timer));
  };
  const profiler = profilers(stops);
  socket.once('connect', () => {
    const hello: AgentHello = {
      type: 'hello',
      protocol: PROTOCOL_VERSION,
      pid: process.pid,
      ppid: process.ppid,
      nodeVersion: process.version,
      platform: process.platform,
      argv: process.argv,
      execArgv: process.execArgv,
      port,
      address,
      time: Date.now(),
      intervalMs,
    };
    const uv = Number(process.env.UV_THREADPOOL_SIZE);
    if (Number.isInteger(uv) && uv > 0) hello.uvThreadpoolSize = uv;
    try {
      hello.heapSizeLimit = v8.getHeapStatistics().heap_size_limit;
    } catch {
      /* optional */
    }
    send(hello);
  });

  let buffered = '';
  socket.setEncoding('utf8');
  socket.on('data', (chunk: string) => {
    buffered += chunk;
    if (buffered.length > 1024 * 1024) {
      goQuiet();
      return;
    } // a command is tiny; this is not our peer
    let nl: number;
    while ((nl = buffered.indexOf('\n')) >= 0) {
      const line = buffered.slice(0, nl);
      buffered = buffered.slice(nl + 1);
      let command: AgentCommand;
      try {
        command = JSON.parse(line) as AgentCommand;
      } catch {
        continue;
      }
      if (command?.cmd === 'sampling') {
        try {
          if (command.on) startSampling();
          else stopSampling();
        } catch {
          goQuiet();
        }
        send({ type: 'sampling', id: Number(command.id) || 0, on: sampler !== undefined });
        continue;
      }
      profiler(command).then(send, (err: unknown) => {
        send({ type: 'error', id: Number(command?.id) || 0, message: err instanceof Error ? err.message : String(err) });
      });
    }
  });
}

/** Subscribes to everything it measures; returns a function that builds the sample for the interval so far. */
function startCollecting(stops: Unsubscribe[], server: net.Server): () => AgentSample {
  const subscribe = (name: string, fn: (msg: unknown) => void) => {
    const guarded = (msg: unknown) => {
      try {
        fn(msg);
      } catch {
        /* never break the target */
      }
    };
    dc.subscribe(name, guarded);
    stops.push(() => dc.unsubscribe(name, guarded));
  };

  // Event-loop delay. Not monitorEventLoopDelay(): its reset() drops the first delay measured after it
  // (Node 24), so with a loop blocked back to back every per-interval window came out empty (count 0,
  // max 0) exactly when it matters. Instead an unref'd 10 ms timer records its own lateness into a
  // histogram whose reset we control; ~100 tiny callbacks/s. Values are ns.
  const delay = createHistogram();
  const resolutionMs = 10;
  let lastTick = performance.now();
  // Where requests wait (async-waits.ts, loaded by its own --import): weighted on this tick.
  const waits = OFF.has('async') ? undefined : (g[Symbol.for('speedguard.agent.async')] as AsyncWaitApi | undefined)?.start();
  if (waits) stops.push(() => waits.stop());
  const ticker = setInterval(() => {
    const now = performance.now();
    delay.record(Math.max(1, Math.round((now - lastTick - resolutionMs) * 1e6)));
    waits?.tick(now - lastTick, httpIn.inFlight > 0);
    lastTick = now;
  }, resolutionMs);
  ticker.unref();
  if (OFF.has('ticker')) clearInterval(ticker);
  stops.push(() => clearInterval(ticker));
  let prevElu = performance.eventLoopUtilization();
  let prevCpu = process.cpuUsage();
  let prevTime = performance.now();

  let gc: Partial<Record<GcKind, GcKindStats>> = {};
  const gcKinds: Record<number, GcKind> = {
    [perfConstants.NODE_PERFORMANCE_GC_MINOR]: 'minor',
    [perfConstants.NODE_PERFORMANCE_GC_MAJOR]: 'major',
    [perfConstants.NODE_PERFORMANCE_GC_INCREMENTAL]: 'incremental',
    [perfConstants.NODE_PERFORMANCE_GC_WEAKCB]: 'weakcb',
  };
  // The lowest heapUsed read just after a GC in the interval: what survived collection (the leak signal).
  let heapAfterGc: number | undefined;
  const gcObserver = new PerformanceObserver((list) => {
    if (!OFF.has('gcheap'))
      try {
        const used = v8.getHeapStatistics().used_heap_size;
        if (heapAfterGc === undefined || used < heapAfterGc) heapAfterGc = used;
      } catch {
        /* optional */
      }
    for (const entry of list.getEntries()) {
      const detail = (entry as unknown as { detail?: { kind?: number } }).detail;
      const kind = gcKinds[detail?.kind ?? (entry as unknown as { kind?: number }).kind ?? -1] ?? 'other';
      const s = (gc[kind] ??= { count: 0, totalMs: 0, maxMs: 0 });
      s.count++;
      s.totalMs += entry.duration;
      if (entry.duration > s.maxMs) s.maxMs = entry.duration;
    }
  });
  if (!OFF.has('gc')) gcObserver.observe({ entryTypes: ['gc'] });
  stops.push(() => gcObserver.disconnect());

  // Threadpool probe: one tiny crypto job at a time (crypto jobs are not listed by
  // getActiveResourcesInfo, so the fs/dns queue counts stay the target's own). Its submit → callback
  // time is the wait for a free pool thread (plus any event-loop delay before the callback runs).
  let pool: ThreadpoolProbeStats = { count: 0, meanMs: 0, maxMs: 0, pendingMs: 0 };
  let poolTotalMs = 0;
  let poolPendingSince: number | null = null;
  const poolTimer = setInterval(() => {
    if (poolPendingSince !== null) return;
    const t0 = performance.now();
    poolPendingSince = t0;
    try {
      randomBytes(1, () => {
        poolPendingSince = null;
        const ms = performance.now() - t0;
        pool.count++;
        poolTotalMs += ms;
        if (ms > pool.maxMs) pool.maxMs = ms;
      });
    } catch {
      poolPendingSince = null;
    }
  }, POOL_PROBE_EVERY_MS);
  poolTimer.unref();
  if (OFF.has('pool')) clearInterval(poolTimer);
  stops.push(() => clearInterval(poolTimer));

  // N+1 detection (sql-agent.ts, loaded by its own --import): statements per request, in sample.sql.
  const sql = OFF.has('sql') ? undefined : (g[Symbol.for('speedguard.agent.sql')] as SqlAgentApi | undefined)?.start();
  if (sql) stops.push(() => sql.stop());

  // Incoming HTTP. The start time rides on the response object under a private symbol: a WeakMap
  // keyed by every short-lived response makes each minor GC process ephemerons, which on an
  // allocation-heavy service cost ~15 % of its throughput (measured on the demo shop).
  const IN_START = Symbol('speedguard.start');
  type Timed = { [IN_START]?: number };
  let httpIn = emptyIncoming(0);
  // Request starts come from a 'request' listener put first on the server that listens, not from the
  // 'http.server.request.start' channel: subscribing to that channel cost the demo shop ~9 % of its
  // throughput (measured with bench/agent-overhead.ts), the listener well under 1 %.
  const onRequest = (_req: unknown, response: object) => {
    try {
      (response as Timed)[IN_START] = performance.now();
      httpIn.started++;
      httpIn.inFlight++;
      if (httpIn.inFlight > httpIn.inFlightMax) httpIn.inFlightMax = httpIn.inFlight;
      sql?.onRequest(response);
    } catch {
      /* never break the target */
    }
  };
  if (!OFF.has('request')) server.prependListener('request', onRequest);
  stops.push(() => {
    server.removeListener('request', onRequest);
  });
  // Response ends through the channel: a shared res.on('finish') listener added per request cost
  // twice as much on the demo shop (CPU-profile share of the 'finish' emission: +2.3 % vs +1.0 %; the
  // emitter turns its one listener into an array and copies it on every emit). The subscriber has
  // its own try/catch (no wrapper call) and reuses its "METHOD STATUS" keys: it runs per response.
  const keys: Record<string, Record<number, string>> = {};
  const onFinish = (msg: unknown) => {
    try {
      const { request, response } = msg as { request: { method?: string }; response: { statusCode: number } };
      const t0 = (response as Timed)[IN_START];
      if (t0 === undefined) return; // started before the agent woke up
      httpIn.inFlight = httpIn.inFlight > 0 ? httpIn.inFlight - 1 : 0;
      const method = request.method ?? '?';
      const status = response.statusCode;
      const byStatus = (keys[method] ??= {});
      const ms = performance.now() - t0;
      addDuration(httpIn.byMethodStatus, (byStatus[status] ??= `${method} ${status}`), ms);
      sql?.onFinish(request, response, ms);
    } catch {
      /* never break the target */
    }
  };
  if (!OFF.has('finish')) {
    dc.subscribe('http.server.response.finish', onFinish);
    stops.push(() => dc.unsubscribe('http.server.response.finish', onFinish));
  }

  // Outgoing HTTP per origin: node:http client and undici (which backs global fetch).
  let httpOut: Record<string, OutgoingOriginStats> = {};
  const outInFlight = new Map<string, number>();
  const outStart = new WeakMap<object, { origin: string; t0: number }>();
  const begin = (req: object, origin: string, client: 'http' | 'undici') => {
    outStart.set(req, { origin, t0: performance.now() });
    const s = (httpOut[origin] ??= { count: 0, totalMs: 0, maxMs: 0, errors: 0, inFlightMax: 0, clients: [] });
    if (!s.clients.includes(client)) s.clients.push(client);
    const n = (outInFlight.get(origin) ?? 0) + 1;
    outInFlight.set(origin, n);
    if (n > s.inFlightMax) s.inFlightMax = n;
  };
  const end = (req: object, failed: boolean) => {
    const started = outStart.get(req);
    if (!started) return;
    outStart.delete(req);
    const { origin, t0 } = started;
    outInFlight.set(origin, Math.max(0, (outInFlight.get(origin) ?? 1) - 1));
    const s = (httpOut[origin] ??= { count: 0, totalMs: 0, maxMs: 0, errors: 0, inFlightMax: 0, clients: [] });
    if (failed) {
      s.errors++;
      return;
    }
    const ms = performance.now() - t0;
    s.count++;
    s.totalMs += ms;
    if (ms > s.maxMs) s.maxMs = ms;
  };
  subscribe('http.client.request.start', (msg) => {
    const { request } = msg as { request: { protocol?: string; host?: string; getHeader(n: string): unknown } };
    // The Host header carries the port when it is not the default one.
    const host = String(request.getHeader('host') ?? request.host ?? '?');
    begin(request, `${request.protocol ?? 'http:'}//${host}`, 'http');
  });
  subscribe('http.client.response.finish', (msg) => end((msg as { request: object }).request, false));
  subscribe('http.client.request.error', (msg) => end((msg as { request: object }).request, true));
  subscribe('undici:request:create', (msg) => {
    const { request } = msg as { request: { origin?: unknown } };
    begin(request, String(request.origin ?? '?'), 'undici');
  });
  subscribe('undici:request:headers', (msg) => end((msg as { request: object }).request, false));
  subscribe('undici:request:error', (msg) => end((msg as { request: object }).request, true));

  return () => {
    const now = performance.now();
    const elu = performance.eventLoopUtilization();
    // Pass the previous reading: the delta over this interval, not the average since start (clinic's bug).
    const d = performance.eventLoopUtilization(elu, prevElu);
    prevElu = elu;
    const cpu = process.cpuUsage(prevCpu);
    prevCpu = process.cpuUsage();
    const mem = process.memoryUsage();
    const ns = 1e6;
    const count = delay.count;
    const sample: AgentSample = {
      type: 'sample',
      time: Date.now(),
      intervalMs: now - prevTime,
      loopDelay:
        count > 0
          ? {
              count,
              min: delay.min / ns,
              mean: delay.mean / ns,
              p50: delay.percentile(50) / ns,
              p99: delay.percentile(99) / ns,
              max: delay.max / ns,
            }
          : { count: 0, min: 0, mean: 0, p50: 0, p99: 0, max: 0 },
      elu: { utilization: d.utilization, activeMs: d.active, idleMs: d.idle },
      gc,
      memory: { rss: mem.rss, heapUsed: mem.heapUsed, heapTotal: mem.heapTotal, external: mem.external, arrayBuffers: mem.arrayBuffers },
      activeResources: countByType(process.getActiveResourcesInfo?.() ?? []),
      cpu: { userMs: cpu.user / 1000, systemMs: cpu.system / 1000 },
      httpIn,
      httpOut,
    };
    const pendingMs = poolPendingSince !== null ? now - poolPendingSince : 0;
    if (pool.count > 0 || pendingMs > 0) {
      sample.threadpoolProbe = {
        count: pool.count,
        meanMs: pool.count ? poolTotalMs / pool.count : 0,
        maxMs: Math.max(pool.maxMs, pendingMs),
        pendingMs,
      };
    }
    if (heapAfterGc !== undefined) sample.heapAfterGc = heapAfterGc;
    const sqlStats = sql?.take();
    if (sqlStats) sample.sql = sqlStats;
    const waitStats = waits?.take();
    if (waitStats) sample.asyncWaits = waitStats;
    heapAfterGc = undefined;
    pool = { count: 0, meanMs: 0, maxMs: 0, pendingMs: 0 };
    poolTotalMs = 0;
    delay.reset();
    prevTime = now;
    gc = {};
    httpIn = emptyIncoming(httpIn.inFlight);
    // Origins with calls still in flight stay listed so their in-flight level is not lost.
    httpOut = {};
    for (const [origin, n] of outInFlight) {
      if (n > 0) httpOut[origin] = { count: 0, totalMs: 0, maxMs: 0, errors: 0, inFlightMax: n, clients: [] };
      else outInFlight.delete(origin);
    }
    return sample;
  };
}

function emptyIncoming(inFlight: number): IncomingHttpStats {
  return { started: 0, inFlightMax: inFlight, inFlight, byMethodStatus: {} };
}

function addDuration(into: Record<string, DurationStats>, key: string, ms: number): void {
  const s = (into[key] ??= { count: 0, totalMs: 0, maxMs: 0 });
  s.count++;
  s.totalMs += ms;
  if (ms > s.maxMs) s.maxMs = ms;
}

function countByType(types: string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const t of types) out[t] = (out[t] ?? 0) + 1;
  return out;
}

interface InspectorSession {
  connect(): void;
  disconnect(): void;
  post(method: string, params?: object): Promise<unknown>;
}

/** Handles profiler commands (CPU and sampling heap); the inspector module is loaded only when a profile is asked for. */
function profilers(stops: Unsubscribe[]): (command: AgentCommand) => Promise<AgentMessage> {
  // One session per profiler: a CPU and a heap profile can run at the same time.
  let cpu: InspectorSession | undefined;
  let heap: InspectorSession | undefined;
  stops.push(() => {
    for (const s of [cpu, heap]) {
      try {
        s?.disconnect();
      } catch {
        /* ignore */
      }
    }
    cpu = undefined;
    heap = undefined;
  });
  const open = async () => {
    const { Session } = await import('node:inspector/promises');
    const s = new Session() as unknown as InspectorSession;
    s.connect();
    return s;
  };
  const write = async (s: InspectorSession, method: string, path: unknown, what: string) => {
    if (typeof path !== 'string' || !path) throw new Error(`${what}: missing "path"`);
    try {
      const { profile } = (await s.post(method)) as { profile: object };
      const json = JSON.stringify(profile);
      await writeFile(path, json);
      return { path, bytes: Buffer.byteLength(json) };
    } finally {
      s.disconnect();
    }
  };
  return async (command) => {
    if (command.cmd === 'cpu-profile-start') {
      if (cpu) throw new Error('cpu-profile-start: a CPU profile is already running');
      const s = await open();
      cpu = s;
      await s.post('Profiler.enable');
      const interval = Number(command.samplingIntervalUs);
      if (interval > 0) await s.post('Profiler.setSamplingInterval', { interval: Math.round(interval) });
      await s.post('Profiler.start');
      return { type: 'cpu-profile-started', id: command.id };
    }
    if (command.cmd === 'cpu-profile-stop') {
      const s = cpu;
      if (!s) throw new Error('cpu-profile-stop: no CPU profile is running');
      cpu = undefined;
      const w = await write(s, 'Profiler.stop', command.path, 'cpu-profile-stop');
      return { type: 'cpu-profile-written', id: command.id, ...w };
    }
    if (command.cmd === 'heap-profile-start') {
      if (heap) throw new Error('heap-profile-start: a heap profile is already running');
      const s = await open();
      heap = s;
      const interval = Number(command.samplingIntervalBytes);
      const params: Record<string, unknown> = interval > 0 ? { samplingInterval: Math.round(interval) } : {};
      // Without includeObjectsCollectedBy*GC flags the profile keeps only allocations still live
      // when it stops: what the window retained, i.e. where a leak allocates. With them it keeps
      // every sampled allocation: where the allocation rate (GC pressure) comes from. V8 has them
      // from 11.0 (Node 20); older ones ignore unknown parameters, so they are not even asked there.
      let includesCollected = command.includeCollected === true && Number(process.versions.v8.split('.')[0]) >= 11;
      if (includesCollected) {
        try {
          await s.post('HeapProfiler.startSampling', {
            ...params,
            includeObjectsCollectedByMajorGC: true,
            includeObjectsCollectedByMinorGC: true,
          });
        } catch {
          includesCollected = false;
        }
      }
      if (!includesCollected) await s.post('HeapProfiler.startSampling', params);
      return { type: 'heap-profile-started', id: command.id, includesCollected };
    }
    if (command.cmd === 'heap-profile-stop') {
      const s = heap;
      if (!s) throw new Error('heap-profile-stop: no heap profile is running');
      heap = undefined;
      const w = await write(s, 'HeapProfiler.stopSampling', command.path, 'heap-profile-stop');
      return { type: 'heap-profile-written', id: command.id, ...w };
    }
    if (command.cmd === 'heap-snapshot') {
      if (typeof command.path !== 'string' || !command.path) throw new Error('heap-snapshot: missing "path"');
      const mem = process.memoryUsage();
      if (mem.heapUsed > Number(command.maxHeapBytes))
        throw new Error(`heap-snapshot: the heap (${mem.heapUsed} bytes used) is larger than ${Number(command.maxHeapBytes)} bytes`);
      const t0 = performance.now();
      v8.writeHeapSnapshot(command.path);
      const pauseMs = performance.now() - t0;
      const { stat } = await import('node:fs/promises');
      const bytes = (await stat(command.path)).size;
      return {
        type: 'heap-snapshot-written',
        id: command.id,
        path: command.path,
        bytes,
        pauseMs,
        heapUsedBytes: mem.heapUsed,
        externalBytes: mem.external,
      };
    }
    throw new Error(`unknown command ${JSON.stringify((command as { cmd?: unknown }).cmd)}`);
  };
}
