// Node agent overhead: req/s of a Node service with and without the speedguard agent.
//   ./node_modules/.bin/node bench/agent-overhead.ts [--target trivial|demo] [--path /api/products/17]
//       [--rounds 5] [--duration 5] [--connections 50] [--off PARTS] [--script FILE] [--same-process] [--attribute]
// --target trivial: a bare node:http server (test/fixtures/agent/server.cjs), the agent's worst case;
// --target demo: the demo shop (examples/demo/server.ts, SQLite behind it), the issue's yardstick.
// --off gc,finish,…: the agent with those parts left out (bisection; see SPEEDGUARD_AGENT_OFF in agent.ts).
// The agent is injected exactly as `speedguard profile` does it (NODE_OPTIONS from
// startAgentCollector().env) and samples every second; no CPU profile runs (that is the profiler's
// cost, taken only over the measured window, not the agent's).
// The target runs on core 0, wrk on core 1; "without" and "with" alternate within each round and
// swap order every round. Each run starts on a quiet machine and is repeated (≤ 3 times) when other
// processes used more than 0.25 cores meanwhile (bench/lib/cpu-load.ts: the machine is shared). Goal (issue 4): median(with/without) ≥ 0.95
// on the demo service.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
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
    // Parts of the agent to leave out, to bisect its cost: gc, gcheap, finish, request, ticker, pool, sql, async.
    off: { type: 'string' },
    // Another start script for the target (e.g. a snapshot of the demo while it is being changed).
    script: { type: 'string' },
    // One target process, the agent's sampling toggled off/on instead of separate starts (see runToggled).
    'same-process': { type: 'boolean', default: false },
    // Instead of req/s: a CPU profile of the target under load, its samples attributed to the agent's parts.
    attribute: { type: 'boolean', default: false },
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

/**
 * The target and all its descendants (the demo runs a downstream and an embedded PostgreSQL, whose
 * backends are its grandchildren): not foreign CPU.
 */
