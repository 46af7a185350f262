// stderr messages quote what the user typed (issue 11 §5): every shape a message quotes a secret in —
// a URL's password, a malformed header line, an env pair, a bare value the command line marked
// secret — comes out of redactMessage without it, and a message with no secret is unchanged.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { redactMessage, rememberArgvSecrets, rememberPlanSecrets } from '../../src/record/redact-messages.ts';
import { normalisePlan } from '../../src/plan/normalise.ts';
import { headerName, secretName, secretValue } from './secret-arbitraries.ts';

test('property: a secret quoted in any message shape is scrubbed', () => {
  fc.assert(
    fc.property(headerName, secretName, secretValue, (header, name, secret) => {
      const env = name.replace(/[^A-Za-z0-9_]/g, '_');
      const messages = [
        `speedguard: url: invalid URL "http://user:${secret}@127.0.0.1:99999/"`,
        `speedguard: ftp://u:${secret}@h/: not a URL or a plan file`,
        `speedguard: --header: expected "Name: value" (got "${header} ${secret}")`,
        `speedguard: --header: expected "Name: value" (got "${header}:${secret}")`,
        `speedguard: --env: expected NAME=value (got "DATABASE_URL postgres://app:${secret}@db:5432/shop")`,
        `speedguard: --tag "x ${env}=${secret}": expected name=value`,
        `speedguard: run failed: setup() threw: cannot reach https://svc/cb?x=1&${name}=${secret}`,
        `> ${header}: ${secret}\n> accept: */*`,
        `speedguard: plan.json: invalid JSON: {"${name}": "${secret}"`,
      ];
      for (const m of messages) assert.ok(!redactMessage(m).includes(secret), `${m} → ${redactMessage(m)}`);
    }),
    { numRuns: 200 },
  );
});

test('messages without a secret are unchanged', () => {
  for (const m of [
    'speedguard: --vus: expected a whole number, got "abc"',
    'speedguard: url: invalid URL "http://127.0.0.1:99999/"',
    'speedguard: --header: expected "Name: value" (got "Accept text/html")',
    'speedguard: run failed: no HTTP request completed (0 http_reqs)',
    '> content-type: application/json',
  ])
    assert.equal(redactMessage(m), m);
});

test('values the command line marks secret are scrubbed even when quoted bare', () => {
  rememberArgvSecrets([
    'run',
    'http://127.0.0.1:1/?page=2&api_key=ZqArgvQuery1',
    '-e',
    'API_TOKEN=ZqArgvEnv2',
    '--env=SESSION_SECRET=ZqArgvEnv3',
    '-H',
    'X-Auth-Token ZqArgvHeader4',
    '--header',
    'Private-Token: ZqArgvHeader5',
    '-e',
    'DATABASE_URL=postgres://u:ZqArgvPassword6@db/x',
    '-e',
    'PAGE_SIZE=1000',
  ]);
  for (const s of ['ZqArgvQuery1', 'ZqArgvEnv2', 'ZqArgvEnv3', 'ZqArgvHeader4', 'ZqArgvHeader5', 'ZqArgvPassword6'])
    assert.equal(redactMessage(`bad value ${s} here`), 'bad value [REDACTED] here', s);
  // An ordinary value is not a secret because it sits on the same command line.
  assert.equal(redactMessage('page size 1000'), 'page size 1000');
});

test("a loaded plan's secret values are scrubbed from later messages", () => {
  const plan = normalisePlan(
    {
      vus: 1,
      iterations: 1,
      env: { CLIENT_SECRET: 'ZqPlanEnv7', REGION: 'eu-west' },
      flow: [{ request: { url: 'http://127.0.0.1:1/', headers: { 'X-Api-Key': 'ZqPlanHeader8' }, body: '{"password":"ZqPlanBody9"}' } }],
      probes: { postgres: 'postgres://app:ZqPlanProbe10@127.0.0.1:5432/shop' },
    },
    { file: null, source: 'test', baseDir: process.cwd(), mode: 'flow' },
  );
  rememberPlanSecrets(plan);
  for (const s of ['ZqPlanEnv7', 'ZqPlanHeader8', 'ZqPlanBody9', 'ZqPlanProbe10']) assert.ok(!redactMessage(`x ${s} y`).includes(s), s);
  assert.equal(redactMessage('region eu-west'), 'region eu-west');
});
