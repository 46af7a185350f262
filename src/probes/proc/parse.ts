// Pure parsers for the Linux /proc and cgroup files the sampler reads (man 5 proc_pid_stat,
// proc_pid_status, proc_pid_io; Documentation/scheduler/sched-stats.rst; cgroup-v2.rst).
// They take the file text and never touch the file system, so they are tested on captured text.

export class ProcParseError extends Error {
  constructor(file: string, problem: string) {
    super(`${file}: ${problem}`);
    this.name = 'ProcParseError';
  }
}

export interface StatFields {
  pid: number;
  comm: string;
  state: string;
  /** In clock ticks (USER_HZ). */
  utime: number;
  stime: number;
  numThreads: number;
  /** Clock ticks after boot; with pid/tid it identifies a task across pid reuse. */
  starttime: number;
}

/**
 * /proc/<pid>/stat and /proc/<pid>/task/<tid>/stat. comm is "(name)" and the name may hold spaces
 * and parentheses (a thread can name itself "a) b ("), so split at the LAST ')'.
 */
export function parseStat(text: string, file = 'stat'): StatFields {
  const open = text.indexOf('(');
  const close = text.lastIndexOf(')');
  if (open < 0 || close < open) throw new ProcParseError(file, 'no "(comm)" field');
  const pid = Number(text.slice(0, open).trim());
  // Fields after comm start at field 3 (state); index i here is field i + 3.
  const rest = text
    .slice(close + 1)
    .trim()
    .split(/\s+/);
  if (!Number.isInteger(pid) || rest.length < 20) throw new ProcParseError(file, `expected at least 22 fields, got ${rest.length + 2}`);
  const num = (field: number): number => {
    const v = Number(rest[field - 3]);
    if (!Number.isFinite(v)) throw new ProcParseError(file, `field ${field} is not a number: "${rest[field - 3]}"`);
    return v;
  };
  return {
    pid,
    comm: text.slice(open + 1, close),
    state: rest[0]!,
    utime: num(14),
    stime: num(15),
    numThreads: num(20),
    starttime: num(22),
  };
}

export interface StatusFields {
  vmRssBytes: number | null;
  vmHwmBytes: number | null;
  threads: number | null;
  voluntaryCtxtSwitches: number | null;
  nonvoluntaryCtxtSwitches: number | null;
}

/** "Key:\tvalue [kB]" lines; a kernel thread or zombie lacks the Vm* lines, so each field is nullable. */
export function parseStatus(text: string): StatusFields {
  const map = keyValues(text, ':');
  const kb = (k: string): number | null => {
    const v = map.get(k);
    if (v === undefined) return null;
    const n = Number.parseInt(v, 10);
    return Number.isFinite(n) ? n * 1024 : null;
  };
  const n = (k: string): number | null => {
    const v = map.get(k);
    if (v === undefined) return null;
    const x = Number.parseInt(v, 10);
    return Number.isFinite(x) ? x : null;
  };
  return {
    vmRssBytes: kb('VmRSS'),
    vmHwmBytes: kb('VmHWM'),
    threads: n('Threads'),
    voluntaryCtxtSwitches: n('voluntary_ctxt_switches'),
    nonvoluntaryCtxtSwitches: n('nonvoluntary_ctxt_switches'),
  };
}

export interface IoFields {
  rchar: number;
  wchar: number;
  readBytes: number;
  writeBytes: number;
}

export function parseIo(text: string, file = 'io'): IoFields {
  const map = keyValues(text, ':');
  const get = (k: string): number => {
    const v = Number(map.get(k));
    if (!Number.isFinite(v) || map.get(k) === undefined) throw new ProcParseError(file, `missing or bad "${k}"`);
    return v;
  };
  return { rchar: get('rchar'), wchar: get('wchar'), readBytes: get('read_bytes'), writeBytes: get('write_bytes') };
}

export interface SchedstatFields {
  runNs: number;
  /** Time runnable but waiting on a runqueue. Zero on kernels without schedstats. */
  waitNs: number;
  timeslices: number;
}

