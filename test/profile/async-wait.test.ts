// Off-CPU time for Node (issue 12): a service that waits rather than computes. Its main thread is
// idle (epoll_wait, so /proc's off-cpu-wait sees nothing blocked) while requests take hundreds of
// ms; the agent's async-wait tracker names what they await — the kind of operation and the call site
// in the service — and a CPU-bound service, whose requests compute, does not get that finding.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { targetProbesOf } from '../../src/record/target-probes.ts';
import { describeFindings, profileFixtureService } from '../helpers/profile.ts';

test('requests awaiting a slow fs.promises read: the finding names FSREQPROMISE started by loadReport (async-wait.mjs:14)', {
  skip: process.platform !== 'linux' && 'the fixture reads a FIFO (mkfifo)',
}, async () => {
  const r = await profileFixtureService('async-wait.mjs', { vus: 10, duration: 5000 });
  const waits = targetProbesOf(r)!.asyncWaits;
  assert.ok(waits && waits.tracked > 0, JSON.stringify(waits));
  const top = waits.sites[0]!;
  assert.equal(top.function, 'loadReport', JSON.stringify(waits.sites.slice(0, 3)));
  assert.equal(top.file, 'test/fixtures/profile/async-wait.mjs');
  assert.equal(top.line, 14);
  assert.equal(top.kind, 'FSREQPROMISE');
  assert.deepEqual(JSON.parse(JSON.stringify(waits)), waits);
  const f = r.findings.find((x) => x.audit === 'async-wait');
  assert.ok(f, describeFindings(r));
  assert.match(
    f.title,
    new RegExp(
      String.raw`^Requests wait on asynchronous operations, not the CPU: \d+ % of the in-flight time was an fs\.promises call` +
        String.raw` \(FSREQPROMISE\) started by loadReport \(test\/fixtures\/profile\/async-wait\.mjs:14\)$`,
    ),
    f.title,
  );
  assert.deepEqual(f.location, { function: 'loadReport', file: 'test/fixtures/profile/async-wait.mjs', line: 14 });
  // Over the default SLO (p95 < 200 ms): a problem to fix, and it replaces "waiting on something not instrumented".
  assert.equal(f.severity, 'medium', describeFindings(r));
  assert.ok(!r.findings.some((x) => x.audit === 'not-saturated'), describeFindings(r));
  assert.ok(!r.findings.some((x) => x.audit === 'cpu-bound' || x.audit === 'off-cpu-wait'), describeFindings(r));
  console.log(`async-wait finding: ${f.title} — ${f.description}`);
});

test('a CPU-bound service: the tracker ran, but its requests compute, so no async-wait finding', async () => {
  const r = await profileFixtureService('cpu-bound.mjs', { vus: 4, duration: 4000 });
  const waits = targetProbesOf(r)!.asyncWaits;
  // Its requests never stay in flight across a turn of the event loop: no wait to weigh.
  assert.ok(waits, 'the tracker reported');
  assert.ok(
    r.findings.some((x) => x.audit === 'cpu-bound'),
    describeFindings(r),
  );
  assert.ok(!r.findings.some((x) => x.audit === 'async-wait'), describeFindings(r));
});