function withChildren(pid: number): number[] {
  const out: number[] = [];
  const queue = [pid];
  while (queue.length && out.length < 200) {
    const p = queue.shift()!;
    out.push(p);
    let tasks: string[] = [];
    try {
      tasks = readdirSync(`/proc/${p}/task`);
    } catch {
      continue;
    }
    for (const tid of tasks) {
      try {
        queue.push(...readFileSync(`/proc/${p}/task/${tid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number));
      } catch {
        /* gone */
      }
    }
  }
  return out;
}

interface Started {
  child: ChildProcess;
  url: string;
  collector: AgentCollector | undefined;
  stop(): Promise<void>;
}

/** Starts the target pinned to its core (with the agent injected and followed, or without), warmed up. */
async function startTarget(withAgent: boolean, nodeArgs: string[] = []): Promise<Started> {
  let collector: AgentCollector | undefined;
  const env: NodeJS.ProcessEnv = { ...process.env };
  if (withAgent) {
    collector = await startAgentCollector();
    Object.assign(env, collector.env);
    if (args.off) env.SPEEDGUARD_AGENT_OFF = args.off;
  }
  const child = spawn('taskset', ['-c', String(TARGET_CPU), NODE, ...nodeArgs, target.script], {
    env,
    stdio: ['ignore', 'pipe', 'inherit'],
    detached: true,
  });
  const stop = async () => {
    // The whole group: the demo starts a downstream child of its own.
    try {
      process.kill(-child.pid!, 'SIGTERM');
    } catch {
      /* gone */
    }
    if (child.exitCode === null) await once(child, 'exit');
    await collector?.close();
  };
  try {
    let out = '';
    child.stdout!.setEncoding('utf8');
    const port = await new Promise<number>((resolve, reject) => {
      const t = setTimeout(() => reject(new Error('target did not listen within 10 s')), 10_000);
      child.stdout!.on('data', (c: string) => {
        out += c;
        const m = /listening (\d+)/.exec(out);
        if (m) {
          clearTimeout(t);
          resolve(Number(m[1]));
        }
      });
      child.once('exit', (code) => {
        clearTimeout(t);
        reject(new Error(`target exited ${code}`));
      });
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
    return { child, url, collector, stop };
  } catch (e) {
    await stop();
    throw e;
  }
}

type Run = { rps: number; p99Ms: number | undefined; foreignCores: number };

async function measure(t: Started, label: string, expectSamples: boolean): Promise<Run> {
  const before = t.collector?.samples.length ?? 0;
  const m = await runWrk({
    url: t.url,
    cpu: GENERATOR_CPU,
    connections,
    durationS,
    targetPids: () => (t.child.pid ? withChildren(t.child.pid) : []),
  });
  if (m.errors > 0) throw new Error(`wrk counted ${m.errors} errors`);
  const samples = (t.collector?.samples.length ?? 0) - before;
  if (expectSamples && samples < durationS - 1) throw new Error(`agent sent only ${samples} samples`);
  if (m.warnings.length) console.log(`  (${label}: ${m.warnings.join(', ')})`);
  return { rps: m.rps, p99Ms: m.p99Ms, foreignCores: m.foreignCores ?? 0 };
}

/** A fresh target per run: the agent's whole cost, loading included, but each start runs at its own speed. */
async function runOnce(withAgent: boolean): Promise<Run> {
  const t = await startTarget(withAgent);
  try {
    return await measure(t, withAgent ? 'with' : 'without', withAgent);
  } finally {
    await t.stop();
  }
}

/**
 * --same-process: one target with the agent loaded, measured with its sampling turned off and on
 * (protocol 2: off = no hooks, timers or observers at all). The agent's per-request cost without the
 * ±10 % that separate starts of the same service differ by; loading the agent (an --import, an idle
 * socket) is not in it.
 */
async function runToggled(t: Started, on: boolean): Promise<Run> {
  t.collector!.setSampling(on);
  // The answer and the first hooks are in place long before this.
  await new Promise((r) => setTimeout(r, 300));
  return measure(t, on ? 'sampling on' : 'sampling off', on);
}

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string };
  children?: number[];
}

/**
 * --attribute: the share of the target's busy CPU (a 200 µs CPU profile over the measured run) spent
 * in the agent's code and in what Node does only because the agent listens (publishing the
 * response-finish channel, building GC performance entries). Shares within one profile do not move
 * with the machine's speed, which req/s ratios on a shared machine do by ±10 % from run to run. It
 * cannot see indirect costs (cache, GC of the agent's garbage beyond its share): a lower bound.
 */
async function attribute(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'sg-agent-prof-'));
  try {
    const t = await startTarget(true, ['--cpu-prof', `--cpu-prof-dir=${dir}`, '--cpu-prof-interval=200']);
    const pid = t.child.pid!;
    const agentDir = (t.collector!.env.NODE_OPTIONS.match(/--import=file:\/\/(\S+)\/agent\.mjs/) ?? [])[1];
    let fromUs = 0;
    let toUs = 0;
    let rps = 0;
    try {
      await runWrk({ url: t.url, cpu: GENERATOR_CPU, connections, durationS: 3 });
      fromUs = Number(process.hrtime.bigint() / 1000n);
      rps = (await measure(t, 'attribute', true)).rps;
      toUs = Number(process.hrtime.bigint() / 1000n);
    } finally {
      await t.stop();
    }
    const file = readdirSync(dir).find((f) => f.includes(`.${pid}.`) && f.endsWith('.cpuprofile'));
    if (!file) throw new Error(`no CPU profile of pid ${pid} in ${dir}`);
    const prof = JSON.parse(readFileSync(join(dir, file), 'utf8')) as {
      nodes: ProfileNode[];
      startTime: number;
      samples: number[];
      timeDeltas: number[];
    };
    const byId = new Map(prof.nodes.map((n) => [n.id, n]));
    const parent = new Map<number, number>();
    for (const n of prof.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
    // V8 stamps samples with the monotonic clock, as process.hrtime: the window is cut by time.
    const parts: Record<string, number> = {};
    let busy = 0;
    let at = prof.startTime;
    prof.samples.forEach((id, i) => {
      at += prof.timeDeltas[i] ?? 0;
      if (at < fromUs || at > toUs) return;
      const leaf = byId.get(id)!;
      if (leaf.callFrame.functionName === '(idle)') return;
      busy++;
      const stack: ProfileNode[] = [];
      for (let x: number | undefined = id; x !== undefined; x = parent.get(x)) stack.push(byId.get(x)!);
      // Self time: the nearest frame of a script file decides (the agent's hooks wrap the target's
      // functions, so everything they call is below them); Node internals below it count for it.
      const fileAt = stack.findIndex((n) => n.callFrame.url.startsWith('file://'));
      const file = fileAt >= 0 ? stack[fileAt]!.callFrame.url : '';
      const internal = fileAt >= 0 ? stack.slice(0, fileAt) : stack;
      const part =
        agentDir && file.includes(`${agentDir}/agent.mjs`)
          ? 'agent.mjs (hooks, timers, samples)'
          : agentDir && file.includes(`${agentDir}/sql-`)
            ? 'sql-*.mjs (N+1 instrumentation)'
            : agentDir && (file.includes(`${agentDir}/async-waits.mjs`) || file.includes(`${agentDir}/stack-frames.mjs`))
              ? 'async-waits.mjs (async-wait tracker: hooks, call-site stacks)'
              : internal.some((n) => n.callFrame.url === 'node:internal/async_hooks')
                ? 'Node: async_hooks emitting to the tracker'
                : internal.some((n) => n.callFrame.functionName === 'publish' && n.callFrame.url === 'node:diagnostics_channel') &&
                    stack.some((n) => n.callFrame.functionName === 'resOnFinish')
                  ? 'Node: publishing http.server.response.finish'
                  : internal.some((n) => n.callFrame.url === 'node:internal/perf/observe')
                    ? 'Node: GC performance entries'
                    : leaf.callFrame.functionName === '(garbage collector)'
                      ? '(garbage collector), all of it'
                      : '';
      if (part) parts[part] = (parts[part] ?? 0) + 1;
    });
    if (busy === 0) throw new Error('no busy CPU samples inside the measured window (clock mismatch?)');
    console.log(`${fmt(rps, 0)} req/s with the agent; ${busy} busy CPU samples (200 µs) in the ${durationS} s window\n`);
    const rows = Object.entries(parts)
      .sort((a, b) => b[1] - a[1])
      .map(([k, n]) => [k, fmt((100 * n) / busy, 2)]);
    console.log(table(['part', '% of busy CPU'], rows));
    const agentTotal = Object.entries(parts)
      .filter(([k]) => !k.startsWith('(garbage'))
      .reduce((a, [, n]) => a + n, 0);
    console.log(`\nagent, directly: ${fmt((100 * agentTotal) / busy, 2)} % of the target's busy CPU`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await ensurePeers(['wrk']);
if (args.attribute) {
  await attribute();
  process.exit(0);
}
const mach = await machine();
console.log(`agent overhead · ${mach.date} · ${mach.nproc} cores · ${mach.cpu} · Node ${mach.node}`);
console.log(
  `target ${args.target} (${relative(REPO, target.script)}, GET ` +
    `${urlPath})${args.off ? `, agent without ${args.off}` : ''}${args['same-process'] ? ', one process: agent sampling off vs on' : ''} ` +
    `on core ${TARGET_CPU}, wrk on core ${GENERATOR_CPU}, ${connections} connections, ${rounds} rounds × ${durationS} s\n`,
);
const rows: string[][] = [];
const ratios: number[] = [];
const withoutRps: number[] = [];
const withRps: number[] = [];
const shared = args['same-process'] ? await startTarget(true) : undefined;
// Its one warm-up has to serve every round: make it longer (JIT and the demo's caches settled).
if (shared) await runWrk({ url: shared.url, cpu: GENERATOR_CPU, connections, durationS: 3 });
try {
  for (let r = 0; r < rounds; r++) {
    const order = r % 2 === 0 ? [false, true] : [true, false];
    const res: Record<string, Run> = {};
    for (const withAgent of order) {
      res[withAgent ? 'with' : 'without'] = await runWhenQuiet(
        () => (shared ? runToggled(shared, withAgent) : runOnce(withAgent)),
        () => (shared?.child.pid ? withChildren(shared.child.pid) : []),
      );
    }
    const ratio = res.with!.rps / res.without!.rps;
    ratios.push(ratio);
    withoutRps.push(res.without!.rps);
    withRps.push(res.with!.rps);
    rows.push([
      String(r + 1),
      fmt(res.without!.rps, 0),
      fmt(res.with!.rps, 0),
      fmt(ratio, 3),
      fmt(res.without!.p99Ms, 2),
      fmt(res.with!.p99Ms, 2),
    ]);
  }
} finally {
  await shared?.stop();
}
console.log(table(['round', 'req/s without', 'req/s with agent', 'ratio', 'p99 ms without', 'p99 ms with'], rows));
console.log(`\nmedian req/s without ${fmt(median(withoutRps), 0)}, with ${fmt(median(withRps), 0)}`);
const med = median(ratios);
console.log(
  `\nmedian ratio with/without: ${fmt(med, 3)} (overhead ${fmt((1 - med) * 100, 1)} %) — goal ≥ 0.95: ${med >= 0.95 ? 'met' : 'NOT met'}`,
);
