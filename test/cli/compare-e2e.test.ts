// `speedguard compare` on real runs: two runs of the same loopback service are not a regression
// (exit 0); a run of a service that takes 20 ms longer per request is (exit 99). The three runs go
// concurrently (7 s each) so the file stays short and both runs of the same service see the same
// machine load; their first 2 seconds (three worker threads starting at once) are left out with
// --warmup, which leaves 5 observations per run.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Comparison } from '../../src/record/comparison.ts';
import { startRun } from '../../src/engine/coordinator.ts';
import { openHistory } from '../../src/history/store.ts';
import type { RunRecord } from '../../src/record/run-record.ts';
import { get, plan, scenario } from '../helpers/plan.ts';
import { startServer, type TestServer } from '../helpers/servers.ts';

const BIN = fileURLToPath(new URL('../../bin/speedguard.js', import.meta.url));

function cli(args: string[], cwd: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd, env: { ...process.env, NO_COLOR: '1', CI: '1' } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`speedguard ${args.join(' ')} did not finish; stderr: ${stderr}`));
    }, 20_000);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

const delayed = (ms: number) => (_req: unknown, res: { end(s: string): void }) => setTimeout(() => res.end('ok'), ms);

// An open-model load (fixed arrival rate): throughput is the same for both services, so any
// difference the comparison finds is the service's latency.
const load = (url: string) =>
  plan(
    {
      s: scenario({ executor: 'constant-arrival-rate', rate: 200, timeUnitMs: 1000, durationMs: 7000, preAllocatedVUs: 10, maxVUs: 60 }, [
        get(url),
      ]),
    },
    { workers: 1 },
  );

const dir = mkdtempSync(join(tmpdir(), 'sg-compare-e2e-'));
let fast: TestServer;
let slow: TestServer;
let runs: { first: RunRecord; second: RunRecord; slowed: RunRecord };

before(async () => {
  fast = await startServer(delayed(5));
  slow = await startServer(delayed(25));
  const [first, second, slowed] = await Promise.all([
    startRun(load(fast.url)).result,
    startRun(load(fast.url)).result,
    startRun(load(slow.url)).result,
  ]);
  runs = { first, second, slowed };
  for (const [name, rec] of Object.entries(runs)) {
    assert.equal(rec.status, 'completed', `${name}: ${rec.statusReason}`);
    writeFileSync(join(dir, `${name}.json`), JSON.stringify(rec));
  }
});

after(async () => {
  await fast?.close();
  await slow?.close();
  rmSync(dir, { recursive: true, force: true });
});

test('two runs of the same service: no regression, exit 0, the report written', async () => {
  const r = await cli(['compare', 'first.json', 'second.json', '--warmup', '2s'], dir);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /response time p95/);
  assert.doesNotMatch(r.stdout, /REGRESSED/);
  const reports = readdirSync(join(dir, 'PERFORMANCE', 'OPTIMIZATIONS'));
  const id = `OPT-${runs.first.id.replace(/-/g, '').slice(0, 8)}-${runs.second.id.replace(/-/g, '').slice(0, 8)}`;
  assert.ok(reports.includes(`${id}.md`) && reports.includes(`${id}.json`), reports.join(', '));
});

test('the service slowed by 20 ms per request: a critical latency regression, exit 99', async () => {
  const out = join(dir, 'out');
  const r = await cli(['compare', 'first.json', 'slowed.json', '--warmup', '2s', '--json', '--out-dir', out], dir);
  assert.equal(r.code, 99, r.stderr);
  const c = JSON.parse(r.stdout) as Comparison;
  assert.equal(c.verdict, 'regressed');
  assert.equal(c.settings.warmupSeconds, 2);
  // The median carries the 20 ms most clearly (~5 → ~25 ms); on a busy machine the tail of both
  // services is dominated by scheduling stalls, so p95 need not be significant — but never better.
  const p50 = c.metrics.find((m) => m.id === 'latency_p50')!;
  assert.equal(p50.verdict, 'regression', p50.reason);
  assert.equal(p50.severity, 'critical');
  assert.ok(p50.current! - p50.baseline! > 15, `p50 ${p50.baseline} → ${p50.current}`);
  assert.ok(p50.pValue! < 0.05 && p50.samples.baseline === 5 && p50.samples.current === 5, JSON.stringify(p50));
  assert.ok(p50.ci!.low! > 1, `the interval excludes anything near no change: ${JSON.stringify(p50.ci)}`);
  const p95 = c.metrics.find((m) => m.id === 'latency_p95')!;
  assert.notEqual(p95.verdict, 'improvement', p95.reason);
  // Same offered load: throughput is not what changed.
  assert.notEqual(c.metrics.find((m) => m.id === 'throughput')!.verdict, 'regression');
  const md = readdirSync(join(out, 'OPTIMIZATIONS')).find((f) => f.endsWith('.md'))!;
  const text = readFileSync(join(out, 'OPTIMIZATIONS', md), 'utf8');
  assert.match(text, /^# OPT-.*regressed/m);
  assert.match(text, /\| response time p50 \|.*\| regression \(critical\) \|/);
});

test('refs from the history database: latest~1 and latest', async () => {
  const db = join(dir, 'history.db');
  const store = openHistory(db);
  try {
    store.save(runs.first);
    store.save({ ...runs.slowed, startedAt: new Date(Date.parse(runs.first.startedAt) + 60_000).toISOString() });
  } finally {
    store.close();
  }
  const r = await cli(['compare', 'latest~1', 'latest', '--history', db, '--fail-on', 'critical', '--warmup', '2s'], dir);
  assert.equal(r.code, 99, r.stdout + r.stderr);
  assert.match(r.stdout, /REGRESSED/);
  assert.ok(existsSync(join(dir, 'PERFORMANCE', 'OPTIMIZATIONS')));
  const prefix = await cli(['compare', runs.first.id.slice(0, 8), 'latest', '--history', db, '--warmup', '2s'], dir);
  assert.equal(prefix.code, 99, prefix.stderr);
});
