// Open-model CPU: how much generator CPU one request costs at a fixed arrival rate, against the
// closed model at about the same rate.
//   ./node_modules/.bin/node bench/open-model-cpu.ts [--rate 2000] [--rounds 3] [--short 4] [--long 12] [--no-wait] [--baseline DIR]
// CPU per request = (CPU of a long run − CPU of a short run) ÷ (requests of the long run − requests
// of the short one), both at the same load, so start-up (module loading, JIT, connecting) cancels out.
// CPU comes from /usr/bin/time -v (user + system of the whole process).
//   open:   speedguard run URL --rate R                 (constant-arrival-rate)
//   closed: a plan of N constant VUs, each "request, then sleep P ms", N/(P + round trip) ≈ R
// Goal (issue 10): open ≤ 2 × closed, and ≤ 60 µs per request here; schedule delay p99 ≤ 1 ms.
// nginx on core 0, speedguard on core 1.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { runWhenQuiet, stopOnSignal, timeVCpuSeconds } from './lib/cpu-load.ts';
import { startNginx } from './lib/nginx.ts';
import { ensurePeers } from './lib/peers.ts';
import { runPinned } from './lib/proc.ts';
import { fmt, machine, median, saveResults, table, verdict } from './lib/report.ts';
import { REPO } from './lib/tools.ts';
import { ensureBuilt, speedguardBuilt } from './lib/built.ts';

const TARGET_CPU = 0;
const GENERATOR_CPU = 1;
const GOAL_US = 60;
const PACE_MS = 10;

const { values: args } = parseArgs({
  options: {
    rate: { type: 'string', default: '2000' },
    rounds: { type: 'string', default: '3' },
    short: { type: 'string', default: '4' },
    long: { type: 'string', default: '12' },
    // Skip the wait for a quiet machine (development runs; the figures get noisier).
    'no-wait': { type: 'boolean', default: false },
    // Also measure speedguard from another checkout (before/after in the same run).
    baseline: { type: 'string' },
  },
});
const rate = Number(args.rate);
const rounds = Math.max(1, Number(args.rounds));
const shortS = Number(args.short);
const longS = Number(args.long);
if (!(rate > 0) || !(shortS > 0) || !(longS > shortS)) throw new Error('--rate > 0 and --long > --short > 0 expected');

interface Run {
  cpuS: number;
  requests: number;
  rps: number;
  schedP99Ms: number;
  cpuP95: number;
  limited: boolean;
}

await ensurePeers(['nginx']);
await ensureBuilt(REPO);
if (args.baseline !== undefined) await ensureBuilt(args.baseline);
const m = await machine();
console.log(`open-model-cpu · ${m.date} · ${m.nproc} cores · ${m.cpu} · Node ${m.node}`);
const nginx = await startNginx({ cpu: TARGET_CPU, workerConnections: 12000 });
stopOnSignal(() => nginx.stop());
const dir = mkdtempSync(join(tmpdir(), 'sg-bench-open-'));
// The round trip on loopback is ~0.1–0.3 ms: N VUs sleeping PACE_MS each give a bit under N/PACE_MS.
const vus = Math.max(1, Math.round((rate * PACE_MS) / 1000));
const plan = join(dir, 'closed.yaml');

type Model = 'open' | 'closed' | 'open-before';
const MODELS: Model[] = args.baseline !== undefined ? ['open', 'closed', 'open-before'] : ['open', 'closed'];

function argv(model: Model, seconds: number, summary: string): string[] {
  const common = ['--workers', '1', '--quiet', '--no-history', '--summary-export', summary];
  if (model === 'open-before')
    return [...speedguardBuilt(args.baseline!), 'run', nginx.url, '--rate', String(rate), '-d', `${seconds}s`, ...common];
  if (model === 'open') return [...speedguardBuilt(REPO), 'run', nginx.url, '--rate', String(rate), '-d', `${seconds}s`, ...common];
  writeFileSync(
    plan,
    [
      `target: ${new URL(nginx.url).origin}`,
      'flow:',
      `  - request: { url: ${new URL(nginx.url).pathname} }`,
      `  - sleep: ${PACE_MS}ms`,
      'scenarios:',
      '  closed:',
      '    executor: constant-vus',
      `    vus: ${vus}`,
      `    duration: ${seconds}s`,
    ].join('\n'),
  );
  return [...speedguardBuilt(REPO), 'run', plan, ...common];
}

