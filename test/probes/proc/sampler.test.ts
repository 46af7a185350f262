// Real child processes, sampled from outside through /proc. Children are the real node binary
// (process.execPath), not node_modules/.bin/node, which is a wrapper with a different pid.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { startProcSampler } from '../../../src/probes/proc/sampler.ts';
import type { ProcMeasuredSummary, ProcSample, ProcSummary } from '../../../src/record/proc-samples.ts';

const linux = process.platform === 'linux';

/** Starts `node -e code`; resolves once the child printed "ready" (startup CPU is behind us). */
async function child(code: string): Promise<ChildProcess & { pid: number }> {
  const c = spawn(process.execPath, ['-e', code], { stdio: ['ignore', 'pipe', 'inherit'] });
  const [chunk] = (await once(c.stdout!, 'data')) as [Buffer];
  assert.match(chunk.toString(), /ready/);
  return c as ChildProcess & { pid: number };
}

function measured(s: ProcSummary): ProcMeasuredSummary {
  assert.equal(s.supported, true);
  return s as ProcMeasuredSummary;
}

/** Resolves after n samples, or rejects after a time bound. */
function nSamples(n: number, timeoutMs: number): { onSample: (s: ProcSample) => void; done: Promise<void> } {
  let count = 0;
  let resolve!: () => void;
  const done = new Promise<void>((res, rej) => {
    resolve = res;
    setTimeout(() => rej(new Error(`fewer than ${n} samples in ${timeoutMs} ms`)), timeoutMs).unref();
  });
  return {
    onSample: () => {
      if (++count === n) resolve();
    },
    done,
  };
}

test('a child burning its main thread for ~2 s reads ≈ 1 core, mostly main thread, then exits', { skip: !linux }, async () => {
  const c = await child('console.log("ready"); const end = Date.now() + 2000; let x = 0; while (Date.now() < end) x++;');
  const sampler = startProcSampler(c.pid, { intervalMs: 200 });
  const s = measured(await sampler.stopped);
  assert.equal(s.exited, true);
  assert.ok(s.samples >= 5, `samples ${s.samples}`);
  // A busy single thread is either on a CPU or runnable and waiting for one, so CPU + run-queue
  // wait ≈ 1 core even when parallel tests crowd the machine; alone, CPU itself is ≈ 100 %.
  const cpu = s.cpu!.avgPercent / 100;
  const wait = s.runqueueWaitShare!;
  assert.ok(cpu + wait > 0.8 && cpu + wait < 1.2, `cpu ${cpu} + run-queue wait ${wait}`);
  assert.ok(cpu > 0.3 && cpu < 1.4, `cpu avg ${s.cpu!.avgPercent}`);
  if (wait < 0.1) assert.ok(cpu > 0.8, `uncontended cpu avg ${s.cpu!.avgPercent}`);
  assert.ok(s.mainThreadShare! > 0.8, `main thread share ${s.mainThreadShare}`);
  assert.equal(s.threadGroups[0]!.name, 'main');
  assert.ok(s.rss!.peakBytes > 10 * 2 ** 20);
  assert.equal(s.clockTicksPerSecond, 100);
});

test('an idle child reads near 0 % CPU, with fds, threads and context switches', { skip: !linux }, async () => {
  const c = await child('console.log("ready"); setTimeout(() => {}, 20_000);');
  const wait = nSamples(5, 5000);
  const sampler = startProcSampler(c.pid, { intervalMs: 150, onSample: wait.onSample });
  await wait.done;
  const s = measured(sampler.stop());
  c.kill();
  assert.equal(s.exited, false);
  assert.equal(s.samples, 5);
  assert.ok(s.cpu!.avgPercent < 5, `cpu avg ${s.cpu!.avgPercent}`);
  assert.ok(s.openFds!.last >= 3, `fds ${s.openFds!.last}`);
  assert.ok(sampler.samples.every((x) => x.numThreads > 1 && x.rssBytes! > 0));
  assert.notEqual(s.ctxtSwitches, null);
  assert.equal(sampler.stop(), s, 'stop() is idempotent');
  assert.equal(sampler.samples.length, 5, 'no samples after stop');
});

