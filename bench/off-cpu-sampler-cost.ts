// What the off-CPU sampler (src/probes/proc/wait-sampler.ts) costs speedguard's own process: CPU time
// (process.cpuUsage) per second of window, sampling the main thread only versus every thread, on
// two targets: an idle Node service (12 threads, all asleep) and the slow-log-pipe fixture under a
// bounded load from a separate process (its four libuv-worker threads blocked in write, so every
// tick also resolves their descriptors). Nothing runs in the target. Then what a perf trace slice
// (src/probes/perf/trace.ts) costs the target: its throughput under 8 closed-loop connections from
// this process during 1 s slices traced and not traced, alternated, and perf's own CPU per slice.
//   ./node_modules/.bin/node bench/off-cpu-sampler-cost.ts [--seconds 10] [--rounds 3]
// Results: BENCHMARKS.md ("Off-CPU sampler cost").
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { startWaitSampler } from '../src/probes/proc/wait-sampler.ts';
import { tracePerfSyscalls } from '../src/probes/perf/trace.ts';
import { fmt, machine, median, table } from './lib/report.ts';
import { NODE, REPO } from './lib/tools.ts';

const { values: args } = parseArgs({ options: { seconds: { type: 'string', default: '10' }, rounds: { type: 'string', default: '3' } } });
const seconds = Number(args.seconds);
const rounds = Number(args.rounds);

async function startFixture(name: string): Promise<{ child: ChildProcess; port: number }> {
  const child = spawn(NODE, [join(REPO, 'test/fixtures/profile', name)], { stdio: ['ignore', 'pipe', 'inherit'], detached: true });
  const port = await new Promise<number>((resolve) => {
    child.stdout!.on('data', (d: Buffer) => {
      const m = /listening (\d+)/.exec(d.toString());
      if (m) resolve(Number(m[1]));
    });
  });
  return { child, port };
}

/** 8 concurrent fetch loops from another process, for at most `ms`. */
function load(port: number, ms: number): ChildProcess {
  const code =
    `const end = Date.now() + ${ms};\n` +
    `const go = async () => { while (Date.now() < end) await fetch('http://127.0.0.1:${port}/').then((r) => r.text(), () => {}); };\n` +
    'Promise.all(Array.from({ length: 8 }, go)).then(() => process.exit(0));';
  return spawn(NODE, ['-e', code], { stdio: 'ignore' });
}

async function measure(pid: number, threads: boolean): Promise<{ cpuMsPerS: number; groups: number; samples: number }> {
  const before = process.cpuUsage();
  const sampler = startWaitSampler(pid, { threads });
  await new Promise((r) => setTimeout(r, seconds * 1000));
  const result = sampler.stop();
  const used = process.cpuUsage(before);
  return {
    cpuMsPerS: (used.user + used.system) / 1000 / seconds,
    groups: result?.threadGroups?.reduce((n, g) => n + g.threads, 0) ?? 0,
    samples: result?.samples ?? 0,
  };
}

const rows: string[][] = [];
for (const [name, loaded] of [
  ['healthy.mjs', false],
  ['slow-log-pipe.mjs', true],
] as const) {
  const { child, port } = await startFixture(name);
  const gen = loaded ? load(port, (seconds * 2 * rounds + 5) * 1000) : null;
  await new Promise((r) => setTimeout(r, 1000));
  const main: number[] = [];
  const all: number[] = [];
  let threads = 0;
  try {
    for (let r = 0; r < rounds; r++) {
      main.push((await measure(child.pid!, false)).cpuMsPerS);
      const a = await measure(child.pid!, true);
      all.push(a.cpuMsPerS);
      threads = a.groups;
    }
  } finally {
    gen?.kill();
    process.kill(-child.pid!, 'SIGTERM');
  }
  rows.push([
    `${name}${loaded ? ' (8 VUs)' : ' (idle)'}`,
    String(threads),
    fmt(median(main)),
    fmt(median(all)),
    fmt(median(all) - median(main)),
  ]);
}
console.log(JSON.stringify(await machine()));
console.log(`${seconds} s windows, ${rounds} rounds alternated, median; CPU of speedguard's process, ms per second of window`);
console.log(table(['target', 'other threads', 'main thread only', 'every thread', 'extra'], rows));

/** Requests answered per second over `ms` by 8 closed-loop connections from this process. */
async function throughput(port: number, ms: number): Promise<number> {
  let n = 0;
  const end = Date.now() + ms;
  const go = async () => {
    while (Date.now() < end) {
      await fetch(`http://127.0.0.1:${port}/`).then((r) => r.text());
      n++;
    }
  };
  await Promise.all(Array.from({ length: 8 }, go));
  return n / (ms / 1000);
}

const traceRows: string[][] = [];
for (const name of ['healthy.mjs', 'slow-log-pipe.mjs']) {
  const { child, port } = await startFixture(name);
  const plain: number[] = [];
  const traced: number[] = [];
  const perfCpu: number[] = [];
  const calls: number[] = [];
  try {
    await throughput(port, 1000);
    for (let r = 0; r < rounds * 2; r++) {
      plain.push(await throughput(port, 1000));
      const trace = tracePerfSyscalls(child.pid!, { durationMs: 1300 });
      await new Promise((res) => setTimeout(res, 150)); // perf attaches
      traced.push(await throughput(port, 1000));
      const t = await trace;
      if ('error' in t) throw new Error(t.error);
      perfCpu.push(t.perfCpuMs ?? Number.NaN);
      calls.push(t.groups.reduce((s, g) => s + g.syscalls.reduce((c, x) => c + x.calls, 0), 0) / (t.durationMs / 1000));
    }
  } finally {
    process.kill(-child.pid!, 'SIGTERM');
  }
  traceRows.push([
    name,
    fmt(median(calls), 0),
    fmt(median(plain), 0),
    fmt(median(traced), 0),
    `${fmt((median(traced) / median(plain) - 1) * 100, 1)} %`,
    fmt(median(perfCpu), 0),
  ]);
}
console.log(`\nperf trace -s -p PID, 1 s slices (${rounds * 2} of each, alternated, median), 8 closed-loop connections from this process`);
console.log(table(['target', 'syscalls/s traced', 'req/s plain', 'req/s traced', 'change', "perf's CPU ms per slice"], traceRows));
