// Protocol 2: an agent measures only after the collector turns sampling on (so that processes the
// collector does not follow — a downstream the service spawned — cost nothing), and the heap profiler
// can keep collected allocations (the allocation rate) on request.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { startAgentCollector } from '../../../src/probes/node-agent/collector.ts';
import { AGENT_INTERVAL_ENV, AGENT_SOCKET_ENV, type AgentMessage } from '../../../src/probes/node-agent/protocol.ts';
import { drive, FIXTURES, spawnTarget, stopTarget } from './helpers.ts';

const SERVER = join(FIXTURES, 'server.mjs');

/** A bare collector socket: hands each agent message to the test, in order. */
async function rawCollector() {
  const dir = mkdtempSync(join(tmpdir(), 'sg-agent-raw-'));
  const path = join(dir, 'agent.sock');
  const messages: AgentMessage[] = [];
  const waiters: Array<() => void> = [];
  let peer: net.Socket | undefined;
  const server = net.createServer((s) => {
    peer = s;
    let buf = '';
    s.setEncoding('utf8').on('data', (c: string) => {
      buf += c;
      let nl: number;
      while ((nl = buf.indexOf('\n')) >= 0) {
        messages.push(JSON.parse(buf.slice(0, nl)) as AgentMessage);
        buf = buf.slice(nl + 1);
        for (const w of waiters.splice(0)) w();
      }
    });
  });
  server.listen(path);
  await once(server, 'listening');
  /** Resolves with the first message after index `from` that matches (rejects after 5 s). */
  const next = (from: number, match: (m: AgentMessage) => boolean): Promise<AgentMessage> =>
    new Promise((resolve, reject) => {
      const deadline = setTimeout(
        () =>
          reject(
            new Error(
              `no matching message within 5 s; got ${messages
                .slice(from)
                .map((m) => m.type)
                .join(',')}`,
            ),
          ),
        5000,
      );
      const check = () => {
        const m = messages.slice(from).find(match);
        if (m) {
          clearTimeout(deadline);
          resolve(m);
        } else waiters.push(check);
      };
      check();
    });
  return {
    path,
    messages,
    next,
    send(cmd: object) {
      peer!.write(JSON.stringify(cmd) + '\n');
    },
    async close() {
      peer?.destroy();
      await new Promise<void>((r) => server.close(() => r()));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

test('an agent sends no samples until sampling is turned on, and stops when it is turned off', async () => {
  const c = await rawCollector();
  // The real collector only ships the agent file (NODE_OPTIONS); the raw socket plays its part.
  const shipper = await startAgentCollector();
  const t = spawnTarget(process.execPath, [SERVER], {
    [AGENT_SOCKET_ENV]: c.path,
    [AGENT_INTERVAL_ENV]: '100',
    NODE_OPTIONS: shipper.env.NODE_OPTIONS,
  });
  try {
    await c.next(0, (m) => m.type === 'hello');
    // Five intervals' worth of silence: nothing is measured yet.
    await new Promise((r) => setTimeout(r, 500));
    assert.deepEqual(
      c.messages.map((m) => m.type),
      ['hello'],
    );

    c.send({ cmd: 'sampling', id: 7, on: true });
    assert.deepEqual(await c.next(0, (m) => m.type === 'sampling'), { type: 'sampling', id: 7, on: true });
    const sample = await c.next(0, (m) => m.type === 'sample');
    assert.equal(sample.type, 'sample');

    c.send({ cmd: 'sampling', id: 8, on: false });
    const off = await c.next(0, (m) => m.type === 'sampling' && m.id === 8);
    assert.deepEqual(off, { type: 'sampling', id: 8, on: false });
    const count = c.messages.length;
    await new Promise((r) => setTimeout(r, 500));
    assert.deepEqual(
      c.messages.slice(count).map((m) => m.type),
      [],
      'no samples after sampling off',
    );
  } finally {
    await stopTarget(t);
    await c.close();
    await shipper.close();
  }
});

test('a heap profile with includeCollected keeps the garbage: far more bytes than a live-only one over the same traffic', async () => {
  const c = await startAgentCollector({ intervalMs: 200 });
  const t = spawnTarget(process.execPath, [SERVER], c.env);
  const dir = mkdtempSync(join(tmpdir(), 'sg-agent-heap-'));
  try {
    await c.waitForHello();
    const port = c.hello!.port;
    const total = (path: string) => {
      const sum = (n: { selfSize: number; children: unknown[] }): number =>
        n.selfSize + n.children.reduce((s: number, k) => s + sum(k as typeof n), 0);
      return sum(JSON.parse(readFileSync(path, 'utf8')).head);
    };
    assert.deepEqual(await c.startHeapProfile({ includeCollected: true, samplingIntervalBytes: 4096 }), { includesCollected: true });
    await drive(port, '/', 400);
    await c.stopHeapProfile(join(dir, 'all.heapprofile'));
    assert.deepEqual(await c.startHeapProfile({ samplingIntervalBytes: 4096 }), { includesCollected: false });
    await drive(port, '/', 400);
    await c.stopHeapProfile(join(dir, 'live.heapprofile'));
    const all = total(join(dir, 'all.heapprofile'));
    const live = total(join(dir, 'live.heapprofile'));
    assert.ok(all > 3 * live, `allocated ${all} B vs live ${live} B`);
  } finally {
    await stopTarget(t);
    await c.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
