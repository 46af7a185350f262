// Which process serves a port (issue 12): the process speedguard spawns is not always the server. A
// version manager's shim (pyenv's python3 is a bash script that runs the interpreter as its child),
// `npm start` or `sh -c` start the real server below them, and without the Node agent's hello
// nothing says which one it is. The listening socket does: its inode (/proc/net/tcp{,6}, state 0A)
// is held open by the server, found as `socket:[inode]` among /proc/PID/fd of the spawned process
// and its descendants. proc(5): /proc/net/tcp, /proc/PID/fd.
import { readdir, readlink } from 'node:fs/promises';
import { descendants } from './read.ts';
import { readTcpTable, TCP_LISTEN, tcpPort } from './tcp-table.ts';

/** Inodes of the sockets listening on `port` (IPv4 and IPv6) in this network namespace. */
export async function listeningInodes(port: number, procNet = '/proc/net'): Promise<Set<string>> {
  const inodes = new Set<string>();
  for (const r of await readTcpTable(procNet))
    if (r.state === TCP_LISTEN && tcpPort(r.local) === port && r.inode !== '0') inodes.add(r.inode);
  return inodes;
}

async function holds(pid: number, sockets: Set<string>): Promise<boolean> {
  const fds = await readdir(`/proc/${pid}/fd`).catch(() => [] as string[]);
  for (const fd of fds) {
    const link = await readlink(`/proc/${pid}/fd/${fd}`).catch(() => '');
    const m = /^socket:\[(\d+)\]$/.exec(link);
    if (m && sockets.has(m[1]!)) return true;
  }
  return false;
}

/**
 * The process that listens on `port`: `root` itself or the first of its descendants (breadth-first,
 * so a pre-forking server's master, which holds the socket its workers share, comes before them)
 * that holds the listening socket open; null when none does (another process, or not ours to read).
 */
export async function listenerOf(port: number, root: number): Promise<number | null> {
  const sockets = await listeningInodes(port);
  if (sockets.size === 0) return null;
  for (const pid of [root, ...(await descendants(root))]) if (await holds(pid, sockets)) return pid;
  return null;
}
