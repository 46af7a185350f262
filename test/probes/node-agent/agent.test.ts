import assert from 'node:assert/strict';
import { once } from 'node:events';
import http from 'node:http';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { startAgentCollector, type AgentCollector } from '../../../src/probes/node-agent/collector.ts';
import { AGENT_PROTOCOL_VERSION } from '../../../src/probes/node-agent/protocol.ts';
import { drive, FIXTURES, get, nextSamples, spawnTarget, stopTarget, sumIncoming, type Target } from './helpers.ts';

const NODE = process.execPath;
const SERVER = join(FIXTURES, 'server.mjs');

describe('node agent in an ESM http server', () => {
  let c: AgentCollector;
  let t: Target;
  let port: number;
  before(async () => {
    c = await startAgentCollector({ intervalMs: 200 });
    t = spawnTarget(NODE, [SERVER], c.env);
    port = (await c.waitForHello()).port;
  });
  after(async () => {
    await stopTarget(t);
    await c.close();
  });

  test('hello names the process and the port it listens on', async () => {
    const hello = c.hello!;
    assert.equal(hello.protocol, AGENT_PROTOCOL_VERSION);
    assert.equal(hello.pid, t.child.pid);
    assert.match(t.stdout(), new RegExp(`listening ${hello.port}\\b`));
    assert.equal(hello.nodeVersion, process.version);
    assert.equal(hello.intervalMs, 200);
    assert.ok(hello.argv.some((a) => a.endsWith('server.mjs')));
  });

  test('samples arrive with loop, memory and ELU figures', async () => {
    const samples = await nextSamples(c, 2);
    for (const s of samples) {
      assert.ok(s.intervalMs > 100 && s.intervalMs < 5000, `interval ${s.intervalMs}`);
      assert.ok(s.elu.utilization >= 0 && s.elu.utilization <= 1);
      // Per-interval ELU: active+idle spans the interval, not the process lifetime.
      assert.ok(s.elu.activeMs + s.elu.idleMs < s.intervalMs * 2, `elu ${s.elu.activeMs}+${s.elu.idleMs}`);
      assert.ok(s.memory.heapUsed > 0 && s.memory.heapUsed <= s.memory.heapTotal);
      assert.ok(s.memory.rss > s.memory.heapUsed);
      assert.ok(s.loopDelay.count > 0 && s.loopDelay.max < 100, `idle loop delay max ${s.loopDelay.max}`);
      assert.ok((s.activeResources.TCPServerWrap ?? 0) >= 1, JSON.stringify(s.activeResources));
    }
  });

  test('incoming request counts match what was sent', async () => {
    const before = sumIncoming(c.samples, 'GET 200');
    const statuses = await drive(port, '/', 300);
    assert.equal(statuses.filter((s) => s === 200).length, 300);
    await nextSamples(c, 1);
    assert.equal(sumIncoming(c.samples, 'GET 200') - before, 300);
    const withTraffic = c.samples.filter((s) => s.httpIn.byMethodStatus['GET 200']);
    assert.ok(withTraffic.every((s) => s.httpIn.byMethodStatus['GET 200']!.maxMs < 1000));
    assert.ok(withTraffic.some((s) => s.httpIn.inFlightMax >= 1));
  });

  test('outgoing calls are counted per origin, for node:http and fetch', async () => {
    const down = http.createServer((_req, res) => res.end('downstream'));
    down.listen(0, '127.0.0.1');
    await once(down, 'listening');
    const dport = (down.address() as { port: number }).port;
    try {
      const start = c.samples.length;
      const statuses = await drive(port, `/downstream?port=${dport}`, 10, 2);
      assert.deepEqual(statuses, Array(10).fill(200));
      await nextSamples(c, 1);
      const origin = `http://127.0.0.1:${dport}`;
      const stats = c.samples
        .slice(start)
        .map((s) => s.httpOut[origin])
        .filter((o) => o !== undefined);
      assert.equal(
        stats.reduce((n, o) => n + o.count, 0),
        20,
      ); // one http.get + one fetch per request
      assert.deepEqual([...new Set(stats.flatMap((o) => o.clients))].sort(), ['http', 'undici']);
      assert.ok(stats.some((o) => o.inFlightMax >= 1));
      assert.ok(stats.every((o) => o.errors === 0));
    } finally {
      down.close();
      down.closeAllConnections();
    }
  });

  test('a 200 ms synchronous loop per request shows in loop delay p99 and max', async () => {
    const start = c.samples.length;
    await drive(port, '/busy', 6, 1);
    await nextSamples(c, 1);
    const window = c.samples.slice(start);
    const maxOfMax = Math.max(...window.map((s) => s.loopDelay.max));
    const maxOfP99 = Math.max(...window.map((s) => s.loopDelay.p99));
    assert.ok(maxOfMax >= 150, `max ${maxOfMax}`);
    assert.ok(maxOfP99 >= 150, `p99 ${maxOfP99}`);
    assert.ok(
      window.some((s) => s.elu.utilization > 0.5),
      'ELU rises while busy',
    );
  });
});

