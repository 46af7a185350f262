// Issue 11 §1 through the real CLI against a real service that accepts connections and never answers:
// requests still in flight when the run stops (the end of the graceful stop, Ctrl-C, a second
// Ctrl-C) are counted — failed, kind cut_at_stop, with the time they had waited — so a dead service
// fails its thresholds (exit 99) within a bounded graceful stop instead of passing or lingering 30 s.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer as createTcpServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli, startCli } from '../helpers/cli.ts';
import type { RunRecord } from '../../src/record/run-record.ts';

const tmp = () => mkdtempSync(join(tmpdir(), 'sg-cut-'));

interface DeadService {
  url: string;
  /** Connections accepted so far (each holds one unanswered request). */
  readonly accepted: number;
  close(): void;
}

/** A TCP service on loopback that accepts every connection, reads, and never writes a byte. */
async function deadService(): Promise<DeadService> {
  const sockets = new Set<Socket>();
  let accepted = 0;
  const server: Server = createTcpServer((s) => {
    accepted++;
    sockets.add(s);
    s.on('error', () => {});
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/`,
    get accepted() {
      return accepted;
    },
    close() {
      for (const s of sockets) s.destroy();
      server.close();
    },
  };
}

function sumOf(record: RunRecord, metric: string, tags: Record<string, string> = {}): number {
  return record.totals
    .filter((t) => t.metric === metric && Object.entries(tags).every(([k, v]) => t.tags[k] === v))
    .reduce((n, t) => n + t.sum, 0);
}

test(
  'run <url> -u 2 -d 3s against a service that never answers: both thresholds fail (exit 99), the 2 cut requests are counted, the ' +
    'stop is bounded',
  async () => {
    const dead = await deadService();
    try {
      const r = await runCli(
        [
          'run',
          dead.url,
          '-u',
          '2',
          '-d',
          '3s',
          '--no-history',
          '--threshold',
          'http_req_failed:rate<0.01',
          '--threshold',
          'http_req_duration:p(95)<200',
          '--json',
        ],
        { timeoutMs: 60_000 },
      );
      assert.equal(r.code, 99, r.stderr);
      const rec = JSON.parse(r.stdout) as RunRecord;
      assert.equal(rec.status, 'completed');
      // Each VU sent one request that was never answered: both are in http_reqs, failed, of kind cut_at_stop.
      assert.equal(sumOf(rec, 'http_reqs'), 2);
      assert.equal(sumOf(rec, 'http_reqs', { error: 'cut_at_stop' }), 2);
      assert.equal(sumOf(rec, 'http_req_errors', { error: 'cut_at_stop' }), 2);
      assert.equal(sumOf(rec, 'http_req_failed'), 2);
      assert.equal(sumOf(rec, 'interrupted_iterations'), 2);
      assert.equal(sumOf(rec, 'iterations'), 0, 'an interrupted iteration is not a completed one (as in k6)');
      const failed = rec.thresholds.find((t) => t.selector === 'http_req_failed')!;
      const p95 = rec.thresholds.find((t) => t.selector === 'http_req_duration')!;
      assert.equal(failed.ok, false);
      assert.equal(failed.actual, 1);
      assert.equal(p95.ok, false);
      // Their duration is the time they had waited: at least the 3 s of the run.
      assert.ok(p95.actual! >= 3000, `p95 ${p95.actual}`);
      // Bounded: the URL run's graceful stop (5 s), not k6's 30 s for a plan's scenario.
      assert.ok(rec.durationMs < 25_000, `the run lasted ${rec.durationMs} ms`);
    } finally {
      dead.close();
    }
  },
);

test('the summary names the cut requests; a dead service with no thresholds is still a failed run (exit 1)', async () => {
  const dead = await deadService();
  try {
    const r = await runCli(['run', dead.url, '-u', '1', '-d', '1s', '--no-history'], { timeoutMs: 60_000 });
    assert.equal(r.code, 1, r.stdout + r.stderr);
    assert.match(r.stdout, /failed requests by kind — cut_at_stop: 1/);
    assert.match(r.stdout, /the stop cut 1 iteration\(s\) short, with 1 request\(s\) still unanswered/);
    assert.match(r.stdout, /interrupted_iterations \.+: 1/);
    assert.match(r.stderr, /run failed: no HTTP request completed/);
  } finally {
    dead.close();
  }
});

test('a service that refuses or resets every connection is a failed run (exit 1), not a pass on failed requests', async () => {
  // Resets every connection on its first bytes; and a port nobody listens on (refused).
  const reset = createTcpServer((s) => {
    s.on('error', () => {});
    s.once('data', () => s.resetAndDestroy());
  });
  await new Promise<void>((r) => reset.listen(0, '127.0.0.1', r));
  const free = createTcpServer();
  await new Promise<void>((r) => free.listen(0, '127.0.0.1', r));
  const refusedPort = (free.address() as AddressInfo).port;
  await new Promise<void>((r) => free.close(() => r()));
  try {
    for (const [url, kind] of [
      [`http://127.0.0.1:${(reset.address() as AddressInfo).port}/`, 'reset'],
      [`http://127.0.0.1:${refusedPort}/`, 'connect_refused'],
    ] as const) {
      const r = await runCli(['run', url, '-i', '3', '--no-history', '--json'], { timeoutMs: 60_000 });
      assert.equal(r.code, 1, `${kind}: ${r.stderr}`);
      assert.match(r.stderr, new RegExp(`run failed: no HTTP request completed \\(0 of 3 http_reqs got a response; ${kind}: 3\\)`));
      const rec = JSON.parse(r.stdout) as RunRecord;
      assert.equal(rec.status, 'failed');
      assert.equal(sumOf(rec, 'http_reqs', { error: kind }), 3);
    }
  } finally {
    reset.close();
  }
});

