// Node agent overhead: req/s of a Node service with and without the speedguard agent.
//   ./node_modules/.bin/node bench/agent-overhead.ts [--target trivial|demo] [--path /api/products/17]
//                                                    [--rounds 5] [--duration 5] [--connections 50] [--off PARTS] [--script FILE]
// --target trivial: a bare node:http server (test/fixtures/agent/server.cjs), the agent's worst case;
// --target demo: the demo shop (examples/demo/server.ts, SQLite behind it), the issue's yardstick.
// --off gc,finish,…: the agent with those parts left out (bisection; see SPEEDGUARD_AGENT_OFF in agent.ts).
// The agent is injected exactly as `speedguard profile` does it (NODE_OPTIONS from
// startAgentCollector().env) and samples every second; no CPU profile runs (that is the profiler's
// cost, taken only over the measured window, not the agent's).
// The target runs on core 0, wrk on core 1; "without" and "with" alternate within each round and
// swap order every round. Each run starts on a quiet machine and is repeated (≤ 3 times) when other
// processes used more than 0.25 cores meanwhile (bench/lib/cpu-load.ts: the machine is shared). Goal (issue 4): median(with/without) ≥ 0.95 on the demo service.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { startAgentCollector, type AgentCollector } from '../src/probes/node-agent/collector.ts';
import { runWhenQuiet } from './lib/cpu-load.ts';
import { ensurePeers } from './lib/peers.ts';
import { fmt, machine, median, table } from './lib/report.ts';
import { NODE, REPO, runWrk } from './lib/tools.ts';

const TARGET_CPU = 0;
const GENERATOR_CPU = 1;
const TARGETS: Record<string, { script: string; path: string }> = {
  trivial: { script: join(REPO, 'test/fixtures/agent/server.cjs'), path: '/' },
  demo: { script: join(REPO, 'examples/demo/server.ts'), path: '/api/products/17' },
};

const { values: args } = parseArgs({
  options: {
    target: { type: 'string', default: 'trivial' },
    path: { type: 'string' },
    rounds: { type: 'string', default: '5' },
    duration: { type: 'string', default: '5' },
    connections: { type: 'string', default: '50' },
    // Parts of the agent to leave out, to bisect its cost: gc, gcheap, finish, request, ticker, pool.
    off: { type: 'string' },
    // Another start script for the target (e.g. a snapshot of the demo while it is being changed).
    script: { type: 'string' },
  },
});
const rounds = Math.max(1, Number(args.rounds));
const durationS = Number(args.duration);
const connections = Number(args.connections);
if (!(durationS > 0 && durationS <= 60)) throw new Error(`--duration ${args.duration}: expected 1..60 seconds`);
const known = TARGETS[args.target];
if (!known) throw new Error(`--target ${args.target}: expected one of ${Object.keys(TARGETS).join(', ')}`);
const target = { ...known, script: args.script ? resolve(args.script) : known.script };
const urlPath = args.path ?? target.path;
if (!urlPath.startsWith('/')) throw new Error(`--path ${urlPath}: must start with "/"`);

/** The target and its child processes (the demo runs a downstream of its own): not foreign CPU. */
function withChildren(pid: number): number[] {
  try {
    const kids = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
    return [pid, ...kids];
  } catch {
    return [pid];
  }
}

async function runOnce(withAgent: boolean): Promise<{ rps: number; p99Ms: number | undefined; samples: number; foreignCores: number }> {
  let collector: AgentCollector | undefined;
  const env: NodeJS.ProcessEnv = { ...process.env };
  if (withAgent) {
    collector = await startAgentCollector();
    Object.assign(env, collector.env);
    if (args.off) env.SPEEDGUARD_AGENT_OFF = args.off;
  }
  const child = spawn('taskset', ['-c', String(TARGET_CPU), NODE, target.script], { env, stdio: ['ignore', 'pipe', 'inherit'], detached: true });
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
    if (collector) {
      await collector.waitForHello();
      // The demo's downstream child listens first: follow the server itself, as `speedguard profile`
      // does (only the followed process measures).
      const until = Date.now() + 5000;
      while (Date.now() < until && !collector.hellos.some((h) => h.pid === child.pid)) await new Promise((r) => setTimeout(r, 20));
      if (!collector.follow(child.pid!)) throw new Error(`the target (pid ${child.pid}) never said hello to the agent collector`);
    }
    // Short warm-up so both variants are measured with a JIT-warm server.
    const url = `http://127.0.0.1:${port}${urlPath}`;
    await runWrk({ url, cpu: GENERATOR_CPU, connections, durationS: 1 });
    const m = await runWrk({ url, cpu: GENERATOR_CPU, connections, durationS, targetPids: () => (child.pid ? withChildren(child.pid) : []) });
    if (m.errors > 0) throw new Error(`wrk counted ${m.errors} errors`);
    if (collector && collector.samples.length < durationS - 1) throw new Error(`agent sent only ${collector.samples.length} samples`);
    if (m.warnings.length) console.log(`  (${withAgent ? 'with' : 'without'}: ${m.warnings.join(', ')})`);
    return { rps: m.rps, p99Ms: m.p99Ms, samples: collector?.samples.length ?? 0, foreignCores: m.foreignCores ?? 0 };
  } finally {
    // The whole group: the demo starts a downstream child of its own.
    try { process.kill(-child.pid!, 'SIGTERM'); } catch { /* gone */ }
    if (child.exitCode === null) await once(child, 'exit');
    await collector?.close();
  }
}

await ensurePeers(['wrk']);
const mach = await machine();
console.log(`agent overhead · ${mach.date} · ${mach.nproc} cores · ${mach.cpu} · Node ${mach.node}`);
console.log(`target ${args.target} (${relative(REPO, target.script)}, GET ${urlPath})${args.off ? `, agent without ${args.off}` : ''} on core ${TARGET_CPU}, wrk on core ${GENERATOR_CPU}, ${connections} connections, ${rounds} rounds × ${durationS} s\n`);
const rows: string[][] = [];
const ratios: number[] = [];
const withoutRps: number[] = [];
const withRps: number[] = [];
for (let r = 0; r < rounds; r++) {
  const order = r % 2 === 0 ? [false, true] : [true, false];
  const res: Record<string, { rps: number; p99Ms: number | undefined }> = {};
  for (const withAgent of order) res[withAgent ? 'with' : 'without'] = await runWhenQuiet(() => runOnce(withAgent), () => []);
  const ratio = res.with!.rps / res.without!.rps;
  ratios.push(ratio);
  withoutRps.push(res.without!.rps);
  withRps.push(res.with!.rps);
  rows.push([String(r + 1), fmt(res.without!.rps, 0), fmt(res.with!.rps, 0), fmt(ratio, 3), fmt(res.without!.p99Ms, 2), fmt(res.with!.p99Ms, 2)]);
}
console.log(table(['round', 'req/s without', 'req/s with agent', 'ratio', 'p99 ms without', 'p99 ms with'], rows));
console.log(`\nmedian req/s without ${fmt(median(withoutRps), 0)}, with ${fmt(median(withRps), 0)}`);
const med = median(ratios);
console.log(`\nmedian ratio with/without: ${fmt(med, 3)} (overhead ${fmt((1 - med) * 100, 1)} %) — goal ≥ 0.95: ${med >= 0.95 ? 'met' : 'NOT met'}`);
