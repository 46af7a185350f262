// Issue 11 §5 end to end: secrets generated into every place a value can enter a run (plan headers,
// query, JSON body, plan env, scenario env, probes.postgres, -e) are found in no output: stdout
// (summary and --json), stderr, the summary export, the NDJSON stream, assessment reports, and the
// bytes of the history database.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { runCli } from '../helpers/cli.ts';
import { startServer } from '../helpers/servers.ts';
import { headerName, secretName, secretValue } from '../record/secret-arbitraries.ts';

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? filesUnder(p) : [p];
  });
}

const envName = (n: string) => n.replace(/[^A-Za-z0-9_]/g, '_');

function planText(url: string, s: { header: string; query: string; env: string; secrets: string[] }, withProbe: boolean): string {
  const [h, q, body, env, scenarioEnv, probe] = s.secrets;
  return JSON.stringify({
    scenarios: {
      s: { executor: 'shared-iterations', vus: 1, iterations: 3, maxDuration: '10s', env: { [envName(s.env) + '_S']: scenarioEnv } },
    },
    flow: [
      {
        request: {
          method: 'POST',
          url: `${url}/login?page=1&${encodeURIComponent(s.query)}=${q}`,
          headers: { [s.header]: h, 'Content-Type': 'application/json' },
          body: JSON.stringify({ user: 'u', password: body }),
        },
      },
    ],
    env: { [envName(s.env)]: env },
    // assess connects to the probe's database before any load: only run keeps it unconnected.
    ...(withProbe ? { probes: { postgres: `postgres://app:${probe}@127.0.0.1:1/shop` } } : {}),
  });
}

test('property: no generated secret reaches any output of run or assess, nor the history file', { timeout: 240_000 }, async () => {
  const srv = await startServer();
  try {
    for (const assess of [false, true])
      await fc.assert(
        fc.asyncProperty(
          headerName,
          secretName,
          secretName,
          fc.array(secretValue, { minLength: 7, maxLength: 7 }),
          async (header, query, env, secrets) => {
            const dir = mkdtempSync(join(tmpdir(), 'sg-secrets-'));
            const plan = join(dir, 'plan.json');
            writeFileSync(plan, planText(srv.url, { header, query, env, secrets }, !assess));
            const history = join(dir, 'h.db');
            const flagEnv = `DB=postgres://app:${secrets[6]}@db.internal:5432/shop`;
            const outputs: string[] = [];
            if (assess) {
              const r = await runCli(
                [
                  'assess',
                  plan,
                  '--quick',
                  '--suite',
                  'baseline',
                  '--expected-rate',
                  '5',
                  '--workers',
                  '1',
                  '--history',
                  history,
                  '--out-dir',
                  join(dir, 'out'),
                ],
                { timeoutMs: 120_000 },
              );
              assert.ok(r.code === 0 || r.code === 99, `assess exit ${r.code}: ${r.stderr}`);
              outputs.push(r.stdout, r.stderr, ...filesUnder(join(dir, 'out')).map((f) => readFileSync(f, 'latin1')));
            } else {
              const r = await runCli(
                [
                  'run',
                  plan,
                  '-e',
                  flagEnv,
                  '--json',
                  '--history',
                  history,
                  '--summary-export',
                  join(dir, 's.json'),
                  '--out',
                  `json=${join(dir, 'm.ndjson')}`,
                ],
                { timeoutMs: 60_000 },
              );
              assert.equal(r.code, 0, r.stderr);
              assert.equal(JSON.parse(r.stdout).kind, 'run');
              outputs.push(r.stdout, r.stderr, readFileSync(join(dir, 's.json'), 'utf8'), readFileSync(join(dir, 'm.ndjson'), 'utf8'));
              const summary = await runCli(['report', 'latest', '--history', history], { timeoutMs: 30_000 });
              outputs.push(summary.stdout, summary.stderr);
            }
            outputs.push(readFileSync(history, 'latin1'));
            for (const f of readdirSync(dir).filter((f) => f.startsWith('h.db-'))) outputs.push(readFileSync(join(dir, f), 'latin1'));
            const all = outputs.join('\n');
            for (const [i, secret] of secrets.entries()) {
              if (assess && i >= 5) continue; // the probe and -e are given to run only
              assert.ok(!all.includes(secret), `secret #${i} (${secret}) leaked; header ${header}, query ${query}, env ${env}`);
            }
            assert.ok(srv.requests > 0);
          },
        ),
        { numRuns: assess ? 1 : 2, endOnFailure: true },
      );
  } finally {
    await srv.close();
  }
});

