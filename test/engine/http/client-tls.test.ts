// TLS against a node:https server with a self-signed certificate generated for this run.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import https from 'node:https';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHttpClient } from '../../../src/engine/http/client.ts';
import { prepareRequest } from '../../../src/engine/http/encode.ts';
import { SEND, assertOk, assertSaneTimings, closeServer, listen } from './helpers.ts';

let dir = '';
let server: https.Server;
let port = 0;
const alpn: (string | false | null)[] = [];

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'speedguard-tls-'));
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-keyout',
      join(dir, 'key.pem'),
      '-out',
      join(dir, 'cert.pem'),
      '-days',
      '1',
      '-subj',
      '/CN=localhost',
      '-addext',
      'subjectAltName=IP:127.0.0.1,DNS:localhost',
    ],
    { stdio: 'ignore' },
  );
  server = https.createServer(
    {
      key: readFileSync(join(dir, 'key.pem')),
      cert: readFileSync(join(dir, 'cert.pem')),
      ALPNProtocols: ['http/1.1'],
    },
    (req, res) => {
      alpn.push((req.socket as import('node:tls').TLSSocket).alpnProtocol);
      res.end(`secure ${req.url}`);
    },
  );
  port = await listen(server);
});

after(async () => {
  await closeServer(server);
  rmSync(dir, { recursive: true, force: true });
});

test('insecureSkipTLSVerify: self-signed certificate accepted, connection reused', async () => {
  const client = createHttpClient({ insecureSkipTLSVerify: true });
  try {
    const req = prepareRequest('GET', `https://127.0.0.1:${port}/s`);
    for (let i = 0; i < 3; i++) {
      const res = await client.send(req, SEND);
      assertOk(res);
      assert.equal(res.body?.toString(), 'secure /s');
      assertSaneTimings(res.timings, { newConnection: i === 0, tls: true });
    }
    assert.equal(client.connectionsOpened, 1);
    assert.equal(alpn.at(-1), 'http/1.1');
  } finally {
    client.close();
  }
});

test('certificate verification on: self-signed certificate fails with kind tls', async () => {
  const client = createHttpClient({ insecureSkipTLSVerify: false });
  try {
    const res = await client.send(prepareRequest('GET', `https://127.0.0.1:${port}/`), SEND);
    assert.ok(res.error !== null);
    assert.equal(res.error.kind, 'tls', res.error.message);
    assert.equal(res.status, 0);
  } finally {
    client.close();
  }
});

test('plain HTTP to a TLS port fails fast instead of hanging', async () => {
  const client = createHttpClient({});
  try {
    const res = await client.send(prepareRequest('GET', `http://127.0.0.1:${port}/`), { keepBody: false, requestTimeoutMs: 3000 });
    assert.ok(res.error !== null);
    assert.ok(['malformed', 'closed_early', 'reset'].includes(res.error.kind), res.error.kind);
  } finally {
    client.close();
  }
});
