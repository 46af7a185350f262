// The cost of k6's per-sample `--out json=FILE` for a k6 script: the k6 journey with and without it,
// each over the run length given and three times longer (with the output, memory must grow with the
// run no more than without it: samples are written in batches as they arrive, not kept).
//   ./node_modules/.bin/node bench/k6-out-json.ts [--rounds 2] [--duration 10] [--vus 50]
// Target (Node) on core 0, generator (one worker) on core 1; the variants rotate within each round.
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
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
const SCRIPT = join(REPO, 'bench/fixtures/k6-journey.js');
const { values: args } = parseArgs({
  options: {
    rounds: { type: 'string', default: '2' },
    duration: { type: 'string', default: '10' },
    vus: { type: 'string', default: '50' },
  },
});
const rounds = Math.max(1, Number(args.rounds));
const durationS = Number(args.duration);
const vus = Number(args.vus);
const tmp = mkdtempSync(join(tmpdir(), 'k6-out-json-'));

interface Variant {
  name: string;
  out: boolean;
  seconds: number;
}
const VARIANTS: Variant[] = [
  { name: 'no --out', out: false, seconds: durationS },
  { name: '--out json=', out: true, seconds: durationS },
  { name: `no --out, ${durationS * 3} s`, out: false, seconds: durationS * 3 },
  { name: `--out json=, ${durationS * 3} s`, out: true, seconds: durationS * 3 },
];
interface Sample {
  rps: number;
  cpuUsPerReq: number;
  rssBytes: number;
  bytesPerReq: number;
}

async function once(v: Variant, base: string): Promise<Sample> {
  const summary = join(tmp, `s-${Date.now()}.json`);
  const ndjson = join(tmp, `o-${Date.now()}.json`);
  const argv = [NODE, join(REPO, 'bin/speedguard.js'), 'run', SCRIPT, '-u', String(vus), '-d', `${v.seconds}s`, '-w', '1', '-q'];
  argv.push('--no-history', '--summary-export', summary, '-e', `BASE=${base}`, ...(v.out ? ['--out', `json=${ndjson}`] : []));
  const r = await runPinned(argv, { cpu: GENERATOR_CPU, timeoutMs: (v.seconds + 60) * 1000, measureRss: true, cwd: REPO });
  if (r.code !== 0) throw new Error(`${v.name} exited ${r.code}: ${r.stderr.slice(-500)}`);
  const reqs = (JSON.parse(readFileSync(summary, 'utf8')) as { metrics: Record<string, Record<string, number>> }).metrics.http_reqs!;
  const bytes = v.out ? statSync(ndjson).size : 0;
  rmSync(ndjson, { force: true });
  return {
    rps: reqs.rate!,
    cpuUsPerReq: (timeVCpuSeconds(r.timeReport) * 1e6) / reqs.count!,
    rssBytes: r.maxRssBytes ?? NaN,
    bytesPerReq: bytes / reqs.count!,
  };
}

const m = await machine();
console.log(`k6-out-json · ${m.date} · ${m.nproc} cores · ${m.cpu} · Node ${m.node}`);
console.log(`target on core ${TARGET_CPU}, generator (1 worker) on core ${GENERATOR_CPU}; ${rounds} rounds; ${vus} VUs`);
const target = await startNodeTarget(join(REPO, 'bench/fixtures/k6-target.ts'), [], TARGET_CPU);
stopOnSignal(() => target.stop());
const base = `http://127.0.0.1:${target.port}`;
const results = new Map<string, Sample[]>(VARIANTS.map((v) => [v.name, []]));
try {
  for (let r = 0; r < rounds; r++) {
    const order = VARIANTS.map((_, i) => VARIANTS[(i + r) % VARIANTS.length]!);
    for (const v of order) {
      const s = await once(v, base);
      results.get(v.name)!.push(s);
      console.log(
        `  round ${r + 1} ${v.name}: ${fmt(s.rps, 0)} req/s, ${fmt(s.cpuUsPerReq, 0)} µs CPU/request, peak RSS ${mb(s.rssBytes)}, ` +
          `${fmt(s.bytesPerReq, 0)} B/request written`,
      );
    }
  }
} finally {
  await target.stop();
}
const rows = VARIANTS.map((v) => {
  const xs = results.get(v.name)!;
  return [
    v.name,
    fmt(median(xs.map((s) => s.rps)), 0),
    fmt(median(xs.map((s) => s.cpuUsPerReq)), 0),
    mb(median(xs.map((s) => s.rssBytes))),
    fmt(median(xs.map((s) => s.bytesPerReq)), 0),
  ];
});
console.log('\n' + table(['variant', 'req/s (median)', 'CPU µs/request', 'peak RSS', 'bytes written/request'], rows));
