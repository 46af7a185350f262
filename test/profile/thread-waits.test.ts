// Off-CPU time of threads other than the main one (issue 12): `speedguard profile` samples every
// thread of the target (/proc, every 20 ms, from speedguard's process), groups them by name, and says
// when a group's waits are what requests wait for.
// - A Node service whose handler appends to a named pipe drained by a slow reader (fs.promises: on
//   libuv's threads): the four libuv-worker threads block in write on the FIFO; the main thread idles.
// - A Python ThreadingHTTPServer whose request threads wait on a TCP downstream (no agent).
// - A healthy Node service: its pool threads idle in futex (waiting for work): no thread finding.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { targetProbesOf } from '../../src/record/target-probes.ts';
import type { AssessmentRecord } from '../../src/record/assessment-record.ts';
import { describeFindings, profileFixtureService } from '../helpers/profile.ts';
import { profileBlockingClient, systemPython } from '../helpers/python-downstream.ts';
import { perfCannotRecord } from '../helpers/perf.ts';

const LINUX = { skip: process.platform !== 'linux' && 'needs /proc' };

const groups = (r: AssessmentRecord) => targetProbesOf(r)?.waits?.threadGroups ?? [];
const threadFindings = (r: AssessmentRecord) => r.findings.filter((f) => f.audit === 'off-cpu-wait' && !/^Main thread/.test(f.title));

test('Node: libuv-worker threads blocked in write on a slow named pipe are named, with the file', LINUX, async () => {
  const r = await profileFixtureService('slow-log-pipe.mjs', { vus: 8, duration: 4000 });
  const pool = groups(r).find((g) => g.name === 'libuv-worker');
  assert.ok(pool && pool.threads === 4, JSON.stringify(groups(r).map((g) => [g.name, g.threads])));
  assert.equal(pool.waits[0]?.syscall, 'write', JSON.stringify(pool.waits.slice(0, 3)));
  assert.match(pool.waits[0]?.object ?? '', /\/audit\.fifo$/);
  const [f, ...more] = threadFindings(r);
  assert.ok(f, describeFindings(r));
  assert.equal(more.length, 0, describeFindings(r));
  assert.match(f.title, /^4 libuv-worker threads blocked \d+ % of the time waiting on a named pipe \(\S+\/audit\.fifo\)/);
  assert.match(f.description, /the 4 libuv-worker threads \(Node's threadpool: async fs, dns\.lookup, crypto, zlib\) were blocked/);
  assert.match(f.description, /mostly write in \S*pipe_write on \S+\/audit\.fifo/);
  // perf trace, taken over a slice because the samples showed the wait: the calls' own durations.
  const trace = targetProbesOf(r)?.syscallTrace;
  const why = perfCannotRecord();
  if (why === null) {
    const write = trace?.groups.find((g) => g.name === 'libuv-worker')?.syscalls.find((c) => c.name === 'write');
    assert.ok(write && write.calls > 0, `${targetProbesOf(r)?.syscallTraceError ?? ''} ${JSON.stringify(trace?.groups)}`);
    assert.match(f.description, /over [\d.]+ s of the window, perf trace counted \d+ write calls?, [\d.]+ ms each on average/);
    console.log(`perf trace slice: ${trace!.durationMs} ms, perf's own CPU ${trace!.perfCpuMs} ms`);
  } else console.log(`no perf trace: ${why}`);
  // The main thread idles: it is not the one blocked.
  assert.ok(!r.findings.some((x) => /^Main thread blocked/.test(x.title)), describeFindings(r));
  // The pool's queue finding, when it fires, says what holds its threads instead of "add threads for CPU work".
  const pool2 = r.findings.find((x) => x.audit === 'threadpool-saturation');
  if (pool2) assert.match(pool2.rootCause, /pool threads are held by waits on a named pipe/);
  console.log(`pool finding: ${f.title} — ${f.description}\n  ${f.rootCause}\n  ${f.recommendation.approach}`);
  if (pool2)
    console.log(`threadpool-saturation: ${pool2.title} — ${pool2.description}\n  ${pool2.rootCause}\n  ${pool2.recommendation.approach}`);
});

test('healthy Node service: the pool threads idle in futex, no thread-wait finding', LINUX, async () => {
  const r = await profileFixtureService('healthy.mjs', { vus: 8, duration: 3000 });
  const pool = groups(r).find((g) => g.name === 'libuv-worker');
  assert.ok(pool && pool.samples >= 50, JSON.stringify(groups(r).map((g) => [g.name, g.samples])));
  assert.equal(threadFindings(r).length, 0, describeFindings(r));
  assert.ok(!r.findings.some((x) => x.audit === 'off-cpu-wait'), describeFindings(r));
  // No wait worth naming: no perf trace slice (it would cost the target on every system call).
  assert.equal(targetProbesOf(r)?.syscallTrace, undefined);
});

test('Python: request threads of a ThreadingHTTPServer waiting on a TCP downstream are named', LINUX, async (t) => {
  const python = systemPython();
  if (!python) {
    t.skip('no python3 interpreter at /usr/bin or /usr/local/bin');
    return;
  }
  const { record: r, downstreamPort: dport } = await profileBlockingClient(python, { threads: true, vus: 8 });
  const [f] = threadFindings(r);
  assert.ok(f, `${describeFindings(r)}\n${JSON.stringify(groups(r))}`);
  // A thread per request: many threads over the window, a few at once.
  const who = String.raw`^Threads named python\S* \(one per task: \d+ over the window, [\d.]+ at once\)`;
  const what = String.raw` blocked \d+ % of the time waiting on a downstream over TCP \(127\.0\.0\.1:${dport}\)`;
  assert.match(f.title, new RegExp(who + what));
  assert.ok(!r.findings.some((x) => /^Main thread blocked/.test(x.title)), describeFindings(r));
  console.log(`python finding: ${f.title} — ${f.description}`);
});
