// Off-CPU time of any process (issue 12): where its threads wait, sampled from speedguard's own
// process every few ms over the measured window — each thread's state (/proc/PID/task/TID/stat), the
// kernel function it sleeps in (wchan) and the system call it is in with its first argument
// (/proc/PID/task/TID/syscall). An fd argument is turned into what it is: a TCP peer (through
// /proc/PID/net/tcp{,6}; a client of a port the process listens on is "client …"), a file path, a
// pipe. The main thread is summarised on its own; the other threads (at most MAX_THREADS) by group
// of name (/proc/PID/task/TID/comm: libuv's pool is "libuv-worker"). Nothing runs in the target.
// Needs the right to read another process's syscall file (same user or root); without it the
// syscall is "unknown". proc(5): /proc/PID/task/TID/{stat,wchan,syscall,comm}.
import { closeSync, openSync, readdirSync, readFileSync, readlinkSync, readSync } from 'node:fs';
import type { MainThreadWaits, OffCpuWait, ThreadGroupWaits } from '../../record/proc-samples.ts';
import { threadGroupName } from './compute.ts';
import { readTcpTable, TCP_LISTEN, tcpAddress, tcpPort } from './tcp-table.ts';

/** x86-64 system call numbers of the calls a thread usually waits in (arch/x86/entry/syscalls/syscall_64.tbl). */
const X64: Record<number, string> = {
  0: 'read',
  1: 'write',
  7: 'poll',
  17: 'pread64',
  18: 'pwrite64',
  19: 'readv',
  20: 'writev',
  23: 'select',
  35: 'nanosleep',
  42: 'connect',
  43: 'accept',
  44: 'sendto',
  45: 'recvfrom',
  46: 'sendmsg',
  47: 'recvmsg',
  61: 'wait4',
  74: 'fsync',
  75: 'fdatasync',
  202: 'futex',
  230: 'clock_nanosleep',
  232: 'epoll_wait',
  257: 'openat',
  270: 'pselect6',
  271: 'ppoll',
  281: 'epoll_pwait',
  288: 'accept4',
  441: 'epoll_pwait2',
};
/** Calls whose first argument is a file descriptor worth naming. */
const FD_CALLS = new Set([
  'read',
  'write',
  'pread64',
  'pwrite64',
  'readv',
  'writev',
  'recvfrom',
  'sendto',
  'recvmsg',
  'sendmsg',
  'fsync',
  'fdatasync',
  'connect',
  'accept',
  'accept4',
]);
const MAX_WAITS = 12;
/** Other threads followed (each keeps three /proc files open), and the waits kept per group. */
export const MAX_THREADS = 32;
const MAX_GROUP_WAITS = 6;

export interface WaitSampler {
  /** The summary so far, sampling on (the window probes decide from it whether to trace). */
  peek(): MainThreadWaits | null;
  stop(): MainThreadWaits | null;
}

