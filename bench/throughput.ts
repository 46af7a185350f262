// Throughput benchmark: speedguard vs wrk vs autocannon against one nginx worker.
//   ./node_modules/.bin/node bench/throughput.ts [--rounds 5] [--duration 10] [--only a|b|c] [--profile] [--baseline DIR] [--no-wait]
// --baseline DIR also runs speedguard from another checkout (e.g. `git archive <commit>` unpacked
// with node_modules linked) as "speedguard-before", in the same rounds. --no-wait runs at once
// instead of waiting for a quiet machine (figures keep their foreign-load flags).
// (c) 10,000 connections is only run when asked (--only c).
// (a) 50 keep-alive connections: goal speedguard/wrk ≥ 0.85.
// (b) 5,000 connections: goal speedguard/wrk ≥ 0.8 and speedguard peak RSS ≤ 80 MB.
// nginx runs on core 0, every generator on core 1; tools alternate within each round, and the order
// rotates from round to round so that none always runs on a warmer (or more tired) target.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { runWhenQuiet, stopOnSignal } from './lib/cpu-load.ts';
import { topSelfTime } from './lib/cpu-profile.ts';
import { startNginx } from './lib/nginx.ts';
import { ensurePeers } from './lib/peers.ts';
import { fmt, machine, mb, median, saveResults, table, verdict } from './lib/report.ts';
import { REPO, runAutocannon, runSpeedguard, runWrk, speedguardArgv, type GeneratorRunOptions, type Measurement } from './lib/tools.ts';

const TARGET_CPU = 0;
const GENERATOR_CPU = 1;
const MB = 1024 * 1024;

interface Scenario {
  id: 'a' | 'b' | 'c';
  connections: number;
  minRatio: number;
  maxRssBytes?: number;
}
const SCENARIOS: Scenario[] = [
  { id: 'a', connections: 50, minRatio: 0.85 },
  { id: 'b', connections: 5000, minRatio: 0.8, maxRssBytes: 80 * MB },
  { id: 'c', connections: 10000, minRatio: 0.8 },
];

type Runner = (o: GeneratorRunOptions) => Promise<Measurement>;
const TOOLS: [string, Runner][] = [
  ['speedguard', runSpeedguard],
  ['wrk', (o) => runWrk(o)],
  ['autocannon', runAutocannon],
];

const { values: args } = parseArgs({
  options: {
    rounds: { type: 'string', default: '5' },
    duration: { type: 'string', default: '10' },
    only: { type: 'string' },
    profile: { type: 'boolean', default: false },
    baseline: { type: 'string' },
    'no-wait': { type: 'boolean', default: false },
  },
});
if (args['no-wait']) process.env.BENCH_NO_WAIT = '1';
if (args.baseline !== undefined) {
  const dir = args.baseline;
  TOOLS.splice(1, 0, ['speedguard-before', (o) => runSpeedguard({ ...o, repo: dir })]);
}
const rounds = Math.max(3, Number(args.rounds));
const durationS = Number(args.duration);
if (!(durationS > 0 && durationS <= 120)) throw new Error(`--duration ${args.duration}: expected 1..120 seconds`);

await ensurePeers(['wrk', 'nginx', 'autocannon']);
const m = await machine();
console.log(`throughput · ${m.date} · ${m.nproc} cores · ${m.cpu} · Node ${m.node} · kernel ${m.kernel}`);
console.log(`target nginx on core ${TARGET_CPU}, generators on core ${GENERATOR_CPU}; ${rounds} rounds × ${durationS} s per run\n`);

const nginx = await startNginx({ cpu: TARGET_CPU, workerConnections: 12000 });
stopOnSignal(() => nginx.stop());
const results: Record<string, Measurement[][]> = {};
try {
  // Warm the target (page cache, nginx's allocations) so round 1 is not special.
  await runWrk({ url: nginx.url, cpu: GENERATOR_CPU, connections: 50, durationS: 2 });

  for (const sc of SCENARIOS.filter((s) => (args.only ? args.only.split(',').includes(s.id) : s.id !== 'c'))) {
    const opts: GeneratorRunOptions = {
      url: nginx.url,
      cpu: GENERATOR_CPU,
      connections: sc.connections,
      durationS,
      raiseNofile: true,
      targetPids: nginx.pids,
    };
    console.log(`── (${sc.id}) ${sc.connections} connections ──`);
    console.log(`speedguard: taskset -c ${GENERATOR_CPU} ${speedguardArgv(opts, 'S.json').join(' ')}`);
    console.log(`wrk:        taskset -c ${GENERATOR_CPU} wrk -t1 -c${sc.connections} -d${durationS}s --latency URL`);
    console.log(`autocannon: taskset -c ${GENERATOR_CPU} node autocannon.js -c ${sc.connections} -w 0 -d ${durationS} -j URL`);
    const perRound: Measurement[][] = [];
    for (let r = 0; r < rounds; r++) {
      const order = TOOLS.map((_, i) => TOOLS[(i + r) % TOOLS.length]!);
      const got: Measurement[] = [];
      for (const [, run] of order) {
        // Other people's jobs share the machine: each run starts on a quiet machine, and is repeated
        // when others used the CPU meanwhile.
        got.push(await runWhenQuiet(() => run(opts), nginx.pids));
      }
      perRound.push(got);
      const line = (x: (typeof got)[number]) => {
        const errors = x.errors ? ` ${x.errors} errors` : '';
        const warnings = x.warnings.length ? ` [${x.warnings.join('; ')}]` : '';
        return `${x.tool} ${fmt(x.rps, 0)}/s ${fmt(x.cpuPerRequestUs, 1)} µs/req ${mb(x.maxRssBytes)}${errors}${warnings}`;
      };
      console.log(`  round ${r + 1}: ${got.map(line).join(' · ')}`);
    }
    results[sc.id] = perRound;
    report(sc, perRound);
    if (args.profile) await profile(opts);
  }
} finally {
  await nginx.stop();
}
console.log(`raw rounds: ${saveResults('throughput', { machine: m, durationS, rounds, results })}`);

