// Pure arithmetic: two snapshots → one interval sample; all samples → the summary.
// Kept apart from the reading so it is tested on hand-made snapshots.
import type { ProcSnapshot } from './read.ts';
import type { CgroupInfo, ProcMeasuredSummary, ProcSample, ThreadGroupSample, ThreadGroupSummary } from '../../record/proc-samples.ts';

const MIB = 1024 * 1024;

/** Groups numbered threads together: "GC Thread#3" → "GC Thread", "worker-12" → "worker"; a version stays ("python3.12"). */
export function threadGroupName(comm: string): string {
  const base = comm.replace(/(?<![.\d])[\s#_-]*\d+$/, '');
  return base === '' ? comm : base;
}

const delta = (a: number, b: number): number => Math.max(0, b - a);
const round = (x: number, digits = 3): number => Math.round(x * 10 ** digits) / 10 ** digits;

export function sampleBetween(prev: ProcSnapshot, cur: ProcSnapshot, pid: number, ticksPerSecond: number): ProcSample {
  const intervalMs = Math.max(1e-3, cur.mono - prev.mono);
  // ticks → % of one core over the interval
  const pct = (ticks: number): number => round((((ticks / ticksPerSecond) * 1000) / intervalMs) * 100, 2);

  // A thread is matched across snapshots by tid AND start time (tids are reused). A thread that
  // started during the interval counts all its ticks; one that ended is lost (the process total keeps it).
  const before = new Map(prev.threads.map((t) => [`${t.tid}:${t.starttime}`, t]));
  const groups = new Map<string, { threads: number; ticks: number }>();
  let mainTicks: number | null = null;
  let waitNs: number | null = null;
  for (const t of cur.threads) {
    const old = before.get(`${t.tid}:${t.starttime}`);
    const ticks = delta(old?.ticks ?? 0, t.ticks);
    const name = t.tid === pid ? 'main' : threadGroupName(t.comm);
    const g = groups.get(name) ?? { threads: 0, ticks: 0 };
    g.threads += 1;
    g.ticks += ticks;
    groups.set(name, g);
    if (t.tid === pid) mainTicks = ticks;
    if (t.waitNs !== null) waitNs = (waitNs ?? 0) + delta(old?.waitNs ?? 0, t.waitNs);
  }
  const threadGroups: ThreadGroupSample[] = [...groups]
    .map(([name, g]) => ({ name, threads: g.threads, cpuPercent: pct(g.ticks) }))
    .sort((a, b) => b.cpuPercent - a.cpuPercent || a.name.localeCompare(b.name));

  const ps = prev.status;
  const cs = cur.status;
  const ctx = (k: 'voluntaryCtxtSwitches' | 'nonvoluntaryCtxtSwitches'): number | null =>
    ps?.[k] != null && cs?.[k] != null ? delta(ps[k]!, cs[k]!) : null;

  let children: ProcSample['children'] = null;
  if (cur.children !== null) {
    const old = new Map((prev.children ?? []).map((c) => [c.key, c.ticks]));
    let ticks = 0;
    let rss = 0;
    for (const c of cur.children) {
      ticks += delta(old.get(c.key) ?? 0, c.ticks);
      rss += c.rssBytes ?? 0;
    }
    children = { count: cur.children.length, cpuPercent: pct(ticks), rssBytes: rss };
  }

  const utime = delta(prev.stat.utime, cur.stat.utime);
  const stime = delta(prev.stat.stime, cur.stat.stime);
  return {
    t: cur.wall,
    intervalMs: round(intervalMs),
    cpuPercent: pct(utime + stime),
    userPercent: pct(utime),
    systemPercent: pct(stime),
    numThreads: cur.stat.numThreads,
    mainThreadCpuPercent: mainTicks === null ? null : pct(mainTicks),
    threadGroups,
    rssBytes: cs?.vmRssBytes ?? null,
    hwmBytes: cs?.vmHwmBytes ?? null,
    voluntaryCtxtSwitches: ctx('voluntaryCtxtSwitches'),
    nonvoluntaryCtxtSwitches: ctx('nonvoluntaryCtxtSwitches'),
    io:
      prev.io && cur.io
        ? {
            readBytes: delta(prev.io.readBytes, cur.io.readBytes),
            writeBytes: delta(prev.io.writeBytes, cur.io.writeBytes),
            rchar: delta(prev.io.rchar, cur.io.rchar),
            wchar: delta(prev.io.wchar, cur.io.wchar),
          }
        : null,
    openFds: cur.openFds,
    runqueueWaitMs: waitNs === null ? null : round(waitNs / 1e6),
    throttling:
      prev.cpuStat && cur.cpuStat
        ? {
            nrPeriods: delta(prev.cpuStat.nrPeriods, cur.cpuStat.nrPeriods),
            nrThrottled: delta(prev.cpuStat.nrThrottled, cur.cpuStat.nrThrottled),
            throttledMs: round(delta(prev.cpuStat.throttledUs, cur.cpuStat.throttledUs) / 1000),
          }
        : null,
    children,
  };
}

/** Least-squares slope of y over x; null with fewer than two distinct x. */
export function leastSquaresSlope(points: ReadonlyArray<readonly [number, number]>): number | null {
  const n = points.length;
  if (n < 2) return null;
  let sx = 0,
    sy = 0;
  for (const [x, y] of points) {
    sx += x;
    sy += y;
  }
  const mx = sx / n,
    my = sy / n;
  let num = 0,
    den = 0;
  for (const [x, y] of points) {
    num += (x - mx) * (y - my);
    den += (x - mx) ** 2;
  }
  return den === 0 ? null : num / den;
}

export interface SummaryMeta {
  pid: number;
  exited: boolean;
  clockTicksPerSecond: number;
  cgroup: CgroupInfo | null;
}

export function summarise(samples: readonly ProcSample[], meta: SummaryMeta): ProcMeasuredSummary {
  const totalMs = samples.reduce((s, x) => s + x.intervalMs, 0);
  const seconds = totalMs / 1000;
  // Time-weighted mean, so an interval stretched by a slow read counts for its real length.
  const wmean = (f: (s: ProcSample) => number): number =>
    totalMs === 0 ? 0 : round(samples.reduce((a, s) => a + f(s) * s.intervalMs, 0) / totalMs, 2);

  const groupAcc = new Map<string, { weighted: number; maxThreads: number }>();
  for (const s of samples) {
    for (const g of s.threadGroups) {
      const acc = groupAcc.get(g.name) ?? { weighted: 0, maxThreads: 0 };
      acc.weighted += g.cpuPercent * s.intervalMs;
      acc.maxThreads = Math.max(acc.maxThreads, g.threads);
      groupAcc.set(g.name, acc);
    }
  }
  const allThreads = [...groupAcc.values()].reduce((a, g) => a + g.weighted, 0);
  const threadGroups: ThreadGroupSummary[] = [...groupAcc]
    .map(([name, g]) => ({
      name,
      cpuShare: allThreads === 0 ? 0 : round(g.weighted / allThreads),
      avgCpuPercent: totalMs === 0 ? 0 : round(g.weighted / totalMs, 2),
      maxThreads: g.maxThreads,
    }))
    .sort((a, b) => b.cpuShare - a.cpuShare || a.name.localeCompare(b.name));
  const main = groupAcc.get('main');

  const withRss = samples.filter((s) => s.rssBytes !== null);
  const slope = leastSquaresSlope(withRss.map((s) => [s.t / 60_000, s.rssBytes! / MIB] as const));
  const ctx = samples.filter((s) => s.voluntaryCtxtSwitches !== null && s.nonvoluntaryCtxtSwitches !== null);
  const ctxSec = ctx.reduce((a, s) => a + s.intervalMs, 0) / 1000;
  const io = samples.filter((s) => s.io !== null);
  const ioSec = io.reduce((a, s) => a + s.intervalMs, 0) / 1000;
  const fds = samples.filter((s) => s.openFds !== null);
  const rq = samples.filter((s) => s.runqueueWaitMs !== null);
  const th = samples.filter((s) => s.throttling !== null);
  const thMs = th.reduce((a, s) => a + s.intervalMs, 0);
  const nrPeriods = th.reduce((a, s) => a + s.throttling!.nrPeriods, 0);
  const nrThrottled = th.reduce((a, s) => a + s.throttling!.nrThrottled, 0);
  const sum = <T>(xs: readonly T[], f: (x: T) => number): number => xs.reduce((a, x) => a + f(x), 0);

  return {
    supported: true,
    pid: meta.pid,
    exited: meta.exited,
    samples: samples.length,
    durationMs: round(totalMs),
    clockTicksPerSecond: meta.clockTicksPerSecond,
    cpu:
      samples.length === 0
        ? null
        : {
            avgPercent: wmean((s) => s.cpuPercent),
            peakPercent: maxOf(samples, (s) => s.cpuPercent),
            userAvgPercent: wmean((s) => s.userPercent),
            systemAvgPercent: wmean((s) => s.systemPercent),
          },
    mainThreadShare: main === undefined || allThreads === 0 ? null : round(main.weighted / allThreads),
    threadGroups,
    rss:
      withRss.length === 0
        ? null
        : {
            peakBytes: maxOf(withRss, (s) => s.rssBytes!),
            lastBytes: withRss.at(-1)!.rssBytes!,
            slopeMBPerMin: slope === null ? null : round(slope),
          },
    hwmBytes: samples.findLast((s) => s.hwmBytes !== null)?.hwmBytes ?? null,
    ctxtSwitches:
      ctxSec === 0
        ? null
        : {
            voluntaryPerSec: round(sum(ctx, (s) => s.voluntaryCtxtSwitches!) / ctxSec, 1),
            nonvoluntaryPerSec: round(sum(ctx, (s) => s.nonvoluntaryCtxtSwitches!) / ctxSec, 1),
          },
    io:
      ioSec === 0
        ? null
        : {
            readBytesPerSec: round(sum(io, (s) => s.io!.readBytes) / ioSec, 1),
            writeBytesPerSec: round(sum(io, (s) => s.io!.writeBytes) / ioSec, 1),
            rcharPerSec: round(sum(io, (s) => s.io!.rchar) / ioSec, 1),
            wcharPerSec: round(sum(io, (s) => s.io!.wchar) / ioSec, 1),
          },
    openFds: fds.length === 0 ? null : { max: maxOf(fds, (s) => s.openFds!), last: fds.at(-1)!.openFds! },
    runqueueWaitShare: rq.length === 0 || seconds === 0 ? null : round(sum(rq, (s) => s.runqueueWaitMs!) / sum(rq, (s) => s.intervalMs)),
    throttling:
      thMs === 0
        ? null
        : {
            throttledShare: round(sum(th, (s) => s.throttling!.throttledMs) / thMs),
            nrThrottled,
            throttledPeriodShare: nrPeriods === 0 ? null : round(nrThrottled / nrPeriods),
          },
    cgroup: meta.cgroup,
  };
}

// A reduce, not Math.max(...xs): a day of 1-s samples would overflow the argument list.
function maxOf<T>(xs: readonly T[], f: (x: T) => number): number {
  return xs.reduce((m, x) => Math.max(m, f(x)), -Infinity);
}