describe('node agent: targets of other shapes', () => {
  test('a CommonJS target reports', async () => {
    const c = await startAgentCollector({ intervalMs: 200 });
    const t = spawnTarget(NODE, [join(FIXTURES, 'server.cjs')], c.env);
    try {
      const hello = await c.waitForHello();
      assert.equal(hello.pid, t.child.pid);
      assert.equal((await get(hello.port, '/')).body, 'cjs');
      await nextSamples(c, 2);
    } finally {
      await stopTarget(t);
      await c.close();
    }
  });

  test('behind a shell wrapper, the listening node process reports', async () => {
    const c = await startAgentCollector({ intervalMs: 200 });
    // No exec: sh forks node, so the reporting pid is sh's child.
    const t = spawnTarget('sh', ['-c', `"${NODE}" "${SERVER}"; exit $?`], c.env);
    try {
      const hello = await c.waitForHello();
      assert.notEqual(hello.pid, t.child.pid);
      assert.equal(hello.ppid, t.child.pid);
      await nextSamples(c, 2);
      assert.equal(c.hellos.length, 1);
    } finally {
      await stopTarget(
        t,
        c.hellos.map((h) => h.pid),
      );
      await c.close();
    }
  });

  test('behind a node parent that spawns the server, only the child reports', async () => {
    const c = await startAgentCollector({ intervalMs: 200 });
    const t = spawnTarget(NODE, [join(FIXTURES, 'spawn-wrapper.mjs')], c.env);
    try {
      const hello = await c.waitForHello();
      const m = /wrapper (\d+) child (\d+)/.exec(t.stdout());
      assert.ok(m, t.stdout());
      assert.equal(hello.pid, Number(m[2]));
      assert.equal(hello.ppid, Number(m[1]));
      await nextSamples(c, 2);
      assert.equal(c.hellos.length, 1, 'the wrapper (which loaded the agent too) stays silent');
    } finally {
      await stopTarget(t);
      await c.close();
    }
  });
});

describe('node agent: never harms the target', () => {
  test('with no collector at the socket path, the target serves and exits by itself', async () => {
    const t = spawnTarget(NODE, [SERVER], {
      NODE_OPTIONS: (await startAgentCollectorEnvOnly()).NODE_OPTIONS,
      SPEEDGUARD_AGENT_SOCKET: join(FIXTURES, 'no-such-dir', 'agent.sock'),
      SPEEDGUARD_AGENT_INTERVAL_MS: '100',
    });
    await waitFor(() => /listening (\d+)/.exec(t.stdout()), 10_000);
    const port = Number(/listening (\d+)/.exec(t.stdout())![1]);
    assert.equal((await get(port, '/')).body, 'ok');
    const t0 = Date.now();
    await get(port, '/quit');
    assert.equal(await t.exited, 0);
    assert.ok(Date.now() - t0 < 2000, 'exit not delayed');
    assert.equal(t.stderr(), '');
  });

  test('when the collector goes away, the target keeps serving and exits by itself', async () => {
    const c = await startAgentCollector({ intervalMs: 100 });
    const t = spawnTarget(NODE, [SERVER], c.env);
    const { port } = await c.waitForHello();
    await nextSamples(c, 1);
    await c.close();
    assert.equal((await drive(port, '/', 20)).length, 20);
    const t0 = Date.now();
    await get(port, '/quit');
    assert.equal(await t.exited, 0);
    assert.ok(Date.now() - t0 < 2000, 'exit not delayed');
    assert.equal(t.stderr(), '');
  });

  test('profiler commands on a missing target reject with a clear error', async () => {
    const c = await startAgentCollector();
    try {
      await assert.rejects(c.startCpuProfile(), /no target is connected/);
      await assert.rejects(c.stopCpuProfile('relative.cpuprofile'), /must be absolute/);
      await assert.rejects(c.waitForHello(50), /no hello within 50 ms/);
    } finally {
      await c.close();
    }
    await assert.rejects(startAgentCollector({ intervalMs: 5 }), /intervalMs 5 must be a number ≥ 100/);
  });
});

/** The agent's NODE_OPTIONS without a live collector (the collector is closed right away). */
async function startAgentCollectorEnvOnly() {
  const c = await startAgentCollector();
  const env = { ...c.env };
  // Closing removes the stripped copy too, so point at the source (Node 24 strips types itself).
  await c.close();
  env.NODE_OPTIONS = `--import=${new URL('../../../src/probes/node-agent/agent.ts', import.meta.url).href}`;
  return env;
}

async function waitFor<T>(probe: () => T | null | undefined, timeoutMs: number): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = probe();
    if (v) return v;
    if (Date.now() > end) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
