// Issue 11 §3: users see their own errors. A default() that throws shows the error with the user's
// file:line and a count, is paced instead of spinning, and fails the run; a forgotten rejection is
// an iteration error, not a crash; setup() that throws is the user's message and stack, exit 1, the
// record kept; feeders and requests are checked when the plan loads (exit 2 naming the field).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../helpers/cli.ts';
import { startServer } from '../helpers/servers.ts';

const tmp = () => mkdtempSync(join(tmpdir(), 'sg-usererr-'));
const NO_STACK = /\n\s+at .*(node:internal|src\/engine|src\/cli)/;

function script(dir: string, name: string, body: string): string {
  const file = join(dir, name);
  writeFileSync(file, body);
  return file;
}

test('default() that throws: the error with file:line and count, paced, exit 1', async () => {
  const dir = tmp();
  const file = script(
    dir,
    'throws.ts',
    `export const options = { vus: 2, duration: '2s' };
function helper(x: any) { return x.missing.field; }
export default function () { helper({}); }
`,
  );
  const r = await runCli(['run', file, '--no-history', '--json'], { timeoutMs: 60_000 });
  assert.equal(r.code, 1, r.stderr);
  const rec = JSON.parse(r.stdout);
  assert.equal(rec.status, 'failed');
  assert.match(rec.statusReason, /every iteration threw/);
  const [e] = rec.scriptErrors;
  assert.equal(e.name, 'TypeError');
  assert.match(e.message, /reading 'field'/);
  assert.match(e.stack[0], /throws\.ts:2:\d+/);
  assert.ok(!e.stack.some((f: string) => /src\/engine/.test(f)), 'speedguard frames removed');
  // Paced: a back-off per consecutive failing iteration (2 VUs × 2 s cannot reach a thousand).
  const iterations = rec.totals
    .filter((t: { metric: string }) => t.metric === 'iterations')
    .reduce((n: number, t: { count: number }) => n + t.count, 0);
  assert.ok(iterations > 2 && iterations < 1000, `iterations ${iterations}`);
  assert.equal(e.count, iterations);

  const summary = await runCli(['run', file, '--no-history'], { timeoutMs: 60_000 });
  assert.match(summary.stdout, /TypeError: Cannot read properties of undefined \(reading 'field'\) — \d+×/);
  assert.match(summary.stdout, /at helper \(file:\/\/.*throws\.ts:2:\d+\)/);
});

test('an unhandled rejection in a script is an iteration error, not a crash (1 VU)', async () => {
  const dir = tmp();
  // The script also sends a request: a script that sends none is not a successful load test.
  const srv = await startServer();
  const file = script(
    dir,
    'unhandled.ts',
    `import { http } from 'speedguard';
export const options = { vus: 1, iterations: 3 };
export default async function () { Promise.reject(new Error('forgot to await')); await http.get(${JSON.stringify(srv.url)}); }
`,
  );
  const r = await runCli(['run', file, '--no-history', '--json'], { timeoutMs: 60_000 }).finally(() => srv.close());
  assert.equal(r.code, 0, r.stderr);
  const rec = JSON.parse(r.stdout);
  assert.equal(rec.status, 'completed');
  assert.equal(rec.scriptErrors[0].phase, 'unhandled');
  assert.equal(rec.scriptErrors[0].message, 'forgot to await');
  assert.ok(rec.scriptErrors[0].count >= 1);
});

test('rejections that land after the last iteration ended are all counted in the final summary', async () => {
  const dir = tmp();
  const srv = await startServer();
  // Every iteration leaves two rejections behind: one at once, one 5 ms after the iteration ended.
  // The last iterations' late ones land after the load is over — they used to miss the last interval.
  const file = script(
    dir,
    'late.ts',
    `import { http } from 'speedguard';
export const options = { scenarios: { s: { executor: 'shared-iterations', vus: 4, iterations: 40, maxDuration: '30s' } } };
export default async function () {
  await http.get(${JSON.stringify(srv.url)});
  Promise.reject(new Error('rejected at once'));
  new Promise((_resolve, reject) => setTimeout(() => reject(new Error('rejected 5 ms later')), 5));
}
`,
  );
  const r = await runCli(['run', file, '--no-history', '--json'], { timeoutMs: 60_000 }).finally(() => srv.close());
  assert.equal(r.code, 0, r.stderr);
  const rec = JSON.parse(r.stdout);
  const sum = (metric: string) =>
    rec.totals.filter((t: { metric: string }) => t.metric === metric).reduce((n: number, t: { sum: number }) => n + t.sum, 0);
  assert.equal(sum('iterations'), 40);
  assert.equal(sum('iteration_errors'), 80);
  const counts = Object.fromEntries(rec.scriptErrors.map((e: { message: string; count: number }) => [e.message, e.count]));
  assert.deepEqual(counts, { 'rejected at once': 40, 'rejected 5 ms later': 40 });
});