test('a child that allocates steadily has a positive RSS slope', { skip: !linux }, async () => {
  const c = await child(
    'console.log("ready"); const keep = []; let n = 0; const t = setInterval(() => { keep.push(Buffer.alloc(2 * 2 ** 20, n)); if ' +
      '(++n === 60) clearInterval(t); }, 25);',
  );
  const wait = nSamples(8, 6000);
  const sampler = startProcSampler(c.pid, { intervalMs: 150, onSample: wait.onSample });
  await wait.done;
  const s = measured(sampler.stop());
  c.kill();
  // ~80 MB/s while it runs; any honest fit is far above 100 MiB/min.
  assert.ok(s.rss!.slopeMBPerMin! > 100, `slope ${s.rss!.slopeMBPerMin}`);
  assert.ok(s.rss!.lastBytes > sampler.samples[0]!.rssBytes!);
});

test('a pid that exits mid-way stops the sampler cleanly with exited set', { skip: !linux }, async () => {
  const c = await child('console.log("ready"); setTimeout(() => process.exit(0), 500);');
  const sampler = startProcSampler(c.pid, { intervalMs: 100 });
  const [s] = await Promise.all([sampler.stopped, once(c, 'exit')]);
  const m = measured(s);
  assert.equal(m.exited, true);
  assert.ok(m.samples >= 2 && m.samples <= 8, `samples ${m.samples}`);
  assert.equal(sampler.stop(), s);
});

test('a pid that does not exist yields an exited summary with no samples', { skip: !linux }, async () => {
  const s = measured(await startProcSampler(2 ** 22 + 1).stopped);
  assert.equal(s.exited, true);
  assert.equal(s.samples, 0);
  assert.equal(s.cpu, null);
});

test('includeChildren sums a grandchild burning CPU behind an idle wrapper', { skip: !linux }, async () => {
  const inner = 'const end = Date.now() + 1500; let x = 0; while (Date.now() < end) x++;';
  const c = await child(
    `const k = require("child_process").spawn(process.execPath, ["-e", ${JSON.stringify(inner)}], { stdio: "inherit" }); ` +
      `k.on("spawn", () => console.log("ready")); k.on("exit", () => process.exit(0));`,
  );
  const sampler = startProcSampler(c.pid, { intervalMs: 200, includeChildren: true });
  const s = measured(await sampler.stopped);
  const withChild = sampler.samples.filter((x) => x.children!.count === 1);
  assert.ok(withChild.length >= 3, `samples with the child: ${withChild.length}`);
  const childCpu = withChild.reduce((a, x) => a + x.children!.cpuPercent, 0) / withChild.length;
  // Bounds leave room for parallel tests competing for the cores; the contrast is what matters.
  assert.ok(childCpu > 25, `child cpu ${childCpu}`);
  assert.ok(childCpu > 3 * s.cpu!.avgPercent, `child ${childCpu} vs wrapper itself ${s.cpu!.avgPercent}`);
});

test('bad arguments throw one clear line; other platforms get an unsupported marker', async () => {
  assert.throws(() => startProcSampler(0), /pid must be a positive integer, got 0/);
  assert.throws(() => startProcSampler(1, { intervalMs: 1 }), /intervalMs must be ≥ 10, got 1/);
  const real = Object.getOwnPropertyDescriptor(process, 'platform')!;
  Object.defineProperty(process, 'platform', { value: 'darwin' });
  try {
    const sampler = startProcSampler(123);
    assert.deepEqual(sampler.stop(), {
      supported: false,
      pid: 123,
      platform: 'darwin',
      reason: 'process sampling reads Linux /proc; use the in-process Node agent on this platform',
    });
    assert.equal(await sampler.stopped, sampler.stop());
  } finally {
    Object.defineProperty(process, 'platform', real);
  }
});
