// `speedguard profile --pid` on a non-Node process: Linux perf's on-CPU stacks over the measured
// window feed the same hotspot analysis and audits as a V8 profile, so a CPU-bound C server's hot
// function is named. Skipped, saying why, where gcc or perf cannot run (perf needs the linux-perf
// package and the right to trace: root, CAP_PERFMON or kernel.perf_event_paranoid ≤ 1).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startChildCommand } from '../helpers/child-service.ts';
import { describeFindings } from '../helpers/profile.ts';
import { perfCannotRecord, profileWithPerf, topUserFunction } from '../helpers/perf.ts';

const SOURCE = fileURLToPath(new URL('../fixtures/perf/hot-server.c', import.meta.url));

function cannotRun(): string | null {
  const gcc = spawnSync('gcc', ['--version'], { encoding: 'utf8' });
  if (gcc.error || gcc.status !== 0) return `gcc is not available (${gcc.error?.message ?? gcc.stderr.trim()})`;
  return perfCannotRecord();
}

test('--pid on a C server: perf stacks name burn_cpu as the hot function', async (t) => {
  const why = cannotRun();
  if (why) {
    t.skip(why);
    return;
  }
  const bin = join(mkdtempSync(join(tmpdir(), 'sg-perf-fixture-')), 'hot-server');
  execFileSync('gcc', ['-O1', '-fno-omit-frame-pointer', '-fno-inline', '-o', bin, SOURCE]);
  const svc = await startChildCommand([bin]);
  try {
    const r = await profileWithPerf({ command: [], pid: svc.child.pid!, port: svc.port });
    const top = topUserFunction(r, 100);
    assert.equal(top.function, 'burn_cpu');
    assert.ok(top.selfShare > 0.5, `burn_cpu self share ${top.selfShare}`);
    assert.equal(top.file, bin);
    const f = r.findings.find((x) => x.audit === 'cpu-bound');
    assert.ok(f, describeFindings(r));
    assert.equal(f.location?.function, 'burn_cpu', describeFindings(r));
    assert.match(f.title, /burn_cpu takes \d+ % of the CPU/);
    assert.equal(f.location?.line, undefined, 'no line for native code without debug info');
    assert.doesNotMatch(f.recommendation.approach, /worker_threads|piscina|cluster/, 'no Node advice for a C service');
    assert.equal(svc.child.exitCode, null, 'still running');
  } finally {
    await svc.stop();
  }
});
