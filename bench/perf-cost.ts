// What `perf record` costs the target it samples (issue 12: "snapshot and perf costs are measured and
// documented"), with the same settings `speedguard profile` uses (src/probes/perf/record.ts):
// frame pointers at 499 Hz for native and Node targets, DWARF at 199 Hz for Python ones.
// A CPU-bound target prints the work it did each 250 ms; every round runs it twice for the same
// time, once with perf attached over its middle seconds and once without, alternating, and
// compares the work done in that middle part. Also perf's own CPU, and the time speedguard takes
// to turn the recording into a CPU profile (`perf script` and the conversion).
// The target is pinned to core 1; perf runs where the scheduler puts it (as in real use).
//   ./node_modules/.bin/node bench/perf-cost.ts [--rounds 5] [--seconds 6] [--python python3.12]
import { spawn } from 'node:child_process';
import { loadavg } from 'node:os';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { perfScriptToCpuProfile } from '../src/analysis/perf-script.ts';
import { startPerfRecord } from '../src/probes/perf/record.ts';
import { processCpuMs } from '../src/probes/proc/read.ts';
import { fmt, machine, median, saveResults, table } from './lib/report.ts';
import { NODE } from './lib/tools.ts';

const { values: args } = parseArgs({
  options: {
    rounds: { type: 'string', default: '5' },
    seconds: { type: 'string', default: '6' },
    python: { type: 'string', default: 'python3.12' },
  },
});
const rounds = Number(args.rounds);
const seconds = Number(args.seconds);

// Each target: a call chain three functions deep (so stacks have something to unwind), work counted
// in calls, one line per 250 ms.
const NODE_TARGET = `
function leaf(n) { let x = 0; for (let i = 0; i < n; i++) x = (x * 31 + i) | 0; return x; }
function middle() { return leaf(2000) ^ leaf(1000); }
function outer() { let s = 0; for (let i = 0; i < 50; i++) s ^= middle(); return s; }
let done = 0, sink = 0, next = performance.now() + 250;
const end = performance.now() + ${seconds} * 1000;
for (;;) { sink ^= outer(); done++; const now = performance.now();
  if (now >= next) { process.stdout.write(done + '\\n'); done = 0; next += 250; if (now >= end) break; } }
`;
const PYTHON_TARGET = `
import sys, time
def leaf(n):
    x = 0
    for i in range(n): x = (x * 31 + i) & 0xffffffff
    return x
def middle(): return leaf(200) ^ leaf(100)
def outer():
    s = 0
    for _ in range(5): s ^= middle()
    return s
done = 0; nxt = time.perf_counter() + 0.25; end = time.perf_counter() + ${seconds}
while True:
    outer(); done += 1; now = time.perf_counter()
    if now >= nxt:
        sys.stdout.write(f"{done}\\n"); sys.stdout.flush(); done = 0; nxt += 0.25
        if now >= end: break
`;

interface Target {
  name: string;
  argv: string[];
}
const TARGETS: Target[] = [
  { name: 'node --perf-basic-prof (frame pointers, 499 Hz)', argv: [NODE, '--perf-basic-prof', '-e', NODE_TARGET] },
  { name: `${args.python} -X perf (DWARF, 199 Hz)`, argv: [args.python!, '-X', 'perf', '-c', PYTHON_TARGET] },
];

interface Run {
  /** Work per 250 ms tick over the middle part (ticks 4 … last-4). */
  work: number;
  perfCpuMs?: number;
  scriptMs?: number;
  samples?: number;
  error?: string;
}

async function once(t: Target, withPerf: boolean): Promise<Run> {
  const child = spawn('taskset', ['-c', '1', ...t.argv], { stdio: ['ignore', 'pipe', 'inherit'] });
  const ticks: number[] = [];
  const lines = createInterface({ input: child.stdout! });
  let recording: ReturnType<typeof startPerfRecord> | null = null;
  let perfPid: number | null = null;
  let stopped: Promise<Run> | null = null;
  const total = seconds * 4;
  for await (const line of lines) {
    ticks.push(Number(line));
    if (withPerf && ticks.length === 4) {
      recording = startPerfRecord(child.pid!);
      perfPid = recording.pid;
    }
    if (recording && ticks.length === total - 4) {
      const perfCpuMs = perfPid !== null ? (processCpuMs(perfPid) ?? undefined) : undefined;
      const t0 = performance.now();
      stopped = recording.stop().then((r) => {
        if ('error' in r) return { work: 0, error: r.error };
        const profile = perfScriptToCpuProfile(r.script, { pid: child.pid!, ...(r.exe ? { mainDso: r.exe } : {}) });
        return { work: 0, perfCpuMs, scriptMs: performance.now() - t0, samples: profile.samples.length };
      });
      recording = null;
    }
  }
  const middle = ticks.slice(4, total - 4);
  const run: Run = stopped ? await stopped : { work: 0 };
  run.work = median(middle);
  return run;
}

const startLoad = loadavg()[0]!.toFixed(2);
const report: Record<string, unknown>[] = [];
const rows: string[][] = [];
for (const t of TARGETS) {
  const ratios: number[] = [];
  const perfCpu: number[] = [];
  const script: number[] = [];
  const samples: number[] = [];
  let error: string | undefined;
  for (let r = 0; r < rounds && !error; r++) {
    const plain = await once(t, false);
    const traced = await once(t, true);
    if (traced.error) error = traced.error;
    ratios.push(traced.work / plain.work);
    if (traced.perfCpuMs !== undefined) perfCpu.push(traced.perfCpuMs / (seconds - 2));
    if (traced.scriptMs !== undefined) script.push(traced.scriptMs);
    if (traced.samples !== undefined) samples.push(traced.samples);
    report.push({ target: t.name, round: r, plain, traced });
  }
  if (error) {
    rows.push([t.name, `perf could not run: ${error}`, '', '', '']);
    continue;
  }
  const cost = 1 - median(ratios);
  rows.push([
    t.name,
    `${fmt(cost * 100, 1)} % (rounds ${ratios.map((x) => fmt((1 - x) * 100, 1)).join(', ')})`,
    `${fmt(median(perfCpu) / 10, 1)} % of a core`,
    `${fmt(median(script), 0)} ms`,
    fmt(median(samples), 0),
  ]);
}
const m = await machine();
console.log(
  `perf cost — ${m.date}, ${m.nproc} cores (${m.cpu}), Node ${m.node}, kernel ${m.kernel}; ` +
    `load average ${startLoad} → ${loadavg()[0]!.toFixed(2)}`,
);
console.log(`${rounds} rounds, ${seconds} s per run, perf attached for the middle ${seconds - 2} s, medians:`);
console.log(table(['target', 'work lost under perf', 'perf record CPU', 'perf script + conversion', 'samples'], rows));
console.log(`raw rounds: ${saveResults('perf-cost', report)}`);
