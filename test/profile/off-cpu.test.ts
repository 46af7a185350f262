// Off-CPU time (issue 12): `speedguard profile` samples where the target's main thread waits (/proc,
// every 20 ms, from speedguard's process) and names it.
// - A Node service whose handler waits on a lock a worker thread holds (Atomics.wait: a futex): the
//   finding names the futex wait and, from the CPU profile, the function that waits.
// - A Python service (no agent) blocked in recv on a downstream over plain TCP: the finding names
//   the downstream's address.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { targetProbesOf } from '../../src/record/target-probes.ts';
import { describeFindings, profileFixtureService } from '../helpers/profile.ts';
import { profileBlockingClient, systemPython } from '../helpers/python-downstream.ts';

test('a Node handler waiting on a lock: off-CPU samples name the futex wait and withLedgerLock', {
  skip: process.platform !== 'linux' && 'needs /proc',
}, async () => {
  const r = await profileFixtureService('lock-wait.mjs', { vus: 4, duration: 4000 });
  const waits = targetProbesOf(r)!.waits;
  assert.ok(waits && waits.samples >= 50, `wait samples: ${waits?.samples}`);
  assert.equal(waits.waits[0]?.syscall, 'futex', JSON.stringify(waits.waits.slice(0, 3)));
  const f = r.findings.find((x) => x.audit === 'off-cpu-wait');
  assert.ok(f, describeFindings(r));
  assert.match(f.title, /Main thread blocked \d+ % of the time waiting on a lock or a synchronous wait \(futex\) in withLedgerLock/);
  assert.equal(f.location?.function, 'withLedgerLock');
  assert.match(f.location?.file ?? '', /lock-wait\.mjs$/);
  assert.ok(!r.findings.some((x) => x.audit === 'cpu-bound'), `the wait is not CPU: ${describeFindings(r)}`);
  console.log(`lock finding: ${f.title} — ${f.description}`);
});

test('a Python service blocked on a TCP downstream without an agent: the finding names the downstream', {
  skip: process.platform !== 'linux' && 'needs /proc',
}, async (t) => {
  // The interpreter itself, not a version manager's shim.
  const python = systemPython();
  if (!python) {
    t.skip('no python3 interpreter at /usr/bin or /usr/local/bin');
    return;
  }
  const { record: r, downstreamPort: dport } = await profileBlockingClient(python, { threads: false, vus: 4 });
  const waits = targetProbesOf(r)!.waits;
  assert.ok(waits && waits.samples >= 50, `wait samples: ${waits?.samples}`);
  const f = r.findings.find((x) => x.audit === 'off-cpu-wait');
  assert.ok(f, `${describeFindings(r)}\n${JSON.stringify(waits.waits.slice(0, 4))}`);
  assert.match(f.title, new RegExp(`waiting on a downstream over TCP \\(127\\.0\\.0\\.1:${dport}\\)`));
  console.log(`downstream finding: ${f.title} — ${f.description}`);
});
