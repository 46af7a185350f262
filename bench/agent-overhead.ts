// Node agent overhead: req/s of a trivial node:http server with and without the speedguard agent.
//   ./node_modules/.bin/node bench/agent-overhead.ts [--rounds 3] [--duration 5] [--connections 50]
// The target runs on core 0, wrk on core 1; "without" and "with" alternate within each round and
// swap order every round. Goal (issue 4): median(with/without) ≥ 0.95.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { startAgentCollector, type AgentCollector } from '../src/probes/node-agent/collector.ts';
import { ensurePeers } from './lib/peers.ts';
import { fmt, machine, median, table } from './lib/report.ts';
import { NODE, REPO, runWrk } from './lib/tools.ts';

const TARGET_CPU = 0;
const GENERATOR_CPU = 1;
const SERVER = join(REPO, 'test/fixtures/agent/server.cjs');

const { values: args } = parseArgs({
  options: {
    rounds: { type: 'string', default: '3' },
    duration: { type: 'string', default: '5' },
    connections: { type: 'string', default: '50' },
  },
});
const rounds = Math.max(1, Number(args.rounds));
const durationS = Number(args.duration);
const connections = Number(args.connections);
if (!(durationS > 0 && durationS <= 60)) throw new Error(`--duration ${args.duration}: expected 1..60 seconds`);

async function runOnce(withAgent: boolean): Promise<{ rps: number; samples: number }> {
  let collector: AgentCollector | undefined;
  const env: NodeJS.ProcessEnv = { ...process.env };
  if (withAgent) {
    collector = await startAgentCollector();
    Object.assign(env, collector.env);
  }
  const child = spawn('taskset', ['-c', String(TARGET_CPU), NODE, SERVER], { env, stdio: ['ignore', 'pipe', 'inherit'] });
  try {
    let out = '';
    child.stdout!.setEncoding('utf8');
    const port = await new Promise<number>((resolve, reject) => {
      const t = setTimeout(() => reject(new Error('target did not listen within 10 s')), 10_000);
      child.stdout!.on('data', (c: string) => {
        out += c;
        const m = /listening (\d+)/.exec(out);
        if (m) { clearTimeout(t); resolve(Number(m[1])); }
      });
      child.once('exit', (code) => { clearTimeout(t); reject(new Error(`target exited ${code}`)); });
    });
    if (collector) await collector.waitForHello();
    // Short warm-up so both variants are measured with a JIT-warm server.
    await runWrk({ url: `http://127.0.0.1:${port}/`, cpu: GENERATOR_CPU, connections, durationS: 1 });
    const m = await runWrk({ url: `http://127.0.0.1:${port}/`, cpu: GENERATOR_CPU, connections, durationS, targetPids: () => (child.pid ? [child.pid] : []) });
    if (m.errors > 0) throw new Error(`wrk counted ${m.errors} errors`);
    if (collector && collector.samples.length < durationS - 1) throw new Error(`agent sent only ${collector.samples.length} samples`);
    return { rps: m.rps, samples: collector?.samples.length ?? 0 };
  } finally {
    child.kill('SIGTERM');
    if (child.exitCode === null) await once(child, 'exit');
    await collector?.close();
  }
}

await ensurePeers(['wrk']);
const mach = await machine();
console.log(`agent overhead · ${mach.date} · ${mach.nproc} cores · ${mach.cpu} · Node ${mach.node}`);
console.log(`target on core ${TARGET_CPU}, wrk on core ${GENERATOR_CPU}, ${connections} connections, ${rounds} rounds × ${durationS} s\n`);
const rows: string[][] = [];
const ratios: number[] = [];
for (let r = 0; r < rounds; r++) {
  const order = r % 2 === 0 ? [false, true] : [true, false];
  const res: Record<string, number> = {};
  for (const withAgent of order) res[withAgent ? 'with' : 'without'] = (await runOnce(withAgent)).rps;
  const ratio = res.with! / res.without!;
  ratios.push(ratio);
  rows.push([String(r + 1), fmt(res.without, 0), fmt(res.with, 0), fmt(ratio, 3)]);
}
console.log(table(['round', 'req/s without', 'req/s with agent', 'ratio'], rows));
const med = median(ratios);
console.log(`\nmedian ratio with/without: ${fmt(med, 3)} (overhead ${fmt((1 - med) * 100, 1)} %) — goal ≥ 0.95: ${med >= 0.95 ? 'met' : 'NOT met'}`);
