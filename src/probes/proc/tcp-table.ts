// The kernel's TCP table of a network namespace (proc(5): /proc/net/tcp and tcp6, or
// /proc/PID/net/… for a process's own namespace): one row per socket with its addresses as the
// kernel prints them (little-endian hex), its state and its inode. Read by the wait sampler (what
// an fd is connected to) and by the listener lookup (which process serves a port).
import { readFile } from 'node:fs/promises';

/** TCP state LISTEN (include/net/tcp_states.h: TCP_LISTEN = 10, printed in hex). */
export const TCP_LISTEN = '0A';

export interface TcpRow {
  /** "0100007F:1538": address and port in the kernel's hex. */
  local: string;
  remote: string;
  /** Hex state: TCP_LISTEN for a listening socket. */
  state: string;
  /** The socket's inode ("socket:[inode]" in /proc/PID/fd); "0" for a socket in TIME_WAIT. */
  inode: string;
}

/** Both tables (IPv4 and IPv6) under `procNet` ("/proc/net" or "/proc/PID/net"); unreadable ones are empty. */
export async function readTcpTable(procNet: string): Promise<TcpRow[]> {
  const rows: TcpRow[] = [];
  for (const f of ['tcp', 'tcp6']) {
    const text = await readFile(`${procNet}/${f}`, 'utf8').catch(() => '');
    // sl local_address rem_address st tx_queue:rx_queue tr:tm->when retrnsmt uid timeout inode
    for (const line of text.split('\n').slice(1)) {
      const c = line.trim().split(/\s+/);
      if (c.length >= 10) rows.push({ local: c[1]!, remote: c[2]!, state: c[3]!, inode: c[9]! });
    }
  }
  return rows;
}

/** The port of a hex address ("0100007F:1538" → 5432). */
export function tcpPort(hex: string): number {
  return Number.parseInt(hex.slice(hex.lastIndexOf(':') + 1), 16);
}

/** "0100007F:1538" (little-endian IPv4 as the table prints it) → "127.0.0.1:5432"; IPv6 stays hex in brackets. */
export function tcpAddress(hex: string): string {
  const [ip, port] = hex.split(':');
  const p = Number.parseInt(port ?? '0', 16);
  if (ip && ip.length === 8) {
    const b = [6, 4, 2, 0].map((i) => Number.parseInt(ip.slice(i, i + 2), 16));
    return `${b.join('.')}:${p}`;
  }
  return `[${ip}]:${p}`;
}
