// `speedguard profile` compatibility (issue 4 §6), end to end through startProfile: a target on the
// system's Node 20/22, one that uses worker_threads, a TypeScript one run with Node 24's type
// stripping, one started by `npm start`, and one behind a shell wrapper that does not exec.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, realpathSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startProfile } from '../../src/profile/run-profile.ts';
import { parseSlo } from '../../src/assess/options.ts';
import type { AssessmentRecord } from '../../src/record/assessment-record.ts';
import { targetProbesOf, type TargetProbes } from '../../src/record/target-probes.ts';
import type { UrlFlags } from '../../src/plan/load-url.ts';
import { selectMetric } from '../../src/record/select.ts';

const fixture = (name: string) => fileURLToPath(new URL(`../fixtures/profile/${name}`, import.meta.url));
const NODE24 = process.execPath;

async function profile(command: string[], flags: UrlFlags, warmupMs = 500): Promise<AssessmentRecord> {
  return startProfile({
    command,
    path: '/',
    flags,
    warmupMs,
    outDir: mkdtempSync(join(tmpdir(), 'sg-profile-compat-')),
    slo: parseSlo([]),
    workers: 1,
    log: () => {},
  }).result;
}

const describe = (r: AssessmentRecord) =>
  r.findings
    .map((f) => `${f.severity} ${f.audit} ${f.location?.function ?? ''} ${f.location?.file ?? ''}:${f.location?.line ?? ''} — ${f.title}`)
    .join('\n');

function probesOf(r: AssessmentRecord): TargetProbes {
  const p = targetProbesOf(r);
  assert.ok(p, 'the record carries probes.target');
  return p;
}

/** The target was stopped by us (not died), and the agent attached and reported over the window. */
function assertAttachedAndStopped(p: TargetProbes, minSamples: number): void {
  assert.equal(p.target.died, false, `target died: ${p.target.stderrTail.join(' | ')}`);
  assert.ok(p.agent?.hello, 'agent hello');
  assert.ok(p.agent.samples.length >= minSamples, `agent samples: ${p.agent.samples.length}`);
  assert.ok(
    p.agent.samples.some((s) => s.httpIn.started > 0),
    'the agent saw incoming requests',
  );
}

/** Running (a zombie has exited: reaping the orphan is init's job, and some inits reap lazily). */
function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

/**
 * After the run the listening process must be gone (no orphan). stop() resolves when the spawned
 * wrapper exits, which can be a moment before its child finishes its own SIGTERM shutdown.
 */
async function assertGone(pid: number): Promise<void> {
  for (let i = 0; i < 100 && alive(pid); i++) await new Promise((r) => setTimeout(r, 20));
  assert.equal(alive(pid), false, `process ${pid} (the listening one) is still running after the run`);
}

/** A node binary of major 20 or 22 outside node_modules (the repo's own is 24), or null. */
function olderNode(): { path: string; version: string } | null {
  const seen = new Set<string>();
  const candidates = [...(process.env.PATH ?? '').split(delimiter).map((d) => join(d, 'node')), '/usr/bin/node', '/usr/local/bin/node'];
  for (const c of candidates) {
    if (c.includes('node_modules')) continue;
    let real: string;
    try {
      real = realpathSync(c);
    } catch {
      continue;
    }
    if (seen.has(real)) continue;
    seen.add(real);
    try {
      const version = execFileSync(real, ['--version'], { encoding: 'utf8', timeout: 5000 }).trim();
      if (/^v(20|22)\./.test(version)) return { path: real, version };
    } catch {
      /* not runnable */
    }
  }
  return null;
}

/** 1-based line of the first line of `file` containing `text`. */
function lineOf(file: string, text: string): number {
  const i = readFileSync(file, 'utf8')
    .split('\n')
    .findIndex((l) => l.includes(text));
  assert.ok(i >= 0, `${text} not in ${file}`);
  return i + 1;
}

const older = olderNode();
test(`a target on Node ${older?.version ?? '20/22'}: the agent attaches and the CPU-bound function is named`, {
  skip: older ? false : 'no Node 20 or 22 binary outside node_modules on this machine',
}, async () => {
  const r = await profile([older!.path, fixture('cpu-bound.mjs')], { vus: 8, duration: 4500 });
  const p = probesOf(r);
  assert.equal(p.agent?.hello?.nodeVersion, older!.version);
  assertAttachedAndStopped(p, 2);
  const f = r.findings.find((x) => x.audit === 'cpu-bound');
  assert.ok(f, describe(r));
  assert.match(f.location?.function ?? '', /computeScore/, describe(r));
  assert.match(f.location?.file ?? '', /cpu-bound\.mjs$/);
  assert.equal(f.location?.line, lineOf(fixture('cpu-bound.mjs'), 'export function computeScore'));
});

