// The `speedguard run` command as a user runs it: a real process, real flags, real exit codes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startServer } from '../helpers/servers.ts';

const BIN = fileURLToPath(new URL('../../bin/speedguard.js', import.meta.url));

interface Result {
  code: number | null;
  stdout: string;
  stderr: string;
}

function cli(
  args: string[],
  opts: { onSpawn?: (kill: (sig: NodeJS.Signals) => void, stderr: () => string) => void; timeoutMs?: number } = {},
): Promise<Result> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { env: { ...process.env, NO_COLOR: '1', CI: '1' } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`speedguard ${args.join(' ')} did not finish; stderr: ${stderr}`));
    }, opts.timeoutMs ?? 30_000);
    opts.onSpawn?.(
      (sig) => child.kill(sig),
      () => stderr,
    );
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

const tmp = () => mkdtempSync(join(tmpdir(), 'sg-cli-'));

test('bad flags and bad input: one line naming the problem, exit 2, no stack trace', async () => {
  const cases: Array<[string[], RegExp]> = [
    [['run', 'http://127.0.0.1:1/', '--vus', 'many'], /--vus/],
    [['run', 'http://127.0.0.1:1/', '--threshold', 'http_req_duration:p(95<200'], /p\(95<200/],
    [['run', 'http://127.0.0.1:1/', '--threshold', 'http_req_duration:rate<0.1'], /rate/],
    [['run', 'ftp://127.0.0.1/'], /no such file|http/],
    [['run', 'missing-plan.yaml'], /missing-plan\.yaml/],
    [['run', 'http://127.0.0.1:1/', '--out', 'csv=x'], /--out/],
    [['run', 'http://127.0.0.1:1/', '--bogus'], /unknown option/],
    // The header the message is about is named, also when it came from -H (issue 11 re-run).
    [['run', 'http://127.0.0.1:1/', '-i', '1', '-H', 'Content-Length: 5'], /--header: header "Content-Length" is set by speedguard/],
    [['run', 'http://127.0.0.1:1/', '-i', '1', '-H', 'Transfer-Encoding: chunked'], /header "Transfer-Encoding" is set by speedguard/],
    // Commander's suggestion joins its line: one line per error.
    [['rnu', 'http://127.0.0.1:1/'], /^error: unknown command 'rnu' \(Did you mean run\?\)\n$/],
    // A k6-only flag on a URL run is named, not ignored.
    [['run', 'http://127.0.0.1:1/', '-i', '1', '--summary-trend-stats', 'p(x)'], /--summary-trend-stats applies to k6 scripts only/],
  ];
  for (const [args, re] of cases) {
    const r = await cli(args);
    assert.equal(r.code, 2, `${args.join(' ')} → ${r.code}: ${r.stderr}`);
    assert.match(r.stderr, re);
    assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
  }
});

test('a bad YAML plan names the file and the field', async () => {
  const dir = tmp();
  const file = join(dir, 'plan.yaml');
  writeFileSync(
    file,
    'scenarios:\n  browse:\n    executor: constant-arrival-rate\n    rate: -5\n    duration: 1s\n    flow: [{request: {url: ' +
      '"http://127.0.0.1:1/"}}]\n',
  );
  const r = await cli(['run', file]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /plan\.yaml/);
  assert.match(r.stderr, /rate/);
});

test('URL mode: summary, --summary-export in k6 shape, --out json NDJSON, exit 0', async () => {
  const srv = await startServer();
  const dir = tmp();
  try {
    const r = await cli([
      'run',
      srv.url + '/x',
      '--rate',
      '100',
      '-d',
      '2s',
      '--workers',
      '1',
      '--quiet',
      '--summary-export',
      join(dir, 's.json'),
      '--out',
      `json=${join(dir, 'm.ndjson')}`,
      '--threshold',
      'http_req_failed:rate<0.01',
    ]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /http_req_duration/);
    assert.match(r.stdout, /✓ http_req_failed: rate<0.01/);
    const s = JSON.parse(readFileSync(join(dir, 's.json'), 'utf8'));
    assert.equal(s.metrics.http_reqs.count, 200);
    assert.ok(s.metrics.http_req_duration['p(95)'] > 0);
    for (const k of ['avg', 'min', 'med', 'max', 'p(90)', 'p(95)', 'p(99)', 'p(99.9)'])
      assert.equal(typeof s.metrics.http_req_latency[k], 'number', k);
    assert.equal(s.metrics.dropped_iterations.count, 0);
    assert.equal(s.metrics.http_req_failed.thresholds['rate<0.01'], false);
    assert.equal(s.speedguard.status, 'completed');
    assert.equal(typeof s.speedguard.generator.limited, 'boolean');
    const lines = readFileSync(join(dir, 'm.ndjson'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    const reqs = lines.filter((l) => l.metric === 'http_reqs').reduce((t, l) => t + l.sum, 0);
    assert.equal(reqs, 200);
    assert.ok(lines.some((l) => l.metric === 'http_req_duration' && typeof l['p(95)'] === 'number'));
  } finally {
    await srv.close();
  }
});

test('a failed threshold exits 99', async () => {
  const srv = await startServer((_q, res) => setTimeout(() => res.end('x'), 15));
  try {
    const r = await cli(['run', srv.url, '-u', '2', '-d', '1s', '--quiet', '--threshold', 'http_req_duration:p(95)<1']);
    assert.equal(r.code, 99, r.stderr);
    assert.match(r.stdout, /✗ http_req_duration: p\(95\)<1/);
  } finally {
    await srv.close();
  }
});

test('SIGINT: stops, prints and exports the partial summary marked interrupted, exits 130', async () => {
  const srv = await startServer();
  const dir = tmp();
  try {
    const r = await cli(['run', srv.url, '-u', '2', '-d', '60s', '--summary-export', join(dir, 's.json'), '--stop-grace', '1s'], {
      // Ctrl-C once the load is under way (the server has answered), not after a guessed start-up time:
      // on a busy machine the process may not have installed its handlers 2.5 s after the spawn.
      onSpawn: (kill) => {
        const t0 = Date.now();
        const poll = setInterval(() => {
          if (srv.requests >= 20 || Date.now() - t0 > 30_000) {
            clearInterval(poll);
            kill('SIGINT');
          }
        }, 50);
      },
    });
    assert.equal(r.code, 130, r.stderr);
    assert.match(r.stdout, /INTERRUPTED/);
    const s = JSON.parse(readFileSync(join(dir, 's.json'), 'utf8'));
    assert.equal(s.speedguard.status, 'interrupted');
    assert.ok(s.metrics.http_reqs.count > 0);
    assert.ok(s.speedguard.duration_ms < 10_000);
  } finally {
    await srv.close();
  }
});

test('the vus gauges keep their peak in the summary and --summary-export (they read 0 at the end of every run)', async () => {
  const srv = await startServer();
  const dir = tmp();
  try {
    // 3 VUs split over 2 workers: the per-interval shares add up to 3.
    const r = await cli(['run', srv.url, '-u', '3', '-d', '2s', '--workers', '2', '--summary-export', join(dir, 's.json')]);
    assert.equal(r.code, 0, r.stderr);
    const s = JSON.parse(readFileSync(join(dir, 's.json'), 'utf8'));
    assert.equal(s.metrics.vus.max, 3);
    assert.equal(s.metrics.vus_max.max, 3);
    assert.match(r.stdout, /vus \.+: \d+\s+min=\d+ max=3\n/);
  } finally {
    await srv.close();
  }
});
