// k6 compatibility overhead: the same journey (GET JSON, POST, a group with a GET, four checks) as
// a native speedguard script and as an unchanged k6 script run through the k6 transform.
//   ./node_modules/.bin/node bench/k6-overhead.ts [--rounds 3] [--duration 10] [--vus 1000]
// Target (Node) on core 0, generator (one worker) on core 1; the two scripts alternate within each
// round and the order rotates. Figures: req/s at --vus VUs (closed loop, no think time), and memory
// per VU = (peak RSS at --vus − peak RSS at 10 VUs) / (--vus − 10).
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { stopOnSignal, timeVCpuSeconds } from './lib/cpu-load.ts';
import { startNodeTarget } from './lib/node-target.ts';
import { runPinned } from './lib/proc.ts';
import { fmt, machine, mb, median, table } from './lib/report.ts';
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
  },
});
const rounds = Math.max(1, Number(args.rounds));
const durationS = Number(args.duration);
const vus = Number(args.vus);
const tmp = mkdtempSync(join(tmpdir(), 'k6-overhead-'));

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
console.log(
  `k6/native: req/s ${fmt(k.rps / n.rps, 3)}, CPU per request ${fmt(k.cpu / n.cpu, 2)}×, memory per VU ${fmt(k.perVu / n.perVu, 2)}×`,
);
