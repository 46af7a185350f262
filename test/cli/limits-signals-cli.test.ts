// Issue 11 §4 through the CLI: absurd values are exit 2 with the reason before any load, a plan with
// a UTF-8 BOM loads, and Ctrl-C ends a run whose script is stuck in a synchronous loop (its worker is
// terminated) with the partial result written and exit 130.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BIN, runCli } from '../helpers/cli.ts';
import { startServer } from '../helpers/servers.ts';

const tmp = () => mkdtempSync(join(tmpdir(), 'sg-limits-'));

test('absurd values: exit 2 naming the value and the limit, no load sent', async () => {
  const srv = await startServer();
  const dir = tmp();
  const plan = join(dir, 'p.json');
  writeFileSync(plan, JSON.stringify({ rate: 1e300, duration: '1s', flow: [{ request: { url: srv.url } }] }));
  // A sleep no timer can wait used to fire after 1 ms, with a TimeoutOverflowWarning, and exit 0.
  const sleepy = join(dir, 'sleep.json');
  writeFileSync(sleepy, JSON.stringify({ vus: 1, iterations: 1, flow: [{ request: { url: srv.url } }, { sleep: '99999999999h' }] }));
  try {
    const cases: Array<[string[], RegExp]> = [
      [['run', plan], /rate: .* is above the limit/],
      [['run', srv.url, '--rate', '1e7', '-d', '3s', '--workers', '2'], /above the limit of 200,000\/s/],
      [['run', srv.url, '-u', '200000', '-d', '1s', '--workers', '2'], /vus: 200,000 VUs is above the limit/],
      [['run', srv.url, '-u', '1', '-d', '99999999999999999999h'], /duration|timer/],
      [['run', sleepy], /flow\[1\]\.sleep: .* longer than any timer can wait/],
      [['run', srv.url, '-i', '1', '--stop-grace', '99999999999h'], /--stop-grace: .* longer than any timer can wait/],
      [['run', srv.url, '-i', '1', '--workers', '1000000'], /workers: 1,000,000 worker threads is above the limit of \d+ \(8 per core/],
    ];
    for (const [args, re] of cases) {
      const r = await runCli([...args, '--no-history'], { timeoutMs: 30_000 });
      assert.equal(r.code, 2, `${args.join(' ')} → ${r.code}: ${r.stderr}`);
      assert.match(r.stderr, re);
      assert.doesNotMatch(r.stderr, /TimeoutOverflowWarning|\n\s+at /);
    }
    assert.equal(srv.requests, 0);
  } finally {
    await srv.close();
  }
});

test('assess and profile: rates, VUs and durations beyond the limits are exit 2 naming the flag, before any load or start', async () => {
  const srv = await startServer();
  const dir = tmp();
  const marker = join(dir, 'started');
  // The service profile would start: it leaves a marker if it ever runs.
  const service = ['--', process.execPath, '-e', `require('fs').writeFileSync(${JSON.stringify(marker)}, 'x')`];
  const out = ['--out-dir', dir, '--no-history'];
  try {
    const cases: Array<[string[], RegExp]> = [
      [
        ['assess', srv.url, '--expected-rate', '300000', '--workers', '2', ...out],
        /--expected-rate: the baseline phase would offer 300,000 req\/s/,
      ],
      [
        ['assess', srv.url, '--expected-rate', '60000', '--workers', '2', '--suite', 'spike', ...out],
        /--expected-rate: the spike phase would offer 4 × 60,000/,
      ],
      [
        ['assess', srv.url, '--max-rate', '5000000', '--suite', 'stress', '--workers', '2', ...out],
        /--max-rate: the stress phase would offer 5,000,000/,
      ],
      [
        ['assess', srv.url, '--suite', 'sustained', '--expected-rate', '10', '--soak', '200h', ...out],
        /--soak: 200 h is above the limit of 7 days/,
      ],
      [['assess', '--profile', '--expected-rate', '300000', '--workers', '2', ...out, ...service], /--expected-rate: .*above the limit/],
      [
        ['profile', '--rate', '1e7', '--workers', '2', ...out, ...service],
        /--rate: 10,000,000 iterations\/s is above the limit of 200,000\/s/,
      ],
      [['profile', '-u', '200000', '--workers', '2', ...out, ...service], /--vus: 200,000 VUs is above the limit/],
      [['profile', '--warmup', '200h', ...out, ...service], /--warmup: 200 h is above the limit of 7 days/],
      [['profile', '-d', '200h', ...out, ...service], /duration: 200 h is above the limit of 7 days/],
    ];
    for (const [args, re] of cases) {
      const r = await runCli(args, { timeoutMs: 30_000 });
      assert.equal(r.code, 2, `${args.join(' ')} → ${r.code}: ${r.stderr}`);
      assert.match(r.stderr, re);
      assert.match(r.stderr, /--no-limits/);
      assert.doesNotMatch(r.stderr, /\n\s+at /);
    }
    assert.equal(srv.requests, 0, 'no load was sent');
    assert.equal(existsSync(marker), false, 'the service was never started');
    // --no-limits lifts them: the next check that fails (an unknown baseline, an unreachable
    // database) is the one reported, still before any load.
    const lifted = await runCli(
      [
        'assess',
        srv.url,
        '--expected-rate',
        '300000',
        '--workers',
        '1',
        '--no-limits',
        '--baseline',
        'nosuch',
        '--out-dir',
        dir,
        '--history',
        join(dir, 'h.db'),
      ],
      { timeoutMs: 30_000 },
    );
    assert.equal(lifted.code, 2, lifted.stderr);
    assert.match(lifted.stderr, /no history database|nosuch/);
    assert.doesNotMatch(lifted.stderr, /above the limit/);
    const liftedProfile = await runCli(
      ['profile', '--rate', '150000', '--workers', '1', '--no-limits', '--db', 'postgres://nobody@127.0.0.1:1/x', ...out, ...service],
      { timeoutMs: 30_000 },
    );
    assert.match(liftedProfile.stderr, /cannot connect to postgres/);
    assert.doesNotMatch(liftedProfile.stderr, /above the limit/);
    assert.equal(srv.requests, 0);
    assert.equal(existsSync(marker), false);
  } finally {
    await srv.close();
  }
});

test('a JSON plan with a UTF-8 BOM is accepted', async () => {
  const srv = await startServer();
  const dir = tmp();
  const plan = join(dir, 'bom.json');
  writeFileSync(plan, '\ufeff' + JSON.stringify({ vus: 1, iterations: 2, flow: [{ request: { url: srv.url } }] }));
  try {
    const r = await runCli(['run', plan, '--no-history'], { timeoutMs: 30_000 });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(srv.requests, 2);
  } finally {
    await srv.close();
  }
});

test('Ctrl-C twice ends a script stuck in a synchronous loop: partial result written, exit 130', async () => {
  const dir = tmp();
  const marker = join(dir, 'stuck');
  const script = join(dir, 'stuck.ts');
  writeFileSync(
    script,
    `import { writeFileSync } from 'node:fs';
export const options = { vus: 1, duration: '60s' };
let n = 0;
export default function () {
  if (++n > 3) { writeFileSync(${JSON.stringify(marker)}, 'x'); for (;;) {} }
}
`,
  );
  const child = spawn(
    process.execPath,
    [BIN, 'run', script, '--no-history', '--stop-grace', '30s', '--summary-export', join(dir, 's.json')],
    { env: { ...process.env, NO_COLOR: '1', CI: '1' } },
  );
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  const killer = setTimeout(() => child.kill('SIGKILL'), 60_000);
  // Once the script is stuck (it wrote its marker): Ctrl-C, then Ctrl-C again when the first was seen.
  const poll = setInterval(() => {
    if (existsSync(marker) && !stderr.includes('SIGINT')) child.kill('SIGINT');
    else if (stderr.includes('send again')) {
      clearInterval(poll);
      child.kill('SIGINT');
    }
  }, 50);
  const code = await new Promise<number | null>((r) => child.on('close', r));
  clearInterval(poll);
  clearTimeout(killer);
  assert.equal(code, 130, stderr);
  assert.match(stdout, /INTERRUPTED/);
  assert.equal(JSON.parse(readFileSync(join(dir, 's.json'), 'utf8')).speedguard.status, 'interrupted');
});

for (const signal of ['SIGINT', 'SIGTERM'] as const)
  test(`${signal} twice ends a setup() stuck in a synchronous loop (its thread is terminated): exit 130, stored`, async () => {
    const dir = tmp();
    const marker = join(dir, 'stuck');
    const script = join(dir, 'setup-stuck.ts');
    writeFileSync(
      script,
      `import { writeFileSync } from 'node:fs';
export const options = { vus: 1, iterations: 1 };
export function setup() { writeFileSync(${JSON.stringify(marker)}, 'x'); for (;;) {} }
export default function () {}
`,
    );
    const history = join(dir, 'h.db');
    const child = spawn(process.execPath, [BIN, 'run', script, '--history', history], { env: { ...process.env, NO_COLOR: '1', CI: '1' } });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    const killer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    let sent = 0;
    const poll = setInterval(() => {
      if (sent === 0 && existsSync(marker) && ++sent) child.kill(signal);
      else if (sent === 1 && stderr.includes('send again') && ++sent) child.kill(signal);
    }, 50);
    const code = await new Promise<number | null>((r) => child.on('close', r));
    clearInterval(poll);
    clearTimeout(killer);
    assert.equal(code, 130, stderr);
    const again = await runCli(['report', 'latest', '--history', history, '--format', 'json'], { timeoutMs: 30_000 });
    const record = JSON.parse(again.stdout);
    assert.equal(record.status, 'interrupted');
    assert.match(record.statusReason, new RegExp(`interrupted by ${signal} \\(twice\\) during setup\\(\\)`));
  });