test("setup() that throws: the user's message and stack, exit 1, the record stored", async () => {
  const dir = tmp();
  const history = join(dir, 'h.db');
  const file = script(
    dir,
    'setup.ts',
    `export const options = { vus: 1, iterations: 1 };
export function setup() { throw new Error('cannot log in as admin'); }
export default function () {}
`,
  );
  const r = await runCli(['run', file, '--history', history], { timeoutMs: 60_000 });
  assert.equal(r.code, 1, r.stderr);
  assert.doesNotMatch(r.stderr, /internal error/);
  assert.match(r.stdout, /RUN FAILED: setup\(\) threw: cannot log in as admin/);
  assert.match(r.stdout, /at setup \(file:\/\/.*setup\.ts:2:\d+\)/);
  const again = await runCli(['report', 'latest', '--history', history, '--format', 'json'], { timeoutMs: 30_000 });
  assert.equal(JSON.parse(again.stdout).status, 'failed');
});

test('plan load refuses bad requests and feeders: exit 2 naming the field', async () => {
  const dir = tmp();
  writeFileSync(join(dir, 'users.csv'), 'id,email\n1,a@x\n2,b@x\n');
  writeFileSync(join(dir, 'bad.csv'), 'id,email\n1,"unterminated\n');
  const plan = (name: string, request: object, data?: object) => {
    const file = join(dir, `${name}.json`);
    writeFileSync(
      file,
      JSON.stringify({ vus: 1, iterations: 1, ...(data ? { data } : {}), flow: [{ request: { url: 'http://127.0.0.1:1/', ...request } }] }),
    );
    return file;
  };
  const cases: Array<[string, RegExp]> = [
    [
      plan('col', { url: 'http://127.0.0.1:1/u/${users.emal}' }, { users: 'users.csv' }),
      /feeder "users" has no column "emal", did you mean "email"\?/,
    ],
    [plan('csv', {}, { users: 'bad.csv' }), /bad\.csv.*invalid CSV/],
    [plan('te', { headers: { 'Transfer-Encoding': 'chunked' } }), /Transfer-Encoding.*set by speedguard/],
    [plan('cl', { headers: { 'Content-Length': '5' } }), /Content-Length.*set by speedguard/],
    [plan('connect', { method: 'CONNECT' }), /method.*CONNECT is not supported/],
    [plan('crlf', { headers: { 'X-A': 'a\r\nX-Injected: 1' } }), /X-A.*CR, LF or NUL/],
    [plan('dup', { headers: { Accept: 'a', accept: 'b' } }), /repeats header "Accept"/],
    [plan('name', { headers: { 'Bad Name': 'x' } }), /Bad Name.*(not a valid|invalid)/],
    [plan('method', { method: 'GE T' }), /method: .*HTTP method/],
    // An env placeholder nothing sets (plan env, scenario env, -e) sent no request at all, exit 1.
    [plan('env', { url: 'http://127.0.0.1:1/${env.BASE_PATH}' }), /\$\{env\.BASE_PATH\} is not set: give it with -e BASE_PATH=/],
  ];
  for (const [file, re] of cases) {
    const r = await runCli(['run', file, '--no-history'], { timeoutMs: 30_000 });
    assert.equal(r.code, 2, `${file} → ${r.code}: ${r.stderr}${r.stdout}`);
    assert.match(r.stderr, re);
    assert.doesNotMatch(r.stderr, NO_STACK);
  }
});
