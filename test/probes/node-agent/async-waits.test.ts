// The agent's async-wait tracker (probes/node-agent/async-waits.ts), run in this process: operations
// in flight while "requests" are (the ticks say so) are weighted by time and named by the call site
// that started them; the frames of Node, of node_modules (when the service has one) and of the agent
// itself are not that site.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { startAsyncWaits } from '../../../src/probes/node-agent/async-waits.ts';
import { fromAgent, stackFrames } from '../../../src/probes/node-agent/stack-frames.ts';
import { summariseAsyncWaits } from '../../../src/analysis/async-waits.ts';
import type { AgentSample } from '../../../src/record/agent-samples.ts';

const HERE = fileURLToPath(import.meta.url);

async function awaitTimer() {
  await sleep(60); // line 18: the site of the Timeout
}
async function readSelf() {
  return await readFile(HERE, 'utf8'); // line 21: the site of the FSREQPROMISE
}

test('tracks a timer and an fs.promises read, weighted by the ticks that fell while they were in flight', async () => {
  const probe = startAsyncWaits('/nowhere/agent');
  assert.ok(probe, 'trackPromises is supported on this Node');
  try {
    let last = performance.now();
    let busy = true;
    const ticker = setInterval(() => {
      const now = performance.now();
      probe.tick(now - last, busy);
      last = now;
    }, 5);
    await Promise.all([awaitTimer(), readSelf()]);
    busy = false;
    // A wait while no request is in flight does not count.
    await awaitTimer();
    clearInterval(ticker);
    const stats = probe.take()!;
    const timer = stats.groups.find((g) => g.kind === 'Timeout');
    assert.ok(timer, JSON.stringify(stats.groups));
    assert.deepEqual({ fn: timer.site.function, file: timer.site.file, line: timer.site.line }, { fn: 'awaitTimer', file: HERE, line: 18 });
    // Weighted only while "requests" were in flight: the second timer, after busy = false, adds nothing.
    assert.ok(timer.inFlightMs > 0 && timer.inFlightMs <= stats.requestBusyMs, `${timer.inFlightMs} of ${stats.requestBusyMs} ms`);
    assert.equal(timer.started, 2);
    const fs = stats.groups.find((g) => g.kind === 'FSREQPROMISE');
    assert.ok(fs, JSON.stringify(stats.groups));
    assert.equal(fs.site.function, 'readSelf');
    assert.equal(fs.site.line, 21);
    assert.ok(stats.tracked >= 3);
    // take() resets the interval.
    assert.deepEqual(probe.take(), { requestBusyMs: 0, coveredMs: 0, acceptingMs: 0, tracked: 0, ignored: 0, untracked: 0, groups: [] });

    // Summed over samples, by line (two columns of one line are one site), shares of the in-flight time.
    const sample = { asyncWaits: stats } as unknown as AgentSample;
    const summary = summariseAsyncWaits([sample, sample], { projectRoot: fileURLToPath(new URL('../../..', import.meta.url)) })!;
    assert.equal(summary.tracked, stats.tracked * 2);
    const top = summary.sites.find((s) => s.kind === 'Timeout')!;
    assert.equal(top.file, 'test/probes/node-agent/async-waits.test.ts');
    assert.equal(top.line, 18);
    assert.ok(Math.abs(summary.sites.reduce((s, x) => s + x.share, 0) - 1) < 1e-9);
  } finally {
    probe.stop();
  }
});

test('on a busy loop the hook is on in windows only, and says for how long it took operations', async () => {
  const probe = startAsyncWaits('/nowhere/agent')!;
  try {
    const t0 = performance.now();
    let last = t0;
    // ~20,000 ticks a second (each one a hook call) for 1.5 s: four times CALLS_PER_SECOND.
    while (performance.now() - t0 < 1500) {
      await new Promise<void>((resolve) => {
        let n = 0;
        const spin = () => (++n < 20 ? process.nextTick(spin) : setImmediate(resolve));
        spin();
      });
      const now = performance.now();
      if (now - last >= 10) {
        probe.tick(now - last, true);
        last = now;
      }
    }
    const elapsed = performance.now() - t0;
    const stats = probe.take()!;
    assert.ok(stats.acceptingMs > 0 && stats.acceptingMs < elapsed * 0.8, `accepting ${stats.acceptingMs} of ${elapsed} ms`);
  } finally {
    probe.stop();
  }
});

test('frames: Node and the agent skipped, a library only when the service has no frame', () => {
  const stack = [
    'Error',
    '    at open (node:internal/fs/promises:639:25)',
    '    at hook (/tmp/sg-agent-1/async-waits.mjs:10:3)',
    '    at Pool.acquire (/app/node_modules/pool/index.js:40:7)',
    '    at async loadReport (file:///app/report.mjs:14:16)',
  ].join('\n');
  const frames = stackFrames(stack, '/tmp/sg-agent-1', 8, true);
  assert.deepEqual(
    frames.map((f) => [f.function, f.line, f.dependency]),
    [
      ['Pool.acquire', 40, true],
      ['loadReport', 14, false],
    ],
  );
  assert.deepEqual(
    stackFrames(stack, '/tmp/sg-agent-1', 8, false).map((f) => f.file),
    ['/app/report.mjs'],
  );
  assert.equal(fromAgent(stack, '/tmp/sg-agent-1'), true);
  assert.equal(fromAgent(stack, '/opt/other'), false);
});

test('an anonymous promise executor is named by the function that created the promise', async () => {
  const probe = startAsyncWaits('/nowhere/agent')!;
  try {
    await waitInExecutor();
    const g = probe.take()!.groups.find((x) => x.kind === 'Timeout');
    assert.deepEqual([g?.site.function, g?.site.line], ['waitInExecutor', 130]);
  } finally {
    probe.stop();
  }
});

function waitInExecutor() {
  return new Promise((resolve) => {
    setTimeout(resolve, 5);
  });
}