test('worker_threads: the main thread (the one that listens) is reported and nothing crashes', async () => {
  const r = await profile([NODE24, fixture('compat/worker-threads.mjs')], { vus: 4, duration: 2500 });
  const p = probesOf(r);
  assertAttachedAndStopped(p, 2);
  assert.equal(r.status, 'completed');
  // The agent's hello comes from the process we spawned (its main thread listens; the worker never does).
  assert.equal(p.agent!.hello!.pid, p.target.pid);
  assert.ok(p.agent!.hello!.argv.some((a) => a.endsWith('worker-threads.mjs')));
  // Every request was answered (by way of the worker): the load saw no failures.
  const run = r.phases[0]!.run;
  assert.ok((selectMetric(run, 'http_reqs')?.sum ?? 0) > 50, 'requests were served');
  assert.equal(selectMetric(run, 'http_req_failed')?.sum ?? 0, 0, 'no failed request');
  // The CPU profile is the main thread's: the worker's fibonacci is not on it.
  assert.ok(p.cpuProfile, 'CPU profile of the main thread');
  assert.ok(!p.cpuProfile.topSelf.some((h) => h.function === 'fibInWorker'), JSON.stringify(p.cpuProfile.topSelf.slice(0, 5)));
  // /proc sees the worker's CPU on its own thread, apart from the main thread.
  const summary = p.proc!.summary;
  assert.ok(summary.supported, '/proc readable');
  const worker = summary.threadGroups.find((g) => g.name === 'WorkerThread');
  assert.ok(worker && worker.cpuShare > 0.2, `worker thread CPU share: ${JSON.stringify(summary.threadGroups)}`);
});

/** The TypeScript fixture was profiled and its hot function named at its line in the .ts source. */
function assertHashOrderInTs(r: AssessmentRecord, source: string): void {
  assertAttachedAndStopped(probesOf(r), 2);
  const f = r.findings.find((x) => x.audit === 'cpu-bound');
  assert.ok(f, describe(r));
  assert.match(f.location?.function ?? '', /hashOrder/, describe(r));
  assert.match(f.location?.file ?? '', /compat\/server\.ts$/, describe(r));
  assert.equal(f.location?.line, lineOf(source, 'export function hashOrder'), describe(r));
}

test('TypeScript target run with Node 24 type stripping: the hotspot is the .ts file at the right line', async () => {
  const file = fixture('compat/server.ts');
  assertHashOrderInTs(await profile([NODE24, file], { vus: 8, duration: 4500 }), file);
});

test('compiled TypeScript (tsc → CommonJS + .js.map): the hotspot is mapped back to the .ts file and line', async () => {
  const source = fixture('compat/server.ts');
  const out = mkdtempSync(join(tmpdir(), 'sg-compiled-'));
  // The repository's own tsc; no package.json in `out`, so Node runs the output as CommonJS.
  const tsc = fileURLToPath(new URL('../../node_modules/.bin/tsc', import.meta.url));
  execFileSync(
    tsc,
    [
      '--ignoreConfig',
      '--sourceMap',
      '--outDir',
      out,
      '--module',
      'nodenext',
      '--target',
      'es2022',
      '--skipLibCheck',
      '--types',
      'node',
      '--rootDir',
      join(source, '..'),
      source,
    ],
    { timeout: 60_000 },
  );
  const compiled = join(out, 'server.js');
  assert.match(readFileSync(compiled, 'utf8'), /sourceMappingURL=server\.js\.map/);
  assertHashOrderInTs(await profile([NODE24, compiled], { vus: 8, duration: 4500 }), source);
});

test('npm start: the listening process is found, profiled and stopped with no orphan left', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sg-npm-start-'));
  // The start script names the repo's Node 24 explicitly: npm itself may run on the system's Node.
  writeFileSync(
    join(dir, 'package.json'),
    JSON.stringify({
      name: 'sg-compat-npm-start',
      version: '1.0.0',
      private: true,
      scripts: { start: `"${NODE24}" "${fixture('healthy.mjs')}"` },
    }),
  );
  const r = await startProfile({
    command: ['npm', 'start', '--prefix', dir],
    path: '/',
    flags: { rate: 50, duration: 2000 },
    warmupMs: 300,
    outDir: mkdtempSync(join(tmpdir(), 'sg-profile-compat-')),
    slo: parseSlo([]),
    workers: 1,
    log: () => {},
  }).result;
  const p = probesOf(r);
  assertAttachedAndStopped(p, 1);
  const hello = p.agent!.hello!;
  assert.ok(
    hello.argv.some((a) => a.endsWith('healthy.mjs')),
    `the listening process is the fixture: ${hello.argv.join(' ')}`,
  );
  assert.equal(hello.nodeVersion, process.version);
  assert.equal(p.target.pid, hello.pid, 'the record names the listening process');
  await assertGone(hello.pid);
});

test('shell wrapper without exec (sh run.sh): the node child is found, profiled and stopped', async () => {
  const r = await profile(['sh', fixture('compat/run.sh'), NODE24], { rate: 50, duration: 2000 }, 300);
  const p = probesOf(r);
  assertAttachedAndStopped(p, 1);
  const hello = p.agent!.hello!;
  assert.ok(
    hello.argv.some((a) => a.endsWith('healthy.mjs')),
    hello.argv.join(' '),
  );
  assert.notEqual(hello.ppid, process.pid, "the listener is the wrapper's child, not ours");
  await assertGone(hello.pid);
});
