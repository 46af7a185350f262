// Synthetic target probes (speedguard profile's `probes.target`) for audit and report tests: agent
// samples, /proc samples and summary, and a CPU-profile analysis, each from a few knobs per second.
// Attach with `record.probes.target = fakeTargetProbes({...})`.
import type { AgentSample, OutgoingOriginStats } from '../../src/record/agent-samples.ts';
import type { ProcMeasuredSummary, ProcSample } from '../../src/record/proc-samples.ts';
import type { CpuHotspot, CpuProfileAnalysis, TargetProbes } from '../../src/record/target-probes.ts';

export const T0 = Date.parse('2026-11-25T10:00:00.000Z');

export interface AgentSecond {
  elu?: number;
  delayP99?: number;
  delayMax?: number;
  /** GC pause ms in the second by kind. */
  gc?: { minor?: number; major?: number; count?: number };
  heapUsed?: number;
  external?: number;
  activeResources?: Record<string, number>;
  /** Incoming requests finished in the second and their mean time (ms). */
  requests?: number;
  requestMs?: number;
  inFlightMax?: number;
  httpOut?: Record<string, Partial<OutgoingOriginStats>>;
}

/** n agent samples, one per second from T0; `at(i)` varies a second. */
export function agentSamples(n: number, base: AgentSecond, at: (i: number) => AgentSecond = () => ({})): AgentSample[] {
  return Array.from({ length: n }, (_, i) => {
    const s = { ...base, ...at(i) };
    const elu = s.elu ?? 0.2;
    const gc: AgentSample['gc'] = {};
    const count = s.gc?.count ?? 10;
    if (s.gc?.minor) gc.minor = { count, totalMs: s.gc.minor, maxMs: (s.gc.minor / count) * 2 };
    if (s.gc?.major) gc.major = { count: 1, totalMs: s.gc.major, maxMs: s.gc.major };
    const requests = s.requests ?? 100;
    const httpOut: AgentSample['httpOut'] = {};
    for (const [origin, o] of Object.entries(s.httpOut ?? {})) {
      httpOut[origin] = { count: 0, totalMs: 0, maxMs: 0, errors: 0, inFlightMax: 1, clients: ['http'], ...o };
    }
    return {
      type: 'sample',
      time: T0 + (i + 1) * 1000,
      intervalMs: 1000,
      loopDelay: { count: 100, min: 0.01, mean: 0.4, p50: 0.3, p99: s.delayP99 ?? 2, max: s.delayMax ?? 5 },
      elu: { utilization: elu, activeMs: elu * 1000, idleMs: (1 - elu) * 1000 },
      gc,
      memory: { rss: 120e6, heapUsed: s.heapUsed ?? 40e6, heapTotal: 60e6, external: s.external ?? 3e6, arrayBuffers: 1e6 },
      activeResources: { TCPSocketWrap: 10, TCPServerWrap: 1, ...s.activeResources },
      cpu: { userMs: elu * 900, systemMs: elu * 100 },
      httpIn: {
        started: requests,
        inFlightMax: s.inFlightMax ?? 3,
        inFlight: 1,
        byMethodStatus: { 'GET 200': { count: requests, totalMs: requests * (s.requestMs ?? 5), maxMs: (s.requestMs ?? 5) * 3 } },
      },
      httpOut,
    };
  });
}

export interface ProcSecond {
  mainCpu?: number;
  /** libuv-worker group: threads and CPU % (of one core, summed). */
  libuv?: { threads: number; cpuPercent: number };
  rss?: number;
}

export function procSamples(n: number, base: ProcSecond, at: (i: number) => ProcSecond = () => ({})): ProcSample[] {
  return Array.from({ length: n }, (_, i) => {
    const s = { ...base, ...at(i) };
    const main = s.mainCpu ?? 20;
    const groups = [
      { name: 'main', threads: 1, cpuPercent: main },
      { name: 'V8Worker', threads: 4, cpuPercent: 5 },
    ];
    if (s.libuv) groups.push({ name: 'libuv-worker', ...s.libuv });
    const cpu = groups.reduce((a, g) => a + g.cpuPercent, 0);
    return {
      t: T0 + (i + 1) * 1000,
      intervalMs: 1000,
      cpuPercent: cpu,
      userPercent: cpu * 0.9,
      systemPercent: cpu * 0.1,
      numThreads: 11,
      mainThreadCpuPercent: main,
      threadGroups: groups,
      rssBytes: s.rss ?? 120e6,
      hwmBytes: 130e6,
      voluntaryCtxtSwitches: 500,
      nonvoluntaryCtxtSwitches: 5,
      io: null,
      openFds: 30,
      runqueueWaitMs: 1,
      throttling: null,
      children: null,
    };
  });
}

