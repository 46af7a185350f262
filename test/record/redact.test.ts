// Secrets are redacted by rule (issue 11 §5): names that look like credentials, URL passwords and
// connection strings anywhere, JSON and form bodies. Examples from the issue, then properties.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { normalisePlan } from '../../src/plan/normalise.ts';
import { optionsFromFlags, applyOverrides } from '../../src/plan/overrides.ts';
import { isSecretName, redactBody, redactPlan, redactRecord, redactText, REDACTED } from '../../src/record/redact.ts';
import type { Plan } from '../../src/plan/types.ts';
import { headerName, secretName, secretValue } from './secret-arbitraries.ts';

test('the cases of the issue are redacted', () => {
  for (const n of [
    'X-Session-Token',
    'X-Auth',
    'X-CSRF-Token',
    'Private-Token',
    'Authorization',
    'Cookie',
    'X-API-Key',
    'client_secret',
    'session_id',
    'api_key',
  ]) {
    assert.ok(isSecretName(n), n);
  }
  for (const n of ['Accept', 'Content-Type', 'keepAlive', 'name', 'User-Agent', 'X-Request-Id']) assert.equal(isSecretName(n), false, n);
  assert.equal(
    redactText('https://h/p?api_key=A1&client_secret=B2&session_id=C3&page=2'),
    `https://h/p?api_key=${REDACTED}&client_secret=${REDACTED}&session_id=${REDACTED}&page=2`,
  );
  assert.equal(redactText('DB=postgres://app:hunter2@db:5432/shop'), `DB=postgres://app:${REDACTED}@db:5432/shop`);
  assert.equal(redactBody('{"user":"a","password":"hunter2"}'), `{"user":"a","password":"${REDACTED}"}`);
  assert.equal(redactBody('{"user":"${env.U}","password":"${env.P}x"}'), `{"user":"\${env.U}","password":"${REDACTED}"}`);
  assert.equal(redactBody('user=a&password=hunter2'), `user=a&password=${REDACTED}`);
  assert.equal(redactText("host=db password='a b' dbname=x"), `host=db password=${REDACTED} dbname=x`);
  // Thresholds and ordinary text stay as they are.
  for (const s of ['p(95)<200', 'rate==0', 'count>=1', 'http://127.0.0.1:3000/api?page=2']) assert.equal(redactText(s), s);
});

test('property: a secret put in any place of a plan never survives redactPlan', async () => {
  await fc.assert(
    fc.asyncProperty(
      secretName,
      headerName,
      secretValue,
      fc.constantFrom('header', 'query', 'json', 'form', 'env', 'scenarioEnv', 'flagEnv', 'probe', 'userinfo', 'envUrl'),
      async (name, hname, secret, where) => {
        const request: Record<string, unknown> = { url: 'http://127.0.0.1:9/api' };
        const user: Record<string, unknown> = { vus: 1, duration: '1s', flow: [{ request }] };
        switch (where) {
          case 'header':
            request.headers = { [hname]: secret };
            break;
          case 'query':
            request.url = `http://127.0.0.1:9/api?page=1&${encodeURIComponent(name)}=${secret}`;
            break;
          case 'json':
            request.method = 'POST';
            request.body = JSON.stringify({ user: 'u', nested: { [name]: secret } });
            break;
          case 'form':
            request.method = 'POST';
            request.body = `user=u&${name}=${secret}`;
            break;
          case 'env':
            user.env = { [name.replace(/[^A-Za-z0-9_]/g, '_')]: secret };
            break;
          case 'scenarioEnv':
            delete user.vus;
            delete user.duration;
            user.scenarios = {
              s: { executor: 'constant-vus', vus: 1, duration: '1s', env: { [name.replace(/[^A-Za-z0-9_]/g, '_')]: secret } },
            };
            break;
          case 'flagEnv':
            Object.assign(user, applyOverrides(user, optionsFromFlags({ env: [`DB=postgres://app:${secret}@db:5432/shop`] })));
            break;
          case 'probe':
            user.probes = { postgres: `postgres://app:${secret}@127.0.0.1:5432/shop` };
            break;
          case 'userinfo':
            request.url = `http://user:${secret}@127.0.0.1:9/api`;
            break;
          case 'envUrl':
            user.env = { UPSTREAM: `https://svc.example/cb?x=1&${name}=${secret}` };
            break;
        }
        if (where === 'userinfo') {
          // Refused when the plan loads (the engine sends no userinfo), without quoting the password.
          assert.throws(
            () => normalisePlan(user, { file: null, source: 'test', baseDir: process.cwd(), mode: 'flow' }),
            (e: Error) => /credentials in the URL/.test(e.message) && !e.message.includes(secret),
          );
          return;
        }
        const plan = normalisePlan(user, { file: null, source: 'test', baseDir: process.cwd(), mode: 'flow' });
        const text = JSON.stringify(redactPlan(plan));
        assert.ok(!text.includes(secret), `${where} ${name}: ${text}`);
        // Idempotent and harmless on what is left.
        assert.equal(JSON.stringify(redactRecord(JSON.parse(text))), text);
      },
    ),
    { numRuns: 300 },
  );
});

test('property: ordinary names and values pass through unchanged', () => {
  const plain = fc.constantFrom('page', 'limit', 'sort', 'q', 'lang', 'id', 'name', 'Accept', 'X-Request-Id', 'keepAlive');
  fc.assert(
    fc.property(plain, fc.stringMatching(/^[a-z0-9]{1,12}$/), (k, v) => {
      const s = `https://h/p?${k}=${v}`;
      assert.equal(redactText(s), s);
      assert.equal(redactBody(JSON.stringify({ [k]: v })), JSON.stringify({ [k]: v }));
    }),
    { numRuns: 200 },
  );
});

test('a client certificate keeps its certificate; its private key and passphrase do not reach the record', () => {
  const key = '-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n-----END PRIVATE KEY-----\n';
  const cert = '-----BEGIN CERTIFICATE-----\nMIIDazCCAlOgAwIBAgIUUjUyTr\n-----END CERTIFICATE-----\n';
  const plan = {
    source: 'x.js',
    scriptPath: null,
    scenarios: {},
    thresholds: {},
    env: {},
    tags: {},
    feeders: [],
    http: { tls: { minVersion: 'TLSv1.2', clientCertificates: [{ domains: ['api.test'], cert, key, passphrase: 'hunter22' }] } },
  } as unknown as Plan;
  const out = redactRecord({ plan });
  const text = JSON.stringify(out);
  assert.doesNotMatch(text, /MIIEvQIBADAN|hunter22/);
  assert.match(text, /MIIDazCCAlOg/);
  assert.equal(out.plan.http.tls!.minVersion, 'TLSv1.2');
});