/** `threads: false` samples the main thread only (bench/off-cpu-sampler-cost.ts compares the two). */
export function startWaitSampler(pid: number, o: { intervalMs?: number; threads?: boolean } = {}): WaitSampler {
  const intervalMs = o.intervalMs ?? 20;
  const threads = o.threads === false ? null : startThreadWaits(pid, (fd) => objectOf(fd));
  const task = `/proc/${pid}/task/${pid}`;
  const counts = new Map<string, OffCpuWait>();
  let samples = 0;
  let running = 0;
  let disk = 0;
  let busy = false;
  let sockets = new Map<string, string>();
  const linkObject = new Map<string, string>();

  /** The TCP table by socket inode; re-read when an inode is not in it (a new connection: they can live a few ms). */
  const socketPeers = async (inode: string): Promise<Map<string, string>> => {
    if (sockets.has(inode)) return sockets;
    const next = new Map<string, string>();
    const rows = await readTcpTable(`/proc/${pid}/net`);
    // A connection to a port that is listening here is a client's, not a downstream.
    const listening = new Set(rows.filter((r) => r.state === TCP_LISTEN).map((r) => tcpPort(r.local)));
    for (const r of rows) {
      const peer =
        r.state === TCP_LISTEN
          ? `listening ${tcpAddress(r.local)}`
          : `${listening.has(tcpPort(r.local)) ? 'client' : 'tcp'} ${tcpAddress(r.remote)}`;
      next.set(r.inode, peer);
    }
    sockets = next;
    return sockets;
  };
  // A descriptor number is reused by the next connection: the link is read each time, what it
  // points to is cached by the link (a socket's inode, a path). Read synchronously: one readlink,
  // where the promise API's round trip through the threadpool cost several times more.
  const objectOf = async (fd: number): Promise<string | null> => {
    let link: string | null;
    try {
      link = readlinkSync(`/proc/${pid}/fd/${fd}`);
    } catch {
      link = null;
    }
    if (!link) return null;
    const cached = linkObject.get(link);
    if (cached !== undefined) return cached;
    let what: string | null = link;
    const socket = /^socket:\[(\d+)\]$/.exec(link);
    if (socket) what = (await socketPeers(socket[1]!)).get(socket[1]!) ?? null;
    else if (link.startsWith('pipe:')) what = 'pipe';
    else if (link.startsWith('anon_inode:')) what = link.slice('anon_inode:'.length).replace(/^\[|\]$/g, '');
    if (what === null) return 'socket'; // not in the table yet: asked again next time
    if (linkObject.size >= 4096) linkObject.clear();
    linkObject.set(link, what);
    return what;
  };

  // Opened once and read again at each tick (see ThreadFiles): no open/close per read.
  let main: ThreadFiles | null = null;
  try {
    main = openThread(task);
  } catch {
    main = null; // gone already: no samples, no summary
  }
  const buf = Buffer.alloc(4096);
  const sample = async () => {
    if (busy || !main) return;
    busy = true;
    try {
      const stat = readAt0(main.stat, buf);
      const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
      samples++;
      if (state === 'R') running++;
      else {
        if (state === 'D') disk++;
        const wchan = readAt0(main.wchan, buf);
        const wait = await waitOf(readAt0(main.syscall, buf), wchan, objectOf);
        // It ran again between the two reads.
        if (wait === 'running') running++;
        else count(counts, wait);
      }
      await threads?.sample();
    } catch {
      /* the thread is gone: the next read says so too */
    } finally {
      busy = false;
    }
  };
  const timer = setInterval(() => void sample(), intervalMs);
  timer.unref();
  let result: MainThreadWaits | null | undefined;
  const summary = (): MainThreadWaits | null => {
    const groups = threads?.summary() ?? { groups: [], capped: false };
    if (samples === 0) return null;
    return {
      intervalMs,
      samples,
      runningShare: share(running, samples),
      diskShare: share(disk, samples),
      waits: topWaits(counts, samples, MAX_WAITS),
      ...(threads ? { threadGroups: groups.groups } : {}),
      ...(groups.capped ? { threadsCapped: true } : {}),
    };
  };
  return {
    peek: () => (result !== undefined ? result : summary()),
    stop() {
      clearInterval(timer);
      if (result !== undefined) return result;
      if (main) closeThread(main);
      main = null;
      threads?.stop();
      return (result = summary());
    },
  };
}

const share = (n: number, of: number) => (of > 0 ? Math.round((n / of) * 1e4) / 1e4 : 0);

function topWaits(counts: Map<string, OffCpuWait>, samples: number, max: number): OffCpuWait[] {
  return [...counts.values()]
    .sort((a, b) => b.samples - a.samples)
    .slice(0, max)
    .map((w) => ({ ...w, share: share(w.samples, samples) }));
}

function count(counts: Map<string, OffCpuWait>, w: { syscall: string; wchan: string; object: string | null }): void {
  const key = `${w.syscall}\n${w.wchan}\n${w.object ?? ''}`;
  const c = counts.get(key);
  if (c) c.samples++;
  else counts.set(key, { ...w, samples: 1, share: 0 });
}

/** A sleeping thread's wait from its syscall and wchan files; "running" when it ran again between the reads. */
async function waitOf(
  sys: string,
  wchan: string,
  objectOf: (fd: number) => Promise<string | null>,
): Promise<{ syscall: string; wchan: string; object: string | null } | 'running'> {
  const fields = sys.trim().split(/\s+/);
  if (fields[0] === 'running') return 'running';
  const nr = Number(fields[0]);
  const names = process.arch === 'x64' ? X64 : {};
  const syscall = !sys ? 'unknown' : nr < 0 ? 'none' : (names[nr] ?? `syscall ${nr}`);
  const object = FD_CALLS.has(syscall) && fields[1] ? await objectOf(Number.parseInt(fields[1], 16)) : null;
  return { syscall, wchan: wchan.trim() || '0', object };
}

/**
 * A thread's /proc files, kept open and read again from offset 0 at each tick: the kernel's seq_file
 * generates them anew on a read at 0, so one pread replaces an open/read/close (through the
 * threadpool, for the asynchronous API). wchan and syscall are null when not ours to read (the
 * syscall is then "unknown", as before).
 */