async function once(model: Model, seconds: number): Promise<Run & { foreignCores: number }> {
  const summary = join(dir, `${model}-${seconds}.json`);
  const r = await runPinned(argv(model, seconds, summary), {
    cpu: GENERATOR_CPU,
    timeoutMs: (seconds + 60) * 1000,
    measureRss: true,
    raiseNofile: true,
    cwd: REPO,
  });
  if (r.code !== 0 && r.code !== 99) throw new Error(`speedguard exited ${r.code}: ${r.stderr.slice(-800)}`);
  const s = JSON.parse(readFileSync(summary, 'utf8')) as {
    metrics: Record<string, { count: number; rate?: number; 'p(99)': number }>;
    speedguard: { generator: { cpuP95: number; limited: boolean } };
  };
  return {
    cpuS: timeVCpuSeconds(r.timeReport),
    requests: s.metrics['http_reqs']!.count,
    rps: s.metrics['http_reqs']!.rate ?? 0,
    schedP99Ms: s.metrics['iteration_schedule_delay']?.['p(99)'] ?? 0,
    cpuP95: s.speedguard.generator.cpuP95,
    limited: s.speedguard.generator.limited,
    foreignCores: 0,
  };
}

const results: Record<string, { perRequestUs: number; long: Run; short: Run }[]> = Object.fromEntries(MODELS.map((x) => [x, []]));
try {
  console.log(
    `open:   taskset -c ${GENERATOR_CPU} node bench/lib/run-built.mjs . run URL --rate ${rate} -d {${shortS},${longS}}s ` +
      `--workers 1 --quiet --no-history --summary-export S.json`,
  );
  console.log(
    `closed: taskset -c ${GENERATOR_CPU} node bench/lib/run-built.mjs . run closed.yaml …  (constant-vus, ${vus} VUs, ` +
      `request + sleep ${PACE_MS}ms)\n`,
  );
  for (let r = 0; r < rounds; r++) {
    for (const model of MODELS.map((_, i) => MODELS[(i + r) % MODELS.length]!)) {
      const own = () => nginx.pids();
      const short = !args['no-wait'] ? await runWhenQuiet(() => once(model, shortS), own) : await once(model, shortS);
      const long = !args['no-wait'] ? await runWhenQuiet(() => once(model, longS), own) : await once(model, longS);
      const perRequestUs = ((long.cpuS - short.cpuS) / (long.requests - short.requests)) * 1e6;
      results[model]!.push({ perRequestUs, long, short });
      console.log(
        `  round ${r + 1} ${model.padEnd(11)}: ${fmt(perRequestUs, 1)} µs CPU per request · ${fmt(long.rps, 0)} req/s · CPU ` +
          `${fmt(long.cpuS, 2)} s vs ${fmt(short.cpuS, 2)} s · schedule delay p99 ${fmt(long.schedP99Ms, 3)} ms · self-check CPU p95 ` +
          `${fmt(long.cpuP95 * 100, 0)} %${long.limited ? ' [generator limited]' : ''}`,
      );
    }
  }
} finally {
  await nginx.stop();
  rmSync(dir, { recursive: true, force: true });
}

const med = (model: string, f: (x: { perRequestUs: number; long: Run }) => number) => median(results[model]!.map(f));
const open = med('open', (x) => x.perRequestUs);
const closed = med('closed', (x) => x.perRequestUs);
const sched = med('open', (x) => x.long.schedP99Ms);
console.log(
  `\n${table(
    ['median of rounds', 'µs CPU / request', 'req/s (long run)', 'schedule delay p99 ms', 'self-check CPU p95'],
    [
      [
        'open (--rate)',
        fmt(open, 1),
        fmt(
          med('open', (x) => x.long.rps),
          0,
        ),
        fmt(sched, 3),
        `${fmt(med('open', (x) => x.long.cpuP95) * 100, 0)} %`,
      ],
      [
        'closed (paced VUs)',
        fmt(closed, 1),
        fmt(
          med('closed', (x) => x.long.rps),
          0,
        ),
        '',
        `${fmt(med('closed', (x) => x.long.cpuP95) * 100, 0)} %`,
      ],
      ...(MODELS.includes('open-before')
        ? [
            [
              'open, before (--baseline)',
              fmt(
                med('open-before', (x) => x.perRequestUs),
                1,
              ),
              fmt(
                med('open-before', (x) => x.long.rps),
                0,
              ),
              fmt(
                med('open-before', (x) => x.long.schedP99Ms),
                3,
              ),
              `${fmt(med('open-before', (x) => x.long.cpuP95) * 100, 0)} %`,
            ],
          ]
        : []),
    ],
  )}`,
);
console.log(
  `open / closed ${fmt(open / closed, 2)} · goal ≤ 2: ${verdict(open <= 2 * closed)} · open ≤ ${GOAL_US} µs: ` +
    `${verdict(open <= GOAL_US)} · schedule delay p99 ≤ 1 ms: ${verdict(sched <= 1)}`,
);
console.log(`raw rounds: ${saveResults('open-model-cpu', { machine: m, rate, shortS, longS, results })}`);
