// `perf trace -s` output (Linux perf's system-call summary, tools/perf/builtin-trace.c) turned into
// per-thread-group totals. Per thread it prints
//   " comm (tid), N events, P%"
// then a table "syscall calls errors total min avg max stddev" (times in ms, stddev in %). Threads
// are grouped by name as the /proc samples group them (numbers removed), the main thread (tid = pid)
// apart. Pure.
import type { SyscallTrace, TracedSyscall } from '../record/proc-samples.ts';

const THREAD = /^\s*(.+?) \((\d+)\), (\d+) events, [\d.]+%\s*$/;
const ROW = /^\s+([a-z_0-9]+)\s+(\d+)\s+(\d+)\s+([\d.]+)\s+([\d.]+)\s+([\d.]+)\s+([\d.]+)\s+[\d.]+%\s*$/;
const MAX_SYSCALLS = 8;

export function parsePerfTraceSummary(text: string, o: { pid: number; groupName(comm: string): string }): SyscallTrace['groups'] {
  const groups = new Map<string, { name: string; main: boolean; tids: Set<number>; calls: Map<string, TracedSyscall> }>();
  let current: { tid: number; key: string } | null = null;
  for (const line of text.split('\n')) {
    const t = THREAD.exec(line);
    if (t) {
      const tid = Number(t[2]);
      const main = tid === o.pid;
      const name = main ? t[1]! : o.groupName(t[1]!);
      const key = `${main}\n${name}`;
      const g = groups.get(key) ?? { name, main, tids: new Set(), calls: new Map() };
      g.tids.add(tid);
      groups.set(key, g);
      current = { tid, key };
      continue;
    }
    const r = current ? ROW.exec(line) : null;
    if (!r || !current) continue;
    const calls = groups.get(current.key)!.calls;
    const c = calls.get(r[1]!) ?? { name: r[1]!, calls: 0, errors: 0, totalMs: 0, maxMs: 0 };
    c.calls += Number(r[2]);
    c.errors += Number(r[3]);
    c.totalMs = Math.round((c.totalMs + Number(r[4])) * 1000) / 1000;
    c.maxMs = Math.max(c.maxMs, Number(r[7]));
    calls.set(c.name, c);
  }
  return [...groups.values()].map((g) => ({
    name: g.name,
    main: g.main,
    threads: g.tids.size,
    syscalls: [...g.calls.values()].sort((a, b) => b.totalMs - a.totalMs).slice(0, MAX_SYSCALLS),
  }));
}
