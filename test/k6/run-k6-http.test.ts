// k6/http features end to end: k6 scripts (test/k6/scripts/http) run by `speedguard run` against
// a loopback server that plays the other side for real, each with the result k6 would give.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { checksOf, countOf, runK6 } from './k6-export.ts';
import { startFeatureServer, type FeatureServer } from './http-features-server.ts';
import { startTlsServer } from './tls-server.ts';

const SCRIPTS = fileURLToPath(new URL('./scripts/http/', import.meta.url));
let server: FeatureServer;

before(async () => {
  server = await startFeatureServer();
});
after(() => server.close());

const run = (name: string, ...env: string[]) => {
  server.reset();
  return runK6(join(SCRIPTS, name), ['-e', `PORT=${server.port}`, ...env.flatMap((e) => ['-e', e])]);
};

test('http.batch runs in parallel: k6 defaults 6 per host, 20 in all; batch and batchPerHost lower them', async () => {
  const hostA = `127.0.0.1:${server.port}`;
  const hostB = `localhost:${server.port}`;
  const defaults = await run('batch.js');
  assert.equal(defaults.code, 0, defaults.stderr);
  assert.deepEqual(checksOf(defaults.exp!.root_group), { '::all 24 answered in order': [1, 0] });
  assert.equal(countOf(defaults.exp!, 'http_reqs'), 24);
  // Each response is held 500 ms, so the requests of one batch overlap even on a busy machine: the
  // bounds are reached, never passed.
  assert.deepEqual(server.peak.byHost, { [hostA]: 6, [hostB]: 6 });
  assert.equal(server.peak.all, 12);
  assert.deepEqual(server.sockets, { [hostA]: 6, [hostB]: 6 }, 'one connection per parallel slot');

  const perHost = await run('batch.js', 'PER_HOST=2');
  assert.equal(perHost.code, 0, perHost.stderr);
  assert.deepEqual(server.peak.byHost, { [hostA]: 2, [hostB]: 2 });

  const total = await run('batch.js', 'BATCH=3');
  assert.equal(total.code, 0, total.stderr);
  assert.equal(server.peak.all, 3);
});

test('digest (MD5, SHA-256) and NTLM auth answer the server challenge; the 401 challenge is an expected response', async () => {
  const r = await run('auth.js');
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(checksOf(r.exp!.root_group), {
    '::digest MD5 accepted': [2, 0],
    '::digest SHA-256 accepted': [2, 0],
    '::digest wrong password refused': [2, 0],
    '::ntlm accepted': [2, 0],
    '::ntlm wrong password refused': [2, 0],
  });
  // As k6 counts them: a digest request is 2 exchanges (challenge, answer), an NTLM one 3
  // (anonymous, negotiate, authenticate); 3 digest and 2 NTLM requests per iteration.
  assert.equal(countOf(r.exp!, 'http_reqs'), 2 * (3 * 2 + 2 * 3));
  // Failed, per iteration: the final 401s of the two wrong passwords, and (as k6 judges them) the
  // 401 carrying each NTLM challenge: digest's challenge 401 is expected, NTLM's second is not.
  assert.equal(r.exp!.metrics.http_req_failed!.passes, 2 * (2 + 2));
});

test('the compression param compresses the body (gzip, deflate, br, several) and sets Content-Encoding', async () => {
  const r = await run('compression.js');
  assert.equal(r.code, 0, r.stderr);
  const c = checksOf(r.exp!.root_group);
  assert.equal(Object.keys(c).length, 8);
  for (const [name, v] of Object.entries(c)) assert.deepEqual(v, [1, 0], name);
});

test('exec.vu.metrics.tags and exec.vu.tags mark the samples a VU emits afterwards', async () => {
  const r = await run('vu-tags.js');
  assert.equal(r.code, 0, r.stderr);
  const m = r.exp!.metrics;
  for (const key of [
    'http_reqs{phase:warm}',
    'http_reqs{phase:cold}',
    'checks{phase:warm}',
    'steps{phase:warm}',
    'iterations{phase:warm}',
    'http_reqs{legacy:yes}',
  ])
    assert.equal(Object.values(m[key]!.thresholds as Record<string, boolean>)[0], false, key);
  assert.deepEqual(checksOf(r.exp!.root_group), { '::tag readable': [6, 0] });
});

