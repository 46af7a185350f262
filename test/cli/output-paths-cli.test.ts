// Issue 11 §1–2 through the real CLI: bad output paths are refused before any load (exit 2, naming
// the path), a write that still fails at the end loses nothing (stored, printed, one error line,
// exit 1, re-renderable), and a run that sent nothing is not a success.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { createServer as createTcpServer, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../helpers/cli.ts';
import { startServer } from '../helpers/servers.ts';

const tmp = () => mkdtempSync(join(tmpdir(), 'sg-out-'));
const NO_STACK = /\n\s+at /;

test('bad output paths: exit 2 naming the path, before any request is sent', async () => {
  const srv = await startServer();
  const dir = tmp();
  const file = join(dir, 'a-file');
  writeFileSync(file, 'x');
  const locked = join(dir, 'locked');
  mkdirSync(locked);
  chmodSync(locked, 0o500);
  const root = process.getuid?.() === 0;
  try {
    const cases: Array<[string[], RegExp]> = [
      [['--summary-export', join(dir, 'missing', 's.json')], /--summary-export .*missing.*does not exist/],
      [['--summary-export', dir], /--summary-export .*is a directory/],
      [['--summary-export', join(file, 's.json')], /is not a directory/],
      [['--out', `json=${join(dir, 'missing', 'm.ndjson')}`], /--out json= .*does not exist/],
      [['--out', `json=${dir}`], /--out json= .*is a directory/],
      // The history database is an output too: a path that can never be written is refused before the load.
      [['--history', join(file, 'h.db')], /--history .*a-file\/h\.db: .*a-file is a file, not a directory/],
      [['--history', dir], /--history .*: is a directory, expected a database file/],
      ...(root ? [] : [[['--summary-export', join(locked, 's.json')], /not writable/] as [string[], RegExp]]),
    ];
    for (const [flags, re] of cases) {
      const r = await runCli(['run', srv.url, '-i', '1', '--no-history', ...flags], { timeoutMs: 30_000 });
      assert.equal(r.code, 2, `${flags.join(' ')} → ${r.code}: ${r.stderr}`);
      assert.match(r.stderr, re);
      assert.doesNotMatch(r.stderr, NO_STACK);
      assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
    }
    assert.equal(srv.requests, 0, 'no load was sent');
  } finally {
    chmodSync(locked, 0o700);
    await srv.close();
  }
});

test('an export that fails at the end (/dev/full): stored, summary printed, one error line, exit 1, re-renderable', async () => {
  const srv = await startServer();
  const dir = tmp();
  const history = join(dir, 'h.db');
  try {
    const r = await runCli(['run', srv.url, '-i', '3', '--history', history, '--summary-export', '/dev/full', '--out', 'json=/dev/full'], {
      timeoutMs: 60_000,
    });
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stdout, /http_reqs \.+: 3/);
    assert.match(r.stderr, /could not write --summary-export \/dev\/full: ENOSPC/);
    assert.match(r.stderr, /could not write --out json= \/dev\/full: ENOSPC/);
    assert.doesNotMatch(r.stderr, NO_STACK);
    assert.doesNotMatch(r.stderr, /internal error/);
    const again = await runCli(['report', 'latest', '--history', history, '--format', 'summary'], { timeoutMs: 30_000 });
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stdout, /http_reqs \.+: 3/);
  } finally {
    await srv.close();
  }
});

test('a plan against a service that never answers: its cut requests fail the thresholds (exit 99); the export is written', async () => {
  const sockets = new Set<Socket>();
  const dead = createTcpServer((s) => sockets.add(s));
  await new Promise<void>((r) => dead.listen(0, '127.0.0.1', r));
  const port = (dead.address() as AddressInfo).port;
  const dir = tmp();
  const plan = join(dir, 'dead.yaml');
  writeFileSync(
    plan,
    `scenarios:\n  s:\n    executor: constant-vus\n    vus: 2\n    duration: 1s\n    gracefulStop: 500ms\nflow:\n  - request: { url: ` +
      `"http://127.0.0.1:${port}/" }\nthresholds:\n  http_req_failed: ['rate<0.01']\n  http_req_duration: ['p(95)<200']\n`,
  );
  try {
    const r = await runCli(['run', plan, '--no-history', '--summary-export', join(dir, 's.json')], { timeoutMs: 60_000 });
    assert.equal(r.code, 99, r.stdout + r.stderr);
    assert.match(r.stdout, /✗ http_req_duration: p\(95\)<200 {2}actual=\d+/);
    assert.match(r.stdout, /✗ http_req_failed: rate<0.01 {2}actual=1/);
    assert.match(r.stdout, /cut_at_stop: 2/);
    assert.ok(existsSync(join(dir, 's.json')), 'the export is still written');
  } finally {
    for (const s of sockets) s.destroy();
    dead.close();
  }
});

test('a threshold on an unknown metric is bad input naming it, with a suggestion', async () => {
  const r = await runCli(['run', 'http://127.0.0.1:1/', '-i', '1', '--no-history', '--threshold', 'http_req_durashun:p(95)<200'], {
    timeoutMs: 30_000,
  });
  assert.equal(r.code, 2, r.stderr);
  assert.match(r.stderr, /unknown metric "http_req_durashun", did you mean "http_req_duration"\?/);
});