export function parseSchedstat(text: string, file = 'schedstat'): SchedstatFields {
  const parts = text.trim().split(/\s+/).map(Number);
  if (parts.length < 3 || parts.some((p) => !Number.isFinite(p)))
    throw new ProcParseError(file, `expected 3 numbers, got "${text.trim()}"`);
  return { runNs: parts[0]!, waitNs: parts[1]!, timeslices: parts[2]! };
}

export interface CgroupPaths {
  /** The "0::/path" line (cgroup v2 unified hierarchy). */
  v2: string | null;
  /** The v1 hierarchy holding the cpu controller ("4:cpu,cpuacct:/path"). */
  v1Cpu: string | null;
}

export function parseCgroupFile(text: string): CgroupPaths {
  let v2: string | null = null;
  let v1Cpu: string | null = null;
  for (const line of text.split('\n')) {
    const first = line.indexOf(':');
    const second = line.indexOf(':', first + 1);
    if (first < 0 || second < 0) continue;
    const id = line.slice(0, first);
    const controllers = line.slice(first + 1, second);
    const path = line.slice(second + 1);
    if (id === '0' && controllers === '') v2 = path;
    else if (controllers.split(',').includes('cpu')) v1Cpu = path;
  }
  return { v2, v1Cpu };
}

export interface CpuStatFields {
  nrPeriods: number;
  nrThrottled: number;
  throttledUs: number;
}

/**
 * cgroup cpu.stat. v2 writes throttled_usec; v1 (and the hybrid "unified" mount) writes throttled_time
 * in ns. Returns null when the file has no throttling counters (the cpu controller is not enabled there).
 */
export function parseCpuStat(text: string): CpuStatFields | null {
  const map = keyValues(text, ' ');
  const nrThrottled = map.get('nr_throttled');
  if (nrThrottled === undefined) return null;
  const us = map.get('throttled_usec');
  const ns = map.get('throttled_time');
  const throttledUs = us !== undefined ? Number(us) : ns !== undefined ? Number(ns) / 1000 : 0;
  return { nrPeriods: Number(map.get('nr_periods') ?? 0), nrThrottled: Number(nrThrottled), throttledUs };
}

/** cgroup v2 cpu.max: "max 100000" (no limit) or "<quota> <period>" in µs. Returns cores. */
export function parseCpuMax(text: string, file = 'cpu.max'): number | null {
  const [quota, period] = text.trim().split(/\s+/);
  if (quota === 'max') return null;
  const q = Number(quota);
  const p = Number(period);
  if (!Number.isFinite(q) || !Number.isFinite(p) || p <= 0)
    throw new ProcParseError(file, `expected "<quota|max> <period>", got "${text.trim()}"`);
  return q / p;
}

/** cgroup v1 cpu.cfs_quota_us (-1 = no limit) and cpu.cfs_period_us. Returns cores. */
export function parseCfsQuota(quotaText: string, periodText: string): number | null {
  const q = Number(quotaText.trim());
  const p = Number(periodText.trim());
  if (!Number.isFinite(q) || q < 0 || !Number.isFinite(p) || p <= 0) return null;
  return q / p;
}

const AT_CLKTCK = 17n;

/**
 * Node cannot call sysconf(_SC_CLK_TCK), but the kernel hands the value to every process in its
 * auxiliary vector: /proc/self/auxv is (type, value) pairs of native words. Returns null if absent.
 */
export function parseAuxvClockTicks(buf: Uint8Array, wordBytes: 4 | 8 = 8, littleEndian = true): number | null {
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const word = (off: number): bigint =>
    wordBytes === 8 ? view.getBigUint64(off, littleEndian) : BigInt(view.getUint32(off, littleEndian));
  for (let off = 0; off + 2 * wordBytes <= buf.byteLength; off += 2 * wordBytes) {
    const type = word(off);
    if (type === 0n) break; // AT_NULL ends the vector
    if (type === AT_CLKTCK) {
      const v = Number(word(off + wordBytes));
      return v > 0 ? v : null;
    }
  }
  return null;
}

function keyValues(text: string, sep: string): Map<string, string> {
  const map = new Map<string, string>();
  for (const line of text.split('\n')) {
    const i = line.indexOf(sep);
    if (i <= 0) continue;
    map.set(line.slice(0, i).trim(), line.slice(i + 1).trim());
  }
  return map;
}
