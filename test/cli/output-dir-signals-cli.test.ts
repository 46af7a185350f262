// Issue 11 §2 for the commands that write reports (assess, profile, db, demo): --out-dir is checked
// before anything starts, a report write that fails at the end loses nothing, an unknown --baseline
// is bad input, and SIGHUP (a closed terminal) keeps the partial result like SIGTERM.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BIN, runCli } from '../helpers/cli.ts';
import { startServer } from '../helpers/servers.ts';

const tmp = () => mkdtempSync(join(tmpdir(), 'sg-outdir-'));
const NO_STACK = /\n\s+at /;

test('--out-dir that is a file: exit 2 naming it before any load (assess, profile, db, demo)', async () => {
  const srv = await startServer();
  const dir = tmp();
  const file = join(dir, 'a-file');
  writeFileSync(file, 'x');
  try {
    const cases: string[][] = [
      ['assess', srv.url, '--quick', '--suite', 'baseline', '--no-history', '--out-dir', file],
      ['assess', srv.url, '--quick', '--suite', 'baseline', '--no-history', '--out-dir', join(file, 'sub')],
      ['profile', '--no-history', '--out-dir', file, '--', process.execPath, '-e', 'setTimeout(()=>{},1e6)'],
      ['db', 'postgres://u:p@127.0.0.1:1/db', '--no-history', '--out-dir', file],
      ['demo', '--no-history', '--out-dir', file],
    ];
    for (const args of cases) {
      const r = await runCli(args, { timeoutMs: 30_000 });
      assert.equal(r.code, 2, `${args.join(' ')} → ${r.code}: ${r.stderr}`);
      assert.match(r.stderr, /--out-dir .*a-file.*(is a file|not a directory)/);
      assert.doesNotMatch(r.stderr, NO_STACK);
    }
    assert.equal(srv.requests, 0);
  } finally {
    await srv.close();
  }
});

test('assess: reports that cannot be written at the end — stored, printed, one error line, exit 1; --baseline nosuch exits 2', async () => {
  const srv = await startServer();
  const dir = tmp();
  const out = join(dir, 'out');
  mkdirSync(out);
  writeFileSync(join(out, 'ANALYSIS'), 'a file where the reports directory should be');
  const history = join(dir, 'h.db');
  try {
    const r = await runCli(
      [
        'assess',
        srv.url,
        '--quick',
        '--suite',
        'baseline',
        '--expected-rate',
        '20',
        '--workers',
        '1',
        '--history',
        history,
        '--out-dir',
        out,
      ],
      { timeoutMs: 120_000 },
    );
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /could not write the reports under --out-dir .*ANALYSIS/);
    assert.doesNotMatch(r.stderr, /internal error/);
    assert.match(r.stdout, /baseline|FINDINGS|finding/i);
    const again = await runCli(['report', 'latest', '--history', history, '--format', 'json'], { timeoutMs: 30_000 });
    assert.equal(again.code, 0, again.stderr);
    assert.equal(JSON.parse(again.stdout).kind, 'assess');

    const bad = await runCli(
      ['assess', srv.url, '--quick', '--suite', 'baseline', '--history', history, '--baseline', 'nosuch', '--out-dir', join(dir, 'o2')],
      { timeoutMs: 30_000 },
    );
    assert.equal(bad.code, 2, bad.stderr);
    assert.match(bad.stderr, /nosuch/);
    assert.doesNotMatch(bad.stderr, /internal error/);
  } finally {
    await srv.close();
  }
});

for (const signal of ['SIGHUP', 'SIGTERM'] as const)
  test(`${signal} ends a run like Ctrl-C: partial result written, marked interrupted, exit 130`, async () => {
    const srv = await startServer();
    const dir = tmp();
    try {
      const child = spawn(
        process.execPath,
        [BIN, 'run', srv.url, '-u', '1', '-d', '60s', '--stop-grace', '1s', '--no-history', '--summary-export', join(dir, 's.json')],
        { env: { ...process.env, NO_COLOR: '1', CI: '1' } },
      );
      let stderr = '';
      let stdout = '';
      child.stdout.on('data', (d) => (stdout += d));
      // Hang up once requests are flowing (the server counts them): an event, not a sleep.
      const poll = setInterval(() => {
        if (srv.requests > 0) {
          clearInterval(poll);
          child.kill(signal);
        }
      }, 20);
      const killer = setTimeout(() => child.kill('SIGKILL'), 60_000);
      child.stderr.on('data', (d) => (stderr += d));
      const code = await new Promise<number | null>((r) => child.on('close', r));
      clearInterval(poll);
      clearTimeout(killer);
      assert.equal(code, 130, stderr);
      assert.match(stderr, new RegExp(signal));
      assert.match(stdout, /INTERRUPTED/);
      const s = JSON.parse(readFileSync(join(dir, 's.json'), 'utf8'));
      assert.equal(s.speedguard.status, 'interrupted');
      assert.ok(s.metrics.http_reqs.count > 0);
    } finally {
      await srv.close();
    }
  });
