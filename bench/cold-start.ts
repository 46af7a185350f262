// Cold start of the installed package, side by side with Node itself in the same run (issue 10):
// - `speedguard --help` against `node -e 0`: wall time and peak RSS;
// - `speedguard run URL -d 1s` against a one-request Node script: time from spawning the process to
//   the first request reaching a local server, and the CPU the process used until then.
// Wall times on a shared machine move with other people's work; CPU times (user+sys of the process)
// much less, so both are printed.
// speedguard is what users get: `npm pack` of this checkout, `npm install` of the tarball into a
// temp project, run through its bin. Every process is pinned to one core (taskset) and measured with
// /usr/bin/time -v; peer and speedguard alternate within each round. Prints medians and ratios.
//   npm run bench:cold-start -- [rounds=15] [cpu=1]
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { processCpuSeconds, timeVCpuSeconds } from './lib/cpu-load.ts';
import { runPinned, sh } from './lib/proc.ts';
import { fmt, machine, mb, median, saveResults, table, verdict } from './lib/report.ts';
import { NODE, REPO } from './lib/tools.ts';

const rounds = Number(process.argv[2] ?? 15);
const cpu = Number(process.argv[3] ?? 1);

async function install(): Promise<{ dir: string; bin: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'sg-cold-start-'));
  const pack = await sh(`cd ${JSON.stringify(REPO)} && npm pack --silent --pack-destination ${JSON.stringify(dir)} >/dev/null`);
  if (pack.code !== 0) throw new Error('npm pack failed');
  const tarball = join(dir, readdirSync(dir).find((f) => f.endsWith('.tgz'))!);
  const project = join(dir, 'project');
  mkdirSync(project);
  writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'cold-start', version: '1.0.0', private: true }));
  const inst = await sh(`cd ${JSON.stringify(project)} && npm install --silent --no-audit --no-fund ${JSON.stringify(tarball)}`);
  if (inst.code !== 0) throw new Error('npm install of the tarball failed');
  return { dir, bin: join(project, 'node_modules', 'speedguard', 'bin', 'speedguard.js') };
}

/** Starts a server for one round; `first` resolves at the first request, in performance.now() time. */
async function firstRequestServer(): Promise<{ url: string; first: Promise<number>; close(): void }> {
  let hit!: (t: number) => void;
  const first = new Promise<number>((r) => (hit = r));
  const server = createServer((_req, res) => {
    hit(performance.now());
    res.end('ok');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`,
    first,
    close: () => {
      server.closeAllConnections();
      server.close();
    },
  };
}

interface Sample {
  wallMs: number;
  cpuMs: number;
  rssBytes?: number | undefined;
}

async function timed(argv: string[], cwd: string): Promise<Sample> {
  const r = await runPinned(argv, { cpu, timeoutMs: 30_000, measureRss: true, cwd });
  if (r.code !== 0) throw new Error(`${argv.join(' ')} exited ${r.code}: ${r.stderr.slice(-500)}`);
  return { wallMs: r.wallMs, cpuMs: timeVCpuSeconds(r.timeReport) * 1000, rssBytes: r.maxRssBytes };
}

/** Spawn → first request at the server: wall time, and the process's CPU time (all threads) by then. */
async function toFirstRequest(argv: string[], cwd: string): Promise<Sample> {
  const srv = await firstRequestServer();
  try {
    const t0 = performance.now();
    // taskset execs the command: the child's pid is the process that sends the request.
    const child = spawn('taskset', ['-c', String(cpu), ...argv, srv.url], { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      stderr += d;
    });
    const exited = new Promise<number | null>((r) => child.on('close', r));
    const killer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    const firstAt = await Promise.race([srv.first, exited.then(() => Number.NaN)]);
    const cpuMs = processCpuSeconds(child.pid!) * 1000;
    const code = await exited;
    clearTimeout(killer);
    if (code !== 0 || Number.isNaN(firstAt))
      throw new Error(`${argv.join(' ')} exited ${code} (first request: ${firstAt}): ${stderr.slice(-500)}`);
    return { wallMs: firstAt - t0, cpuMs };
  } finally {
    srv.close();
  }
}

const { dir, bin } = await install();
const cwd = join(dir, 'project');
const ONE_REQUEST = `require('node:http').get(process.argv[1], (r) => { r.resume(); r.on('end', () => process.exit(0)); })`;
const results = { nodeE0: [] as Sample[], help: [] as Sample[], nodeRequest: [] as Sample[], run: [] as Sample[] };
try {
  for (let i = 0; i < rounds; i++) {
    results.nodeE0.push(await timed([NODE, '-e', '0'], cwd));
    results.help.push(await timed([NODE, bin, '--help'], cwd));
    results.nodeRequest.push(await toFirstRequest([NODE, '-e', ONE_REQUEST], cwd));
    results.run.push(await toFirstRequest([NODE, bin, 'run', '-d', '1s', '-q', '--no-history'], cwd));
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}

const med = (xs: Sample[], k: keyof Sample) => median(xs.map((s) => s[k] ?? Number.NaN));
const m = await machine();
const [e0, help, help$, e0$] = [
  med(results.nodeE0, 'wallMs'),
  med(results.help, 'wallMs'),
  med(results.help, 'cpuMs'),
  med(results.nodeE0, 'cpuMs'),
];
const helpRss = med(results.help, 'rssBytes');
const [runFirst, nodeFirst] = [med(results.run, 'wallMs'), med(results.nodeRequest, 'wallMs')];
const [runCpu, nodeCpu] = [med(results.run, 'cpuMs'), med(results.nodeRequest, 'cpuMs')];
console.log(`cold start · ${m.date} · ${m.nproc} cores (${m.cpu}) · Node ${m.node} · pinned to core ${cpu} · median of ${rounds} rounds`);
console.log(
  table(
    ['command', 'wall ms', 'CPU ms', 'peak RSS'],
    [
      ['node -e 0', fmt(e0, 0), fmt(e0$, 0), mb(med(results.nodeE0, 'rssBytes'))],
      ['speedguard --help', fmt(help, 0), fmt(help$, 0), mb(helpRss)],
      ['node: spawn → first request (one http.get)', fmt(nodeFirst, 0), fmt(nodeCpu, 0), '–'],
      ['speedguard run URL -d 1s: spawn → first request', fmt(runFirst, 0), fmt(runCpu, 0), '–'],
    ],
  ),
);
console.log(
  `--help: ${fmt(help / e0)}× node -e 0 wall, ${fmt(help$ / e0$)}× CPU (goal ≤ 3×) ${verdict(help / e0 <= 3)} · ${mb(helpRss)} peak ` +
    `RSS (goal ≤ 60 MB) ${verdict(helpRss <= 60 * 1048576)}`,
);
console.log(
  `run: first request ${fmt(runFirst, 0)} ms after spawn (goal ≤ 150 ms) ${verdict(runFirst <= 150)}; node's own floor ` +
    `${fmt(nodeFirst, 0)} ms; ${fmt(runFirst - nodeFirst, 0)} ms wall and ${fmt(runCpu - nodeCpu, 0)} ms CPU above it`,
);
console.log(`raw rounds: ${saveResults('cold-start', { machine: m, rounds, cpu, results })}`);
