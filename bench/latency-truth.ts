// Latency truth: does speedguard report the latency a user would see when the target stalls?
//   ./node_modules/.bin/node bench/latency-truth.ts [--rounds 3] [--duration 20] [--rate 200]
// Target (bench/fixtures/freezing-server.ts, core 0): event loop frozen FREEZE_MS at the end of every
// CYCLE_MS, instant otherwise. Load (core 1): a constant arrival rate for a whole number of cycles.
//
// Analytic distribution. Arrivals are uniform in time; a request arriving during a freeze waits until
// the freeze ends, so with f = F/C the waits are 0 for a fraction 1−f and uniform on (0, F) for f:
//   P(L > x) = f·(1 − x/F)  for 0 ≤ x ≤ F   ⇒   q-quantile = F·(1 − (1−q)/f)  when q > 1−f, else ≈ 0.
// F = 1 s, C = 5 s: p90 = 500 ms, p99 = 950 ms. Over a window of whole cycles the fraction of arrivals
// inside freezes is f whatever the phase between the load and the schedule, so phase does not bias it.
// A tool that measures from the actual send on a blocked connection (coordinated omission) reports less.
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { runWhenQuiet } from './lib/cpu-load.ts';
import { startNodeTarget } from './lib/node-target.ts';
import { ensurePeers, findCommand } from './lib/peers.ts';
import { fmt, machine, median, saveResults, table, verdict } from './lib/report.ts';
import { REPO, runAutocannon, runSpeedguard, runWrk, speedguardArgv, type GeneratorRunOptions, type Measurement } from './lib/tools.ts';

const TARGET_CPU = 0;
const GENERATOR_CPU = 1;
const CYCLE_MS = 5000;
const FREEZE_MS = 1000;
const AUTOCANNON_CONNECTIONS = 10; // autocannon's default; it cannot open more when they are all blocked
const TOLERANCE = 0.05;

function analyticQuantileMs(q: number, freezeMs: number, cycleMs: number): number {
  const f = freezeMs / cycleMs;
  return q > 1 - f ? freezeMs * (1 - (1 - q) / f) : 0;
}

const { values: args } = parseArgs({
  options: {
    rounds: { type: 'string', default: '3' },
    duration: { type: 'string', default: String((4 * CYCLE_MS) / 1000) },
    rate: { type: 'string', default: '200' },
  },
});
const rounds = Math.max(3, Number(args.rounds));
const durationS = Number(args.duration);
const rate = Number(args.rate);
if (!Number.isInteger((durationS * 1000) / CYCLE_MS))
  throw new Error(`--duration ${durationS}: must be a whole number of ${CYCLE_MS / 1000} s cycles`);
if (!(durationS > 0 && durationS <= 60)) throw new Error(`--duration ${durationS}: expected at most 60 s`);

await ensurePeers(['autocannon']);
const wrk2 = await findCommand('wrk2');
const m = await machine();
const expected = { p90: analyticQuantileMs(0.9, FREEZE_MS, CYCLE_MS), p99: analyticQuantileMs(0.99, FREEZE_MS, CYCLE_MS) };
console.log(`latency-truth · ${m.date} · ${m.nproc} cores · ${m.cpu} · Node ${m.node}`);
console.log(
  `target freezes ${FREEZE_MS} ms every ${CYCLE_MS} ms (core ${TARGET_CPU}); ${rate} req/s for ${durationS} s ` +
    `(${(durationS * 1000) / CYCLE_MS} cycles) from core ${GENERATOR_CPU}`,
);
console.log(`analytic: p90 = ${fmt(expected.p90, 1)} ms, p99 = ${fmt(expected.p99, 1)} ms (f = ${FREEZE_MS / CYCLE_MS})`);
console.log(
  `speedguard: taskset -c ${GENERATOR_CPU} ` +
    `${speedguardArgv({ url: 'URL', cpu: GENERATOR_CPU, connections: 0, durationS, rate }, 'S.json').join(' ')}`,
);
console.log(
  `autocannon: taskset -c ${GENERATOR_CPU} node autocannon.js -c ${AUTOCANNON_CONNECTIONS} -w 0 -d ${durationS} -R ${rate} -j URL   ` +
    `(and again with -C = --ignoreCoordinatedOmission)`,
);
console.log(
  wrk2
    ? `wrk2: taskset -c ${GENERATOR_CPU} wrk2 -t1 -c50 -d${durationS}s -R${rate} --latency URL`
    : 'wrk2: not installed (Debian packages only wrk); skipped\n',
);

