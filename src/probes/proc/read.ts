// Reads one snapshot of a process's cumulative counters from /proc. Async and forgiving: a file
// that vanishes or is not ours to read becomes null; only a missing stat means the process is gone.
import { readFileSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import {
  parseAuxvClockTicks,
  parseCfsQuota,
  parseCgroupFile,
  parseCpuMax,
  parseCpuStat,
  parseIo,
  parseSchedstat,
  parseStat,
  parseStatus,
  type CpuStatFields,
  type IoFields,
  type StatFields,
  type StatusFields,
} from './parse.ts';
import type { CgroupInfo } from '../../record/proc-samples.ts';

export interface ThreadSnapshot {
  tid: number;
  comm: string;
  starttime: number;
  ticks: number;
  waitNs: number | null;
}

export interface ChildSnapshot {
  key: string;
  ticks: number;
  rssBytes: number | null;
}

export interface ProcSnapshot {
  /** performance.now() at the read, for intervals. */
  mono: number;
  wall: number;
  stat: StatFields;
  threads: ThreadSnapshot[];
  status: StatusFields | null;
  io: IoFields | null;
  openFds: number | null;
  cpuStat: CpuStatFields | null;
  children: ChildSnapshot[] | null;
}

const MAX_CHILDREN = 256;

async function readText(path: string): Promise<string | null> {
  try {
    return await readFile(path, 'utf8');
  } catch {
    return null;
  }
}

/**
 * USER_HZ from our own auxv (the kernel gives every process the same value). Falls back to 100,
 * the value on every mainstream Linux architecture, if auxv cannot be read.
 */
export async function readClockTicks(): Promise<number> {
  try {
    const buf = await readFile('/proc/self/auxv');
    const wordBytes = process.arch.endsWith('64') ? 8 : 4;
    return parseAuxvClockTicks(buf, wordBytes, (await import('node:os')).endianness() === 'LE') ?? 100;
  } catch {
    return 100;
  }
}

/**
 * CPU time (ms) a process and its threads have used so far (utime + stime of /proc/PID/stat), or
 * null when it is gone. `ticksPerSecond` is USER_HZ (readClockTicks; 100 on mainstream Linux).
 */
export function processCpuMs(pid: number, ticksPerSecond = 100): number | null {
  try {
    const stat = parseStat(readFileSync(`/proc/${pid}/stat`, 'utf8'));
    return ((stat.utime + stat.stime) * 1000) / ticksPerSecond;
  } catch {
    return null;
  }
}

/** Finds the cgroup directory whose cpu.stat carries throttling counters (v2, hybrid unified, or v1 cpu). */
export async function resolveCgroup(pid: number, root = '/sys/fs/cgroup'): Promise<CgroupInfo | null> {
  const text = await readText(`/proc/${pid}/cgroup`);
  if (text === null) return null;
  const paths = parseCgroupFile(text);
  const join = (base: string, p: string): string => (p === '/' ? base : `${base}${p}`);
  if (paths.v2 !== null) {
    for (const base of [root, `${root}/unified`]) {
      const dir = join(base, paths.v2);
      const stat = await readText(`${dir}/cpu.stat`);
      if (stat === null || parseCpuStat(stat) === null) continue;
      const max = await readText(`${dir}/cpu.max`);
      let quotaCores: number | null = null;
      try {
        quotaCores = max === null ? null : parseCpuMax(max);
      } catch {
        quotaCores = null;
      }
      return { path: paths.v2, version: 2, dir, quotaCores };
    }
  }
  if (paths.v1Cpu !== null) {
    for (const base of [`${root}/cpu`, `${root}/cpu,cpuacct`]) {
      const dir = join(base, paths.v1Cpu);
      const stat = await readText(`${dir}/cpu.stat`);
      if (stat === null || parseCpuStat(stat) === null) continue;
      const [q, p] = await Promise.all([readText(`${dir}/cpu.cfs_quota_us`), readText(`${dir}/cpu.cfs_period_us`)]);
      return { path: paths.v1Cpu, version: 1, dir, quotaCores: q !== null && p !== null ? parseCfsQuota(q, p) : null };
    }
  }
  return null;
}

async function readThread(pid: number, tid: number): Promise<ThreadSnapshot | null> {
  // The stat line already carries comm (same 15-character name as task/<tid>/comm): one read, not two.
  const [statText, schedText] = await Promise.all([
    readText(`/proc/${pid}/task/${tid}/stat`),
    readText(`/proc/${pid}/task/${tid}/schedstat`),
  ]);
  if (statText === null) return null; // the thread ended between readdir and read
  const s = parseStat(statText, `/proc/${pid}/task/${tid}/stat`);
  return {
    tid,
    comm: s.comm,
    starttime: s.starttime,
    ticks: s.utime + s.stime,
    waitNs: schedText === null ? null : parseSchedstat(schedText).waitNs,
  };
}

/** The processes started by `pid` and by them, breadth-first (at most MAX_CHILDREN). */
export async function descendants(pid: number): Promise<number[]> {
  // task/<tid>/children lists children started by that thread (CONFIG_PROC_CHILDREN); walk breadth-first.
  const found: number[] = [];
  const queue = [pid];
  while (queue.length > 0 && found.length < MAX_CHILDREN) {
    const p = queue.shift()!;
    const tids = await readdir(`/proc/${p}/task`).catch(() => [] as string[]);
    const lists = await Promise.all(tids.map((t) => readText(`/proc/${p}/task/${t}/children`)));
    for (const list of lists) {
      for (const c of (list ?? '').trim().split(/\s+/)) {
        if (c !== '' && found.length < MAX_CHILDREN) {
          found.push(Number(c));
          queue.push(Number(c));
        }
      }
    }
  }
  return found;
}

async function readChild(pid: number): Promise<ChildSnapshot | null> {
  const [statText, statusText] = await Promise.all([readText(`/proc/${pid}/stat`), readText(`/proc/${pid}/status`)]);
  if (statText === null) return null;
  const s = parseStat(statText, `/proc/${pid}/stat`);
  return {
    key: `${pid}:${s.starttime}`,
    ticks: s.utime + s.stime,
    rssBytes: statusText === null ? null : parseStatus(statusText).vmRssBytes,
  };
}

/** Returns null when the process no longer exists (or is a zombie waiting to be reaped). */
export async function readSnapshot(pid: number, cgroup: CgroupInfo | null, includeChildren: boolean): Promise<ProcSnapshot | null> {
  const mono = performance.now();
  const wall = Date.now();
  const statText = await readText(`/proc/${pid}/stat`);
  if (statText === null) return null;
  const stat = parseStat(statText, `/proc/${pid}/stat`);
  if (stat.state === 'Z' || stat.state === 'X') return null;
  const [tids, statusText, ioText, fds, cpuStatText, children] = await Promise.all([
    readdir(`/proc/${pid}/task`).catch(() => [] as string[]),
    readText(`/proc/${pid}/status`),
    readText(`/proc/${pid}/io`),
    readdir(`/proc/${pid}/fd`).then(
      (d) => d.length,
      () => null,
    ),
    cgroup === null ? Promise.resolve(null) : readText(`${cgroup.dir}/cpu.stat`),
    includeChildren ? descendants(pid).then((ps) => Promise.all(ps.map(readChild))) : Promise.resolve(null),
  ]);
  const threads = (await Promise.all(tids.map((t) => readThread(pid, Number(t))))).filter((t) => t !== null);
  let io: IoFields | null = null;
  try {
    io = ioText === null ? null : parseIo(ioText, `/proc/${pid}/io`);
  } catch {
    io = null;
  }
  return {
    mono,
    wall,
    stat,
    threads,
    status: statusText === null ? null : parseStatus(statusText),
    io,
    openFds: fds,
    cpuStat: cpuStatText === null ? null : parseCpuStat(cpuStatText),
    children: children === null ? null : children.filter((c) => c !== null),
  };
}
