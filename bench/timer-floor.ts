// How late can an open-model start be on this host, whatever the engine does (issue 10: schedule
// delay p99 ≤ 1 ms)? Two bare loops start a "request" (20 µs of busy work, no I/O) at a fixed
// rate, pinned to one core, and record how late each start was against its intended time:
// - timer: what the engine does (executors/arrival-rate-loop.ts): one Node timer, armed with
//   Math.ceil of the time to the next start (Node timers count whole milliseconds);
// - helper: a second thread waits with Atomics.wait, which takes fractional milliseconds, and
//   posts a message that wakes the main thread: sub-millisecond wake-ups without a busy poll.
// Both alternate within each round; prints medians over rounds of p50/p99 lateness and the CPU
// per start (user+sys of the process, both threads).
//   node bench/timer-floor.ts [rounds=5] [rate=2000] [seconds=4] [cpu=1]
import { Worker } from 'node:worker_threads';
import { fileURLToPath } from 'node:url';
import { runPinned } from './lib/proc.ts';
import { fmt, median, saveResults, table } from './lib/report.ts';
import { NODE } from './lib/tools.ts';

type Mode = 'timer' | 'helper';
interface Round {
  mode: Mode;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  cpuUsPerStart: number;
}

const WORK_MS = 0.02;
const HELPER = `
const { workerData: { sab }, parentPort } = require('node:worker_threads');
const seq = new Int32Array(sab, 0, 1);
const due = new Float64Array(sab, 8, 1);
for (;;) {
  const s = Atomics.load(seq, 0);
  const at = due[0];
  if (at < 0) break;
  if (at === Infinity) { Atomics.wait(seq, 0, s); continue; }
  const wait = at - (performance.timeOrigin + performance.now());
  if (wait > 0) { Atomics.wait(seq, 0, s, wait); continue; }
  if (Atomics.load(seq, 0) === s) { due[0] = Infinity; parentPort.postMessage(0); }
}`;

async function child(mode: Mode, rate: number, seconds: number): Promise<Round> {
  const interval = 1000 / rate;
  const total = Math.round(rate * seconds);
  const t0 = performance.now() + 50;
  const late: number[] = [];
  let k = 0;
  const cpu0 = process.cpuUsage();
  const startDue = () => {
    const now = performance.now();
    while (k < total && t0 + k * interval <= now) {
      late.push(now - (t0 + k * interval));
      const end = performance.now() + WORK_MS;
      while (performance.now() < end);
      k++;
    }
  };
  await new Promise<void>((resolve) => {
    if (mode === 'timer') {
      const wake = () => {
        startDue();
        if (k >= total) return resolve();
        setTimeout(wake, Math.max(1, Math.ceil(t0 + k * interval - performance.now())));
      };
      setTimeout(wake, 50);
      return;
    }
    const sab = new SharedArrayBuffer(16);
    const seq = new Int32Array(sab, 0, 1);
    const due = new Float64Array(sab, 8, 1);
    const helper = new Worker(HELPER, { eval: true, workerData: { sab } });
    const arm = (at: number) => {
      due[0] = at;
      Atomics.add(seq, 0, 1);
      Atomics.notify(seq, 0);
    };
    helper.on('message', () => {
      startDue();
      if (k < total) return arm(performance.timeOrigin + t0 + k * interval);
      arm(-1);
      void helper.terminate().then(() => resolve());
    });
    arm(performance.timeOrigin + t0);
  });
  const cpu = process.cpuUsage(cpu0);
  late.sort((a, b) => a - b);
  const q = (p: number) => late[Math.floor(p * (late.length - 1))]!;
  return { mode, p50Ms: q(0.5), p99Ms: q(0.99), maxMs: q(1), cpuUsPerStart: (cpu.user + cpu.system) / total };
}

async function main(): Promise<void> {
  const [rounds = 5, rate = 2000, seconds = 4, cpu = 1] = process.argv.slice(2).map(Number);
  const self = fileURLToPath(import.meta.url);
  const results: Round[] = [];
  for (let r = 0; r < rounds; r++) {
    for (const mode of ['timer', 'helper'] as const) {
      const run = await runPinned([NODE, self, '--child', mode, String(rate), String(seconds)], {
        cpu,
        timeoutMs: seconds * 1000 + 30_000,
      });
      if (run.code !== 0) throw new Error(`${mode} round failed: ${run.stderr}`);
      results.push(JSON.parse(run.stdout) as Round);
    }
  }
  const rows = (['timer', 'helper'] as const).map((mode) => {
    const of = results.filter((x) => x.mode === mode);
    const m = (f: (x: Round) => number) => fmt(median(of.map(f)), 3);
    return [mode, m((x) => x.p50Ms), m((x) => x.p99Ms), m((x) => x.maxMs), fmt(median(of.map((x) => x.cpuUsPerStart)), 1)];
  });
  console.log(`${rounds} rounds × ${seconds} s at ${rate} starts/s on core ${cpu}, medians:`);
  console.log(table(['wake-up', 'late p50 ms', 'late p99 ms', 'late max ms', 'CPU µs/start'], rows));
  console.log(`raw rounds: ${saveResults('timer-floor', { rounds, rate, seconds, cpu, results })}`);
}

if (process.argv[2] === '--child') {
  const [, mode, rate, seconds] = process.argv.slice(2);
  process.stdout.write(JSON.stringify(await child(mode as Mode, Number(rate), Number(seconds))));
} else await main();
