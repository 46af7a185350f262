// `speedguard profile --pid N --port P`: a running process (any language) watched from /proc (and perf);
// it is left running afterwards.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startProfile } from '../../src/profile/run-profile.ts';
import { parseSlo } from '../../src/assess/options.ts';
import { targetProbesOf } from '../../src/record/target-probes.ts';
import { startChildService } from '../helpers/child-service.ts';

const CPU = fileURLToPath(new URL('../fixtures/profile/cpu-bound.mjs', import.meta.url));

test('--pid attaches /proc probes to a running service and leaves it running', async () => {
  const svc = await startChildService(CPU);
  try {
    const r = await startProfile({
      command: [],
      pid: svc.child.pid!,
      port: svc.port,
      path: '/',
      flags: { vus: 5, duration: 4000 },
      warmupMs: 0,
      outDir: mkdtempSync(join(tmpdir(), 'sg-attach-')),
      slo: parseSlo([]),
      workers: 1,
      log: () => {},
    }).result;
    const p = targetProbesOf(r)!;
    assert.equal(p.target.pid, svc.child.pid);
    assert.equal(p.agent, null);
    // No V8 profile without the agent: Linux perf's stacks instead, or the reason perf could not run.
    assert.ok(p.cpuProfile !== null || (p.perfError ?? '').length > 0, 'perf stacks or why there are none');
    assert.ok(p.proc && p.proc.samples.length >= 2, 'proc samples');
    assert.ok(p.proc.summary.supported && p.proc.summary.cpu && p.proc.summary.cpu.avgPercent > 20, JSON.stringify(p.proc.summary));
    assert.equal(svc.child.exitCode, null, 'still running');
  } finally {
    await svc.stop();
  }
});

test('--pid of a process that does not exist is a clear error', async () => {
  await assert.rejects(
    startProfile({
      command: [],
      pid: 2 ** 22 + 7,
      port: 1,
      path: '/',
      flags: { vus: 1, duration: 1000 },
      warmupMs: 0,
      outDir: tmpdir(),
      slo: parseSlo([]),
      log: () => {},
    }).result,
    /no process with pid/,
  );
});