function report(sc: Scenario, perRound: Measurement[][]): void {
  const of = (tool: string) => perRound.map((r) => r.find((x) => x.tool === tool)!);
  const med = (tool: string, f: (x: Measurement) => number | undefined) =>
    median(
      of(tool)
        .map(f)
        .filter((v): v is number => v !== undefined),
    );
  const rows = TOOLS.map(([tool]) => [
    tool,
    fmt(
      med(tool, (x) => x.rps),
      0,
    ),
    fmt(
      med(tool, (x) => x.cpuPerRequestUs),
      1,
    ),
    fmt(med(tool, (x) => x.p50Ms)),
    fmt(med(tool, (x) => x.p99Ms)),
    mb(med(tool, (x) => x.maxRssBytes)),
    mb(Math.max(...of(tool).map((x) => x.maxRssBytes ?? 0))),
    String(of(tool).reduce((a, x) => a + x.errors, 0)),
  ]);
  console.log(`\n${table(['median of rounds', 'req/s', 'CPU µs/req', 'p50 ms', 'p99 ms', 'peak RSS', 'max RSS', 'errors'], rows)}`);
  const cpuRatio = (tool: string) => med('wrk', (x) => x.cpuPerRequestUs) / med(tool, (x) => x.cpuPerRequestUs);
  const hasBefore = of('speedguard-before')[0] !== undefined;
  const cpuRatios = [
    `speedguard ${fmt(cpuRatio('speedguard'), 3)}`,
    ...(hasBefore ? [`speedguard-before ${fmt(cpuRatio('speedguard-before'), 3)}`] : []),
    `autocannon ${fmt(cpuRatio('autocannon'), 3)}`,
  ];
  const cpuRatioMeaning = 'the req/s ratio a generator-bound tool would reach on a core of its own';
  console.log(`CPU per request, wrk's ÷ the tool's (${cpuRatioMeaning}): ${cpuRatios.join(' · ')}`);
  const sg = med('speedguard', (x) => x.rps);
  const wrk = med('wrk', (x) => x.rps);
  const ac = med('autocannon', (x) => x.rps);
  const perRoundRatio = perRound.map((r) => r.find((x) => x.tool === 'speedguard')!.rps / r.find((x) => x.tool === 'wrk')!.rps);
  console.log(
    `ratio speedguard/wrk ${fmt(sg / wrk, 3)} (per round ${perRoundRatio.map((x) => fmt(x, 3)).join(', ')}) · goal ≥ ${sc.minRatio}: ` +
      `${verdict(sg / wrk >= sc.minRatio)}`,
  );
  console.log(`ratio speedguard/autocannon ${fmt(sg / ac, 3)} · autocannon/wrk ${fmt(ac / wrk, 3)}`);
  if (hasBefore) {
    const before = med('speedguard-before', (x) => x.rps);
    const rpsOf = (r: (typeof perRound)[number], tool: string) => r.find((x) => x.tool === tool)!.rps;
    const perRoundBefore = perRound.map((r) => fmt(rpsOf(r, 'speedguard-before') / rpsOf(r, 'wrk'), 3));
    const peakBefore = mb(Math.max(...of('speedguard-before').map((x) => x.maxRssBytes ?? 0)));
    console.log(
      `before: speedguard-before/wrk ${fmt(before / wrk, 3)} (per round ${perRoundBefore.join(', ')}) · peak RSS before ${peakBefore}`,
    );
  }
  if (sc.maxRssBytes !== undefined) {
    const peak = Math.max(...of('speedguard').map((x) => x.maxRssBytes ?? Infinity));
    console.log(`speedguard peak RSS (max of rounds) ${mb(peak)} · goal ≤ ${mb(sc.maxRssBytes)}: ${verdict(peak <= sc.maxRssBytes)}`);
  }
  const cpu = med('speedguard', (x) => x.extra['cpuP95']);
  console.log(`speedguard self-reported CPU p95 ${fmt(cpu * 100, 0)} % of one core\n`);
}

/** One extra, uncounted speedguard run under --cpu-prof; prints where its core went. */
async function profile(opts: GeneratorRunOptions): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'sg-bench-prof-'));
  try {
    await runSpeedguard({ ...opts, nodeArgs: ['--cpu-prof', `--cpu-prof-dir=${dir}`] });
    console.log(`cpu profile (${opts.connections} connections), top self time:`);
    console.log(
      table(
        ['function', 'self %', 'where'],
        topSelfTime(dir, REPO, 15).map((f) => [f.name, fmt(f.selfPct, 1), f.where]),
      ),
    );
    console.log('');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
