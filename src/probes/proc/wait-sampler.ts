// Off-CPU time of any process (issue 12): where its main thread waits, sampled from speedguard's own
// process every few ms over the measured window — its state (/proc/PID/task/TID/stat), the kernel
// function it sleeps in (wchan) and the system call it is in with its first argument
// (/proc/PID/task/TID/syscall). An fd argument is turned into what it is: a TCP peer (through
// /proc/PID/net/tcp{,6}), a file path, a pipe. Nothing runs in the target. Needs the right to read
// another process's syscall file (same user or root); without it the syscall is "unknown".
import { readFile, readlink } from 'node:fs/promises';
import type { MainThreadWaits, OffCpuWait } from '../../record/proc-samples.ts';

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

export interface WaitSampler {
  stop(): MainThreadWaits | null;
}

/** "0100007F:1538" (little-endian IPv4 as /proc/net/tcp prints it) → "127.0.0.1:5432". */
function tcpAddress(hex: string): string {
  const [ip, port] = hex.split(':');
  const p = Number.parseInt(port ?? '0', 16);
  if (ip && ip.length === 8) {
    const b = [6, 4, 2, 0].map((i) => Number.parseInt(ip.slice(i, i + 2), 16));
    return `${b.join('.')}:${p}`;
  }
  return `[${ip}]:${p}`;
}

export function startWaitSampler(pid: number, o: { intervalMs?: number } = {}): WaitSampler {
  const intervalMs = o.intervalMs ?? 20;
  const task = `/proc/${pid}/task/${pid}`;
  const counts = new Map<string, OffCpuWait>();
  let samples = 0;
  let running = 0;
  let disk = 0;
  let busy = false;
  let sockets = new Map<string, string>();
  const linkObject = new Map<string, string>();
  const names = process.arch === 'x64' ? X64 : {};

  /** The TCP table by socket inode; re-read when an inode is not in it (a new connection: they can live a few ms). */
  const socketPeers = async (inode: string): Promise<Map<string, string>> => {
    if (sockets.has(inode)) return sockets;
    const next = new Map<string, string>();
    for (const f of ['tcp', 'tcp6']) {
      const text = await readFile(`/proc/${pid}/net/${f}`, 'utf8').catch(() => '');
      for (const line of text.split('\n').slice(1)) {
        const c = line.trim().split(/\s+/);
        // sl local rem st tx:rx tr:when retrnsmt uid timeout inode; st 0A = LISTEN (no peer).
        if (c.length < 10) continue;
        next.set(c[9]!, c[3] === '0A' ? `listening ${tcpAddress(c[1]!)}` : `tcp ${tcpAddress(c[2]!)}`);
      }
    }
    sockets = next;
    return sockets;
  };
  // A descriptor number is reused by the next connection: the link is read each time, what it
  // points to is cached by the link (a socket's inode, a path).
  const objectOf = async (fd: number): Promise<string | null> => {
    const link = await readlink(`/proc/${pid}/fd/${fd}`).catch(() => null);
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

  const sample = async () => {
    if (busy) return;
    busy = true;
    try {
      const stat = await readFile(`${task}/stat`, 'utf8');
      const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
      samples++;
      if (state === 'R') {
        running++;
        return;
      }
      if (state === 'D') disk++;
      const [wchan, sys] = await Promise.all([
        readFile(`${task}/wchan`, 'utf8').catch(() => ''),
        readFile(`${task}/syscall`, 'utf8').catch(() => ''),
      ]);
      const fields = sys.trim().split(/\s+/);
      const nr = Number(fields[0]);
      // "running": it ran again between the two reads.
      if (fields[0] === 'running') {
        running++;
        return;
      }
      const syscall = !sys ? 'unknown' : nr < 0 ? 'none' : (names[nr] ?? `syscall ${nr}`);
      const object = FD_CALLS.has(syscall) && fields[1] ? await objectOf(Number.parseInt(fields[1], 16)) : null;
      const w = wchan.trim() || '0';
      const key = `${syscall}\n${w}\n${object ?? ''}`;
      const c = counts.get(key);
      if (c) c.samples++;
      else counts.set(key, { syscall, wchan: w, object, samples: 1, share: 0 });
    } catch {
      /* the thread is gone: the next read says so too */
    } finally {
      busy = false;
    }
  };
  const timer = setInterval(() => void sample(), intervalMs);
  timer.unref();
  let result: MainThreadWaits | null | undefined;
  return {
    stop() {
      clearInterval(timer);
      if (result !== undefined) return result;
      if (samples === 0) return (result = null);
      const waits = [...counts.values()]
        .sort((a, b) => b.samples - a.samples)
        .slice(0, MAX_WAITS)
        .map((w) => ({ ...w, share: Math.round((w.samples / samples) * 1e4) / 1e4 }));
      return (result = {
        intervalMs,
        samples,
        runningShare: Math.round((running / samples) * 1e4) / 1e4,
        diskShare: Math.round((disk / samples) * 1e4) / 1e4,
        waits,
      });
    },
  };
}
