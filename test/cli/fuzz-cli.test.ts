// Fuzz (issue 11, "done when"): fast-check generates CLI flag sets and plan files, each run against a
// local server with a bound on its time, and asserts the contract every input must keep: the exit
// code is one of 0/1/2/99/130, no stack trace is printed without --verbose, nothing hangs, and no
// secret the inputs carry reaches stdout or stderr.
// Kept small (a dozen runs, each ending in seconds) so `npm test` stays fast; the generators lean
// towards the inputs that broke before (huge numbers, bad units, bad paths, CR/LF in headers).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { runCli } from '../helpers/cli.ts';
import { startServer } from '../helpers/servers.ts';

const ALLOWED = new Set([0, 1, 2, 99, 130]);
const STACK = /\n\s+at (?:async )?\S.*[:(].*\d+:\d+\)?/;
const BOUND_MS = 30_000;

const count = fc.oneof(fc.integer({ min: -1, max: 4 }).map(String), fc.constantFrom('0', 'abc', '1e12', '200000', '2.5', ''));
const duration = fc.constantFrom('300ms', '1s', '0s', '-1s', '1', 'abc', '99999999999999999999h', '8d');
const rate = fc.constantFrom('20', '1e300', '1e7', '0', '-5', 'abc', '0.5');
const threshold = fc
  .tuple(
    fc.constantFrom(
      'http_req_duration',
      'http_req_failed',
      'http_reqs',
      'http_req_durashun',
      'checks',
      'http_req_duration{name:nosuch}',
      'iterations',
    ),
    fc.constantFrom('p(95)<5000', 'rate<0.5', 'count>0', 'avg<', 'p(101)<1', 'rate<0.01,allowEmpty', 'med<1e9,bogus'),
  )
  .map(([m, e]) => `${m}:${e}`);
// Secrets the generated inputs carry: no output may show them, whatever else goes wrong (issue 11 §5).
const SECRETS = ['ZqFuzzDbPassword', 'ZqFuzzBearerToken', 'ZqFuzzSessionValue'];
const header = fc.constantFrom(
  'X-A: 1',
  `Authorization: Bearer ${SECRETS[1]}`,
  `X-Session-Token ${SECRETS[2]}`,
  'Bad Header: x',
  'X-B: a\r\nX-C: b',
  'Content-Length: 5',
  'no-colon',
);

function flagSet(dir: string, withHeader = true) {
  const path = fc.constantFrom(join(dir, 'out.json'), join(dir, 'missing', 'x.json'), dir, '/dev/full');
  return fc
    .record(
      {
        vus: count.map((v) => ['-u', v]),
        duration: duration.map((v) => ['-d', v]),
        iterations: count.map((v) => ['-i', v]),
        rate: rate.map((v) => ['--rate', v]),
        threshold: threshold.map((v) => ['--threshold', v]),
        header: header.map((v) => (withHeader ? ['-H', v] : [])),
        summary: path.map((v) => ['--summary-export', v]),
        ndjson: path.map((v) => ['--out', `json=${v}`]),
        timeout: fc.constantFrom('1s', '0s', 'x').map((v) => ['--timeout', v]),
        env: fc.constantFrom('A=b', `DB=postgres://u:${SECRETS[0]}@h/db`, '=x', `DB postgres://u:${SECRETS[0]}@h/db`).map((v) => ['-e', v]),
        workers: fc.constantFrom('1', '2', '0', '-1').map((v) => ['--workers', v]),
        bogus: fc.constant(['--bogus']),
      },
      { requiredKeys: [] },
    )
    .map((r) => Object.values(r).flat());
}

// A plan file: mostly valid shapes with generated values, written as JSON or YAML-as-JSON.
function planFile(url: string) {
  const scenario = fc.oneof(
    fc.record({
      executor: fc.constant('constant-vus'),
      vus: fc.oneof(fc.integer({ min: 1, max: 3 }), fc.constantFrom(0, 1e12, -1)),
      duration: duration,
    }),
    fc.record({
      executor: fc.constant('shared-iterations'),
      vus: fc.integer({ min: 1, max: 3 }),
      iterations: fc.oneof(fc.integer({ min: 1, max: 20 }), fc.constantFrom(1e15, 0)),
    }),
    fc.record({
      executor: fc.constant('constant-arrival-rate'),
      rate: fc.oneof(fc.integer({ min: 1, max: 50 }), fc.constantFrom(1e300, -1)),
      duration: duration,
    }),
  );
  return fc.record(
    {
      scenarios: scenario.map((s) => ({ s: { ...s, gracefulStop: '500ms' } })),
      flow: fc.constantFrom(
        [{ request: { url } }],
        [{ request: { url: `${url}/x`, method: 'CONNECT' } }],
        [{ request: { url, headers: { 'Transfer-Encoding': 'chunked' } } }],
        [{ request: { url: `${url}/\${nosuch.col}` } }],
        [{ request: { url, method: 'POST', json: { password: 'x' } } }, { sleep: '10ms' }],
      ),
      thresholds: fc.dictionary(fc.constantFrom('http_req_duration', 'http_reqs', 'nope'), fc.constant(['p(95)<5000']), { maxKeys: 2 }),
    },
    { requiredKeys: ['scenarios', 'flow'] },
  );
}

test('fuzz: generated flags and plans keep the exit-code contract, print no stack, end within their bound', {
  timeout: 300_000,
}, async () => {
  const srv = await startServer((req, res) => (req.url?.includes('slow') ? setTimeout(() => res.end('s'), 50) : res.end('ok')));
  const dir = mkdtempSync(join(tmpdir(), 'sg-fuzz-'));
  let n = 0;
  try {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          flagSet(dir).map((f) => ({ f, plan: null })),
          fc.tuple(planFile(srv.url), flagSet(dir, false)).map(([plan, f]) => ({ plan, f })),
        ),
        async ({ f, plan }) => {
          let target = srv.url;
          if (plan) {
            target = join(dir, `plan-${n++}.json`);
            writeFileSync(target, JSON.stringify(plan));
          }
          const args = ['run', target, '--no-history', '--stop-grace', '1s', ...f];
          const started = Date.now();
          const r = await runCli(args, { timeoutMs: BOUND_MS });
          const took = Date.now() - started;
          const what = `speedguard ${JSON.stringify(args)} → ${r.code} after ${took} ms\nstderr: ${r.stderr.slice(0, 600)}`;
          assert.ok(r.code !== null, `killed at its ${BOUND_MS} ms bound (hung): ${what}`);
          assert.ok(ALLOWED.has(r.code), what);
          assert.doesNotMatch(r.stderr, STACK, what);
          assert.doesNotMatch(r.stdout, STACK, what);
          assert.doesNotMatch(r.stderr, /internal error|TimeoutOverflowWarning|Unhandled 'error' event/, what);
          for (const secret of SECRETS) assert.ok(!r.stderr.includes(secret) && !r.stdout.includes(secret), `${secret} leaked: ${what}`);
        },
      ),
      // SPEEDGUARD_FUZZ_RUNS=200 for a longer hunt by hand.
      { numRuns: Number(process.env.SPEEDGUARD_FUZZ_RUNS) || 10, endOnFailure: true },
    );
  } finally {
    await srv.close();
  }
});