test('a script against a service that never answers: its cut requests are counted, not shown as its own errors', async () => {
  const dead = await deadService();
  const dir = tmp();
  const script = join(dir, 'dead.ts');
  writeFileSync(
    script,
    `import { http } from 'speedguard';
export const options = { scenarios: { s: { executor: 'constant-vus', vus: 2, duration: '1s', gracefulStop: '1s' } },
  thresholds: { http_req_failed: ['rate<0.01'] } };
export default async function () {
  const res = await http.get(${JSON.stringify(dead.url)});
  if (res.error) throw new Error('no answer: ' + res.error);
}
`,
  );
  try {
    const r = await runCli(['run', script, '--no-history', '--json'], { timeoutMs: 60_000 });
    assert.equal(r.code, 99, r.stderr);
    const rec = JSON.parse(r.stdout) as RunRecord;
    assert.equal(sumOf(rec, 'http_reqs', { error: 'cut_at_stop' }), 2);
    assert.equal(sumOf(rec, 'interrupted_iterations'), 2);
    // The throw that follows a cut response is the stop's doing, not the user's error.
    assert.equal(sumOf(rec, 'iteration_errors'), 0);
    assert.equal(rec.scriptErrors, undefined);
  } finally {
    dead.close();
  }
});

for (const presses of [1, 2] as const) {
  test(
    `Ctrl-C ${presses === 1 ? 'once (graceful: --stop-grace 1s)' : 'twice (at once)'} with requests in flight: they are counted as ` +
      `cut_at_stop, exit 130`,
    async () => {
      const dead = await deadService();
      const dir = tmp();
      try {
        const run = startCli([
          'run',
          dead.url,
          '-u',
          '3',
          '-d',
          '60s',
          '--stop-grace',
          presses === 1 ? '1s' : '60s',
          '--no-history',
          '--summary-export',
          join(dir, 's.json'),
        ]);
        // Every VU's request reached the service (an event, not a sleep): then Ctrl-C (twice: once
        // the first was seen; with a 60 s grace only the second one can end the run).
        let sent = 0;
        const poll = setInterval(() => {
          if (dead.accepted >= 3 && sent === 0 && ++sent) run.child.kill('SIGINT');
          else if (presses === 2 && sent === 1 && run.stderr.includes('send again') && ++sent) {
            clearInterval(poll);
            run.child.kill('SIGINT');
          }
        }, 20);
        const code = await run.code;
        clearInterval(poll);
        const { stdout, stderr } = run;
        assert.equal(code, 130, stderr);
        assert.match(stdout, /INTERRUPTED/);
        assert.match(stdout, /cut_at_stop: 3/);
        const s = JSON.parse(readFileSync(join(dir, 's.json'), 'utf8'));
        assert.equal(s.metrics.http_reqs.count, 3);
        assert.equal(s.metrics.http_req_failed.passes, 3);
        assert.equal(s.metrics.interrupted_iterations.count, 3);
      } finally {
        dead.close();
      }
    },
  );
}
