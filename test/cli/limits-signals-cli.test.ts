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
  try {
    const cases: Array<[string[], RegExp]> = [
      [['run', plan], /rate: .* is above the limit/],
      [['run', srv.url, '--rate', '1e7', '-d', '3s', '--workers', '2'], /above the limit of 200,000\/s/],
      [['run', srv.url, '-u', '200000', '-d', '1s', '--workers', '2'], /vus: 200,000 VUs is above the limit/],
      [['run', srv.url, '-u', '1', '-d', '99999999999999999999h'], /duration|timer/],
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
