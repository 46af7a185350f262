// Request cost in units of the send syscall: CPU-profile speedguard (and optionally a baseline
// checkout) at 50 keep-alive connections against nginx and count, after the first request, the
// generator's busy profile samples per sample spent in `writeBuffer` (the native socket write
// that every generator, wrk included, pays once per request).
//   ./node_modules/.bin/node bench/request-cost.ts [--rounds 3] [--duration 8] [--connections 50] [--baseline DIR]
// Why: on a machine shared with other work, req/s and even CPU per request move with the load
// around them (a starved generator reads one response per wake-up instead of many). The send
// syscall costs about the same whatever the rest does, so "busy samples per send sample" compares
// two builds of the request path run under the same conditions without needing a quiet machine.
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { stopOnSignal } from './lib/cpu-load.ts';
import { startNginx } from './lib/nginx.ts';
import { ensurePeers } from './lib/peers.ts';
import { fmt, machine, median, saveResults, table } from './lib/report.ts';
import { runSpeedguard, type GeneratorRunOptions } from './lib/tools.ts';

const { values: args } = parseArgs({
  options: {
    rounds: { type: 'string', default: '3' },
    duration: { type: 'string', default: '8' },
    connections: { type: 'string', default: '50' },
    baseline: { type: 'string' },
  },
});

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string };
}
interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
}

/** Busy samples per writeBuffer sample, counted from the first writeBuffer sample on. */
function costPerSend(dir: string): { ratio: number; sends: number; top: [string, number][] } {
  const file = readdirSync(dir).find((f) => f.endsWith('.cpuprofile'));
  if (!file) throw new Error(`no .cpuprofile in ${dir}`);
  const p = JSON.parse(readFileSync(join(dir, file), 'utf8')) as CpuProfile;
  const byId = new Map(p.nodes.map((n) => [n.id, n.callFrame]));
  const first = p.samples.findIndex((id) => byId.get(id)?.functionName === 'writeBuffer');
  let busy = 0;
  let sends = 0;
  const self = new Map<string, number>();
  for (let i = Math.max(0, first); i < p.samples.length; i++) {
    const f = byId.get(p.samples[i]!)!;
    if (f.functionName === '(idle)') continue;
    busy++;
    if (f.functionName === 'writeBuffer') sends++;
    const key = `${f.functionName || '(anonymous)'} ${f.url.replace(/^.*\/(src|node_modules)\//, '$1/')}`;
    self.set(key, (self.get(key) ?? 0) + 1);
  }
  const top = [...self]
    .sort((a, b) => b[1] - a[1])
    .slice(0, 12)
    .map(([k, n]) => [k, (100 * n) / busy] as [string, number]);
  return { ratio: busy / Math.max(1, sends), sends, top };
}

await ensurePeers(['nginx']);
const m = await machine();
console.log(`request-cost · ${m.date} · ${m.nproc} cores · ${m.cpu} · Node ${m.node}`);
const nginx = await startNginx({ cpu: 0, workerConnections: 12000 });
stopOnSignal(() => nginx.stop());
const builds: [string, string | undefined][] = [
  ['speedguard', undefined],
  ...(args.baseline ? [['speedguard-before', args.baseline] as [string, string]] : []),
];
const results: Record<string, { ratio: number; top: [string, number][] }[]> = Object.fromEntries(builds.map(([b]) => [b, []]));
try {
  for (let r = 0; r < Number(args.rounds); r++) {
    for (const [name, repo] of builds.map((_, i) => builds[(i + r) % builds.length]!)) {
      const dir = mkdtempSync(join(tmpdir(), 'sg-bench-cost-'));
      try {
        const o: GeneratorRunOptions = {
          url: nginx.url,
          cpu: 1,
          connections: Number(args.connections),
          durationS: Number(args.duration),
          raiseNofile: true,
          targetPids: nginx.pids,
          nodeArgs: ['--cpu-prof', `--cpu-prof-dir=${dir}`],
          repo,
        };
        const got = await runSpeedguard(o);
        const c = costPerSend(dir);
        results[name]!.push(c);
        console.log(
          `  round ${r + 1} ${name.padEnd(17)}: ${fmt(c.ratio, 2)} busy samples per send sample (${c.sends} send samples, ` +
            `${fmt(got.rps, 0)} req/s, foreign load ${fmt(got.foreignCores, 2)} cores)`,
        );
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    }
  }
} finally {
  await nginx.stop();
}
const rows = builds.map(([b]) => [b, fmt(median(results[b]!.map((x) => x.ratio)), 2)]);
console.log(`\n${table(['median of rounds', 'busy samples per writeBuffer sample'], rows)}`);
for (const [b] of builds) {
  console.log(`\n${b}, last round, self time as % of busy samples after the first request:`);
  console.log(
    table(
      ['function', '%'],
      results[b]!.at(-1)!.top.map(([k, v]) => [k, fmt(v, 1)]),
    ),
  );
}
console.log(`raw rounds: ${saveResults('request-cost', { machine: m, args, results })}`);