test('TLS: insecureSkipTLSVerify, tlsVersion, tlsCipherSuites and tlsAuth (a client certificate per domain)', async () => {
  const tls = await startTlsServer();
  try {
    const go = async (...env: string[]) => {
      tls.seen.length = 0;
      const r = await runK6(join(SCRIPTS, 'tls.js'), ['-e', `PORT=${tls.port}`, ...env.flatMap((e) => ['-e', e])]);
      assert.equal(r.code, 0, r.stderr);
      const c = checksOf(r.exp!.root_group);
      return { ok: c['::https answered'], asked: [c['::tls_version as asked'], c['::tls_cipher_suite as asked']], seen: tls.seen.slice() };
    };
    // A self-signed certificate fails verification, as in k6; the option accepts it.
    const verified = await go();
    assert.deepEqual(verified.ok, [0, 1]);
    assert.equal(verified.seen.length, 0);
    const insecure = await go('INSECURE=1');
    assert.deepEqual(insecure.ok, [1, 0]);
    assert.equal(insecure.seen[0]!.protocol, 'TLSv1.3');
    assert.equal(insecure.seen[0]!.clientCert, false);

    const v12 = await go(
      'INSECURE=1',
      'TLS_VERSION="tls1.2"',
      'CIPHERS=TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384',
      'EXPECT_VERSION=TLS_1_2',
      'EXPECT_CIPHER=TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384',
    );
    assert.deepEqual(v12.ok, [1, 0]);
    assert.deepEqual(
      v12.asked,
      [
        [1, 0],
        [1, 0],
      ],
      "the script sees k6's tls_version and tls_cipher_suite",
    );
    assert.deepEqual([v12.seen[0]!.protocol, v12.seen[0]!.cipher], ['TLSv1.2', 'ECDHE-RSA-AES256-GCM-SHA384']);
    const other = await go('INSECURE=1', 'TLS_VERSION={"min":"tls1.2","max":"tls1.2"}', 'CIPHERS=TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256');
    assert.deepEqual([other.seen[0]!.protocol, other.seen[0]!.cipher], ['TLSv1.2', 'ECDHE-RSA-AES128-GCM-SHA256']);

    const cert = await go('INSECURE=1', `CERT=${tls.clientCert}`, `KEY=${tls.clientKey}`, 'DOMAIN=localhost');
    assert.equal(cert.seen[0]!.clientCert, true, 'the certificate for localhost was sent');
    const elsewhere = await go('INSECURE=1', `CERT=${tls.clientCert}`, `KEY=${tls.clientKey}`, 'DOMAIN=example.com');
    assert.equal(elsewhere.seen[0]!.clientCert, false, 'a certificate for another domain is not sent');

    const bad = await runK6(join(SCRIPTS, 'tls.js'), ['-e', `PORT=${tls.port}`, '-e', 'CIPHERS=TLS_MADE_UP']);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /tlsCipherSuites\[0\]: unknown cipher suite "TLS_MADE_UP"/);
  } finally {
    await tls.close();
  }
});

test('hosts maps a name (or name:port) to a loopback address (and port); dns policy decides the address family', async () => {
  const v4 = await run('network.js', 'POLICY=onlyIPv4');
  assert.equal(v4.code, 0, v4.stderr);
  assert.deepEqual(checksOf(v4.exp!.root_group), {
    '::hosts entry used': [1, 0],
    '::name:port entry used': [1, 0],
    '::localhost resolved': [1, 0],
  });
  assert.deepEqual(server.hosts, [`api.speedguard.test:${server.port}`, 'moved.speedguard.test:8', `localhost:${server.port}`]);
  // The server listens on 127.0.0.1 only: IPv6 only cannot reach it (no address, or ::1 refused).
  const v6 = await run('network.js', 'POLICY=onlyIPv6');
  assert.equal(v6.code, 0, v6.stderr);
  assert.deepEqual(checksOf(v6.exp!.root_group), {
    '::hosts entry used': [1, 0],
    '::name:port entry used': [1, 0],
    '::localhost resolved': [0, 1],
  });
});

test('rps caps requests per second across all VUs and worker threads', async () => {
  const r = await run('rps.js');
  assert.equal(r.code, 0, r.stderr);
  assert.equal(server.ticks.length, 24);
  // 20 per second: request starts are 50 ms apart at least, so the last 20 arrivals (past the 4
  // that opened connections) span 19 × 50 ms; a busy machine only adds. Uncapped they take ~0.2 s.
  const span = server.ticks.at(-1)! - server.ticks[4]!;
  assert.ok(span >= 800, `20 requests at 20/s arrived over ${span.toFixed(0)} ms, expected about 950 ms or more`);
});