export function procSummary(samples: ProcSample[], over: Partial<ProcMeasuredSummary> = {}): ProcMeasuredSummary {
  const libuv = samples.flatMap((s) => s.threadGroups.filter((g) => g.name === 'libuv-worker'));
  const avg = samples.reduce((a, s) => a + s.cpuPercent, 0) / Math.max(samples.length, 1);
  return {
    supported: true,
    pid: 4242,
    exited: false,
    samples: samples.length,
    durationMs: samples.length * 1000,
    clockTicksPerSecond: 100,
    cpu: { avgPercent: avg, peakPercent: avg * 1.1, userAvgPercent: avg * 0.9, systemAvgPercent: avg * 0.1 },
    mainThreadShare: 0.8,
    threadGroups: [
      { name: 'main', cpuShare: 0.8, avgCpuPercent: 20, maxThreads: 1 },
      ...(libuv.length
        ? [
            {
              name: 'libuv-worker',
              cpuShare: 0.2,
              avgCpuPercent: libuv[0]!.cpuPercent,
              maxThreads: Math.max(...libuv.map((g) => g.threads)),
            },
          ]
        : []),
    ],
    rss: { peakBytes: 130e6, lastBytes: 120e6, slopeMBPerMin: 0 },
    hwmBytes: 130e6,
    ctxtSwitches: { voluntaryPerSec: 500, nonvoluntaryPerSec: 5 },
    io: null,
    openFds: { max: 30, last: 30 },
    runqueueWaitShare: 0.001,
    throttling: null,
    cgroup: null,
    ...over,
  };
}

export function hotspot(fn: string, over: Partial<CpuHotspot> = {}): CpuHotspot {
  return {
    function: fn,
    file: '/srv/app/server.mjs',
    line: 10,
    column: 3,
    selfMs: 100,
    selfShare: 0.1,
    totalMs: 100,
    totalShare: 0.1,
    category: 'user',
    ...over,
  };
}

export function cpuProfile(topSelf: CpuHotspot[], over: Partial<CpuProfileAnalysis> = {}): CpuProfileAnalysis {
  const topTotal = over.topTotal ?? [...topSelf].sort((a, b) => b.totalShare - a.totalShare);
  return {
    path: 'profile.cpuprofile',
    durationMs: 20_000,
    samples: 20_000,
    idleShare: 0.1,
    gcShare: 0.02,
    programShare: 0.05,
    topSelf,
    topTotal,
    flame: null,
    ...over,
  };
}

export function fakeTargetProbes(parts: {
  agent?: AgentSample[];
  proc?: ProcSample[];
  summary?: Partial<ProcMeasuredSummary>;
  cpuProfile?: CpuProfileAnalysis | null;
  hello?: Partial<NonNullable<NonNullable<TargetProbes['agent']>['hello']>>;
}): TargetProbes {
  const n = Math.max(parts.agent?.length ?? 0, parts.proc?.length ?? 0, 1);
  return {
    target: {
      command: ['node', 'server.mjs'],
      pid: 4242,
      port: 3000,
      startedAt: new Date(T0 - 2000).toISOString(),
      stoppedAt: new Date(T0 + n * 1000 + 1000).toISOString(),
      died: false,
      exitCode: null,
      signal: null,
      stderrTail: [],
    },
    window: { fromEpochMs: T0, toEpochMs: T0 + n * 1000 },
    agent: parts.agent
      ? {
          hello: {
            type: 'hello',
            protocol: 1,
            pid: 4242,
            ppid: 1,
            nodeVersion: 'v24.0.0',
            platform: 'linux',
            argv: ['node', 'server.mjs'],
            execArgv: [],
            port: 3000,
            address: '127.0.0.1',
            time: T0 - 1000,
            intervalMs: 1000,
            ...parts.hello,
          },
          samples: parts.agent,
        }
      : null,
    proc: parts.proc ? { samples: parts.proc, summary: procSummary(parts.proc, parts.summary) } : null,
    cpuProfile: parts.cpuProfile ?? null,
  };
}