type Runner = (o: GeneratorRunOptions) => Promise<Measurement>;
const tools: [string, Runner][] = [
  ['speedguard', runSpeedguard],
  ['autocannon', (o) => runAutocannon({ ...o, connections: AUTOCANNON_CONNECTIONS })],
  ['autocannon -C', (o) => runAutocannon({ ...o, connections: AUTOCANNON_CONNECTIONS }, true)],
  ...(wrk2 ? [['wrk2', (o: GeneratorRunOptions) => runWrk({ ...o, connections: 50 }, wrk2)] as [string, Runner]] : []),
];

const all: (Measurement & { phaseMs: number })[][] = [];
for (let r = 0; r < rounds; r++) {
  const got: (Measurement & { phaseMs: number })[] = [];
  for (let i = 0; i < tools.length; i++) {
    const [, run] = tools[(i + r) % tools.length]!;
    got.push(
      await runWhenQuiet(
        () => runOnFreshTarget(run),
        () => [],
      ),
    );
  }
  all.push(got);
  const line = (x: (typeof got)[number]) => {
    const warnings = x.warnings.length ? `; ${x.warnings.join('; ')}` : '';
    return `${x.tool} p90 ${fmt(x.p90Ms, 1)} p99 ${fmt(x.p99Ms, 1)} ms (${fmt(x.rps, 1)} req/s${warnings})`;
  };
  console.log(`round ${r + 1}: ${got.map(line).join(' · ')}`);
}

/** A fresh target per run: its freeze schedule starts when it starts, the same for every tool. */
async function runOnFreshTarget(run: Runner): Promise<Measurement & { phaseMs: number }> {
  const target = await startNodeTarget(
    join(REPO, 'bench', 'fixtures', 'freezing-server.ts'),
    [String(CYCLE_MS), String(FREEZE_MS)],
    TARGET_CPU,
  );
  try {
    const x = await run({
      url: `http://127.0.0.1:${target.port}/`,
      cpu: GENERATOR_CPU,
      connections: 0,
      durationS,
      rate,
      targetPids: target.pids,
    });
    // Where in the target's cycle the load began (from the tool's own start stamp).
    return { ...x, phaseMs: ((((x.extra['startedAtMs'] ?? Number.NaN) - target.startedAtMs) % CYCLE_MS) + CYCLE_MS) % CYCLE_MS };
  } finally {
    await target.stop();
  }
}

const of = (tool: string) => all.map((r) => r.find((x) => x.tool === tool)!);
const med = (tool: string, f: (x: Measurement) => number | undefined) =>
  median(
    of(tool)
      .map(f)
      .filter((v): v is number => v !== undefined),
  );
const err = (got: number, want: number) => (got - want) / want;
const rows = tools.map(([tool]) => {
  const p90 = med(tool, (x) => x.p90Ms);
  const p99 = med(tool, (x) => x.p99Ms);
  return [
    tool,
    fmt(
      med(tool, (x) => x.rps),
      1,
    ),
    fmt(p90, 1),
    `${fmt(100 * err(p90, expected.p90), 1)} %`,
    fmt(p99, 1),
    `${fmt(100 * err(p99, expected.p99), 1)} %`,
  ];
});
rows.push(['analytic', String(rate), fmt(expected.p90, 1), '', fmt(expected.p99, 1), '']);
console.log(`\n${table(['median of rounds', 'req/s', 'p90 ms', 'vs analytic', 'p99 ms', 'vs analytic'], rows)}`);
const sgP90 = med('speedguard', (x) => x.p90Ms);
const sgP99 = med('speedguard', (x) => x.p99Ms);
const ok = Math.abs(err(sgP90, expected.p90)) <= TOLERANCE && Math.abs(err(sgP99, expected.p99)) <= TOLERANCE;
console.log(`speedguard http_req_latency within ${TOLERANCE * 100} % of analytic (p90 and p99): ${verdict(ok)}`);
console.log(
  `speedguard http_req_duration (service time from the actual send): p90 ${fmt(
    med('speedguard', (x) => x.extra['durationP90Ms']),
    1,
  )} ms, p99 ${fmt(
    med('speedguard', (x) => x.extra['durationP99Ms']),
    1,
  )} ms`,
);
const samples = of('autocannon').map((x) => `${x.extra['latencySamples']} samples for ${x.extra['requests']} requests`);
console.log(`autocannon's default CO correction back-fills synthetic samples: ${samples.join(', ')}`);
console.log(
  `load start phase in the cycle (ms after a cycle began): ${all
    .flat()
    .map((x) => `${x.tool} ${fmt(x.phaseMs, 0)}`)
    .join(', ')} (whole cycles: no bias expected)`,
);
console.log(`raw rounds: ${saveResults('latency-truth', { machine: m, durationS, rate, expected, rounds: all })}`);