test('stderr: bad inputs that carry a secret are reported (exit 2, naming the field) without it; a script error quoting one too', {
  timeout: 240_000,
}, async () => {
  const srv = await startServer();
  const dir = mkdtempSync(join(tmpdir(), 'sg-secrets-stderr-'));
  const s = (i: number) => `ZqStderrSecret${i}x`;
  const badPlan = join(dir, 'bad.json');
  writeFileSync(
    badPlan,
    JSON.stringify({
      target: `http://app:${s(6)}@127.0.0.1:99999`,
      vus: 1,
      iterations: 1,
      flow: [{ request: { url: '/x', headers: { 'X-Api-Key': s(7) } } }],
    }),
  );
  const throwing = join(dir, 'setup-throws.ts');
  writeFileSync(
    throwing,
    `import http from 'k6/http';
export const options = { vus: 1, iterations: 1 };
export function setup() { throw new Error('cannot reach ' + __ENV.DATABASE_URL + ' with key ' + __ENV.API_KEY); }
export default function () { http.get('http://127.0.0.1:1/'); }
`,
  );
  const debug = join(dir, 'debug.ts');
  writeFileSync(
    debug,
    `import { http } from 'speedguard';
export const options = { vus: 1, iterations: 2 };
export default async function () {
  const token = process.env.API_TOKEN;
  await http.get(${JSON.stringify(srv.url)}, { headers: { Authorization: 'Bearer ' + token, 'X-Session-Token': token } });
}
`,
  );
  const history = join(dir, 'h.db');
  try {
    const cases: Array<{ args: string[]; code: number; says: RegExp; secrets: string[] }> = [
      // A bad URL with a userinfo password.
      { args: ['run', `http://user:${s(1)}@127.0.0.1:99999/`, '-i', '1'], code: 2, says: /url: invalid URL/, secrets: [s(1)] },
      // A malformed header line with a token value.
      {
        args: ['run', srv.url, '-H', `X-Auth-Token ${s(2)}`, '-i', '1'],
        code: 2,
        says: /--header: expected "Name: value"/,
        secrets: [s(2)],
      },
      { args: ['run', srv.url, '-H', `Authorization Bearer ${s(2)}`, '-i', '1'], code: 2, says: /--header/, secrets: [s(2)] },
      // A malformed -e whose value is a connection string.
      {
        args: ['run', srv.url, '-e', `DATABASE_URL postgres://u:${s(3)}@db/x`, '-i', '1'],
        code: 2,
        says: /--env: expected NAME=value/,
        secrets: [s(3)],
      },
      // -e DATABASE_URL=postgres://u:…@… plus an error elsewhere, and a credential-named value echoed bare.
      {
        args: [
          'run',
          srv.url,
          '-e',
          `DATABASE_URL=postgres://u:${s(4)}@db/x`,
          '--tag',
          `bad tag ${s(5)}`,
          '-e',
          `API_KEY=${s(5)}`,
          '-i',
          '1',
        ],
        code: 2,
        says: /--tag/,
        secrets: [s(4), s(5)],
      },
      // A plan whose target carries a password, with a secret header beside it.
      { args: ['run', badPlan], code: 2, says: /target: invalid URL/, secrets: [s(6), s(7)] },
      // A k6 script's setup() throws a message quoting a connection string and a key from -e: k6's exit 107, the user's message.
      {
        args: ['run', throwing, '-e', `DATABASE_URL=postgres://u:${s(8)}@db/x`, '-e', `API_KEY=${s(9)}`, '--history', history],
        code: 107,
        says: /cannot reach postgres:\/\/u:\[REDACTED\]@db\/x with key \[REDACTED\]/,
        secrets: [s(8), s(9)],
      },
      // --http-debug prints the worker's request headers: credentials are not among them.
      {
        args: ['run', debug, '-e', `API_TOKEN=${s(10)}`, '--http-debug', '--history', history],
        code: 0,
        says: /x-session-token: \[REDACTED\]/i,
        secrets: [s(10)],
      },
      // An unreachable --db with a password.
      {
        args: ['profile', '--db', `postgres://u:${s(11)}@127.0.0.1:1/x`, '--out-dir', dir, '--', process.execPath, '-e', '1'],
        code: 1,
        says: /cannot connect to postgres/,
        secrets: [s(11)],
      },
    ];
    for (const c of cases) {
      const args = c.args.includes('--history') ? c.args : [...c.args, '--no-history'];
      const r = await runCli(args, { timeoutMs: 60_000 });
      const what = `${c.args.slice(0, 3).join(' ')} → ${r.code}: ${r.stderr}`;
      assert.equal(r.code, c.code, what);
      assert.match(r.stderr, c.says, what);
      assert.doesNotMatch(r.stderr, /\n\s+at /, what);
      for (const secret of c.secrets) {
        assert.ok(!r.stderr.includes(secret), `stderr leaked ${secret}: ${what}`);
        assert.ok(!r.stdout.includes(secret), `stdout leaked ${secret}: ${what}`);
      }
    }
    const stored = readFileSync(history, 'latin1');
    for (const i of [8, 9, 10]) assert.ok(!stored.includes(s(i)), `history leaked ${s(i)}`);
  } finally {
    await srv.close();
  }
});
