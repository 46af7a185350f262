// k6 compatibility overhead: the same journey (GET JSON, POST, a group with a GET, four checks) as
// a native speedguard script and as an unchanged k6 script run through the k6 transform.
//   ./node_modules/.bin/node bench/k6-overhead.ts [--rounds 3] [--duration 10] [--vus 1000]
// Target (Node) on core 0, generator (one worker) on core 1; the two scripts alternate within each
// round and the order rotates. Figures: req/s at --vus VUs (closed loop, no think time), and memory
// per VU = (peak RSS at --vus − peak RSS at 10 VUs) / (--vus − 10). The load average is printed
// before and after each round: other sessions share the machine, and their load moves req/s.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { stopOnSignal, timeVCpuSeconds } from './lib/cpu-load.ts';
import { startNodeTarget } from './lib/node-target.ts';
import { runPinned } from './lib/proc.ts';
import { fmt, machine, mb, median, table, verdict } from './lib/report.ts';
import { NODE, REPO } from './lib/tools.ts';

const TARGET_CPU = 0;
const GENERATOR_CPU = 1;
const SCRIPTS = { native: join(REPO, 'bench/fixtures/k6-journey-native.ts'), k6: join(REPO, 'bench/fixtures/k6-journey.js') } as const;
type Kind = keyof typeof SCRIPTS;

const { values: args } = parseArgs({
  options: {
    rounds: { type: 'string', default: '3' },
    duration: { type: 'string', default: '10' },
    vus: { type: 'string', default: '1000' },
    help: { type: 'boolean', short: 'h', default: false },
  },
});
if (args.help) {
  console.log(`Usage: ./node_modules/.bin/node bench/k6-overhead.ts [--rounds 3] [--duration 10] [--vus 1000]

The same journey as a k6 script (bench/fixtures/k6-journey.js, through the k6 transform) and as a
native speedguard script (bench/fixtures/k6-journey-native.ts), each at --vus and at 10 VUs per round.
  --rounds N     rounds; the two scripts alternate within each, the order rotates (default 3)
  --duration S   seconds per run (default 10)
  --vus N        VUs of the measured runs (default 1000)
Prints req/s, CPU per request, peak RSS and memory per VU, the k6/native ratios and the budget
(BENCHMARKS.md, "k6 scripts"): req/s ≥ 0.5×, CPU per request ≤ 2×, memory per VU ≤ 1.5×.`);
  process.exit(0);
}
const rounds = Math.max(1, Number(args.rounds));
const durationS = Number(args.duration);
const vus = Number(args.vus);
const tmp = mkdtempSync(join(tmpdir(), 'k6-overhead-'));
/** The 1, 5 and 15 minute load averages, as /proc/loadavg gives them. */
const loadavg = () => readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');

interface Sample {
  rps: number;
  rssBytes: number;
  checksRate: number;
  cpuUsPerReq: number;
}

async function once(kind: Kind, base: string, n: number): Promise<Sample> {
  const out = join(tmp, `${kind}-${n}-${Date.now()}.json`);
  const argv = [
    NODE,
    join(REPO, 'bin/speedguard.js'),
    'run',
    SCRIPTS[kind],
    '-u',
    String(n),
    '-d',
    `${durationS}s`,
    '-w',
    '1',
    '-q',
    '--no-history',
    '--summary-export',
    out,
    '-e',
    `BASE=${base}`,
  ];
  const r = await runPinned(argv, {
    cpu: GENERATOR_CPU,
    timeoutMs: (durationS + 60) * 1000,
    measureRss: true,
    raiseNofile: true,
    cwd: REPO,
  });
  if (r.code !== 0) throw new Error(`${kind} exited ${r.code}: ${r.stderr.slice(-500)}`);
  const exp = JSON.parse(readFileSync(out, 'utf8')) as { metrics: Record<string, Record<string, number>> };
  const reqs = exp.metrics.http_reqs!;
  const checks = exp.metrics.checks!;
  // CPU per request is the steadier figure on a shared machine: others' jobs lower req/s, not this.
  const cpuS = timeVCpuSeconds(r.timeReport);
  return {
    rps: reqs.rate!,
    rssBytes: r.maxRssBytes ?? NaN,
    checksRate: checks.value ?? checks.rate ?? NaN,
    cpuUsPerReq: (cpuS * 1e6) / reqs.count!,
  };
}

const m = await machine();
console.log(`k6-overhead · ${m.date} · ${m.nproc} cores · ${m.cpu} · Node ${m.node}`);
console.log(
  `target on core ${TARGET_CPU}, generator (1 worker) on core ${GENERATOR_CPU}; ${rounds} rounds × ${durationS} s; ${vus} VUs and 10 VUs`,
);
const target = await startNodeTarget(join(REPO, 'bench/fixtures/k6-target.ts'), [], TARGET_CPU);
stopOnSignal(() => target.stop());
const base = `http://127.0.0.1:${target.port}`;
console.log(`load average at the start: ${loadavg()}`);
const results: Record<Kind, { big: Sample[]; small: Sample[] }> = { native: { big: [], small: [] }, k6: { big: [], small: [] } };
try {
  for (let r = 0; r < rounds; r++) {
    const order: Kind[] = r % 2 === 0 ? ['native', 'k6'] : ['k6', 'native'];
    for (const kind of order) {
      const big = await once(kind, base, vus);
      const small = await once(kind, base, 10);
      results[kind].big.push(big);
      results[kind].small.push(small);
      console.log(
        `  round ${r + 1} ${kind}: ${fmt(big.rps, 0)} req/s at ${vus} VUs, ${fmt(big.cpuUsPerReq, 0)} µs CPU/request (whole ` +
          `process), peak RSS ${mb(big.rssBytes)} (10 VUs: ${mb(small.rssBytes)}), checks ${fmt(big.checksRate * 100, 1)} %`,
      );
    }
    console.log(`  load average after round ${r + 1}: ${loadavg()}`);
  }
} finally {
  await target.stop();
}
const row = (kind: Kind) => {
  const rps = median(results[kind].big.map((s) => s.rps));
  const perVu = median(results[kind].big.map((s, i) => (s.rssBytes - results[kind].small[i]!.rssBytes) / (vus - 10)));
  return { rps, perVu, rss: median(results[kind].big.map((s) => s.rssBytes)), cpu: median(results[kind].big.map((s) => s.cpuUsPerReq)) };
};
const n = row('native');
const k = row('k6');
console.log(
  '\n' +
    table(
      ['script', 'req/s (median)', 'CPU µs/request', `peak RSS at ${vus} VUs`, 'memory per VU'],
      [
        ['native speedguard', fmt(n.rps, 0), fmt(n.cpu, 0), mb(n.rss), `${fmt(n.perVu / 1024, 1)} KB`],
        ['k6 script (transformed)', fmt(k.rps, 0), fmt(k.cpu, 0), mb(k.rss), `${fmt(k.perVu / 1024, 1)} KB`],
      ],
    ),
);
const [rps, cpu, mem] = [k.rps / n.rps, k.cpu / n.cpu, k.perVu / n.perVu];
console.log(
  `k6/native: req/s ${fmt(rps, 3)} (budget ≥ 0.5: ${verdict(rps >= 0.5)}), CPU per request ${fmt(cpu, 2)}× (budget ≤ 2: ` +
    `${verdict(cpu <= 2)}), memory per VU ${fmt(mem, 2)}× (budget ≤ 1.5: ${verdict(mem <= 1.5)})`,
);