interface ThreadFiles {
  stat: number;
  wchan: number | null;
  syscall: number | null;
}

function openThread(dir: string): ThreadFiles {
  const stat = openSync(`${dir}/stat`, 'r');
  const optional = (f: string) => {
    try {
      return openSync(`${dir}/${f}`, 'r');
    } catch {
      return null;
    }
  };
  return { stat, wchan: optional('wchan'), syscall: optional('syscall') };
}

function closeThread(t: ThreadFiles): void {
  for (const fd of [t.stat, t.wchan, t.syscall]) if (fd !== null) closeSync(fd);
}

/** The file's text from offset 0; '' for a file not open. Throws when the thread is gone (ESRCH). */
function readAt0(fd: number | null, buf: Buffer): string {
  return fd === null ? '' : buf.toString('utf8', 0, readSync(fd, buf, 0, buf.length, 0));
}

interface FollowedThread extends ThreadFiles {
  group: string;
}

interface GroupCounts {
  tids: Set<number>;
  samples: number;
  running: number;
  disk: number;
  counts: Map<string, OffCpuWait>;
}

/**
 * The other threads of `pid`, sampled at the main sampler's ticks. Synchronous reads of files kept
 * open: one pread each instead of open/read/close through the threadpool, for up to MAX_THREADS
 * threads every tick (the cost is measured in bench/off-cpu-threads.ts).
 */
function startThreadWaits(pid: number, objectOf: (fd: number) => Promise<string | null>) {
  const followed = new Map<number, FollowedThread>();
  const groups = new Map<string, GroupCounts>();
  const buf = Buffer.alloc(4096);
  let ticks = 0;
  let capped = false;
  // After stop() the descriptors are closed and their numbers may be reused: a sample still in
  // flight (awaiting a socket lookup) must not read them.
  let stopped = false;
  const read = (fd: number | null): string => readAt0(fd, buf);
  const forget = (tid: number) => {
    const t = followed.get(tid);
    if (!t) return;
    closeThread(t);
    followed.delete(tid);
  };
  const list = () => {
    let tids: number[];
    try {
      tids = readdirSync(`/proc/${pid}/task`).map(Number);
    } catch {
      return;
    }
    const live = new Set(tids);
    for (const tid of followed.keys()) if (!live.has(tid)) forget(tid);
    for (const tid of tids) {
      if (tid === pid || followed.has(tid)) continue;
      if (followed.size >= MAX_THREADS) {
        capped = true;
        break;
      }
      const dir = `/proc/${pid}/task/${tid}`;
      try {
        const comm = readFileSync(`${dir}/comm`, 'utf8').trim();
        followed.set(tid, { group: threadGroupName(comm), ...openThread(dir) });
      } catch {
        /* gone already */
      }
    }
  };
  return {
    async sample(): Promise<void> {
      if (stopped) return;
      // Every tick (one getdents): a thread per request lives a few ms, and a pool grows on demand.
      list();
      ticks++;
      for (const [tid, t] of followed) {
        if (stopped) return;
        try {
          const stat = read(t.stat);
          const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
          const g = groups.get(t.group) ?? { tids: new Set(), samples: 0, running: 0, disk: 0, counts: new Map() };
          groups.set(t.group, g);
          g.tids.add(tid);
          g.samples++;
          if (state === 'R') {
            g.running++;
            continue;
          }
          if (state === 'D') g.disk++;
          const wchan = read(t.wchan);
          const wait = await waitOf(read(t.syscall), wchan, objectOf);
          if (wait === 'running') g.running++;
          else count(g.counts, wait);
        } catch {
          forget(tid); // the thread ended
        }
      }
    },
    stop(): void {
      stopped = true;
      for (const tid of [...followed.keys()]) forget(tid);
    },
    summary(): { groups: ThreadGroupWaits[]; capped: boolean } {
      const out = [...groups].map(([name, g]) => ({
        name,
        threads: g.tids.size,
        meanThreads: ticks > 0 ? Math.round((g.samples / ticks) * 100) / 100 : 0,
        samples: g.samples,
        runningShare: share(g.running, g.samples),
        diskShare: share(g.disk, g.samples),
        waits: topWaits(g.counts, g.samples, MAX_GROUP_WAITS),
      }));
      return { groups: out.sort((a, b) => b.samples - a.samples), capped };
    },
  };
}
