// Where the client connects when a plan sets hosts or dns: fixed addresses and ports (exact,
// name:port and wildcard names), the address-family policy, answers in the form Node asks for.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { LookupFunction } from 'node:net';
import { hostOverride, makeLookup } from '../../../src/engine/http/resolver.ts';

function ask(lookup: LookupFunction, name: string, all: boolean): Promise<unknown> {
  return new Promise((resolve, reject) =>
    lookup(name, { all }, (err, address, family) => (err ? reject(err) : resolve(all ? address : [address, family]))),
  );
}

test('hosts: name:port, then the name, then the nearest *.parent entry; case does not matter', () => {
  const hosts = {
    'api.test:443': '127.0.0.9:8443',
    'api.test': '127.0.0.2',
    '*.test': '127.0.0.3',
    '*.deep.test': '127.0.0.4',
    'v6.test': '[::1]:8080',
  };
  assert.deepEqual(hostOverride(hosts, 'API.test', 443), { host: '127.0.0.9', port: 8443 });
  assert.deepEqual(hostOverride(hosts, 'api.test', 80), { host: '127.0.0.2', port: 80 });
  assert.deepEqual(hostOverride(hosts, 'web.test', 80), { host: '127.0.0.3', port: 80 });
  assert.deepEqual(hostOverride(hosts, 'a.b.deep.test', 80), { host: '127.0.0.4', port: 80 });
  assert.deepEqual(hostOverride(hosts, 'v6.test', 80), { host: '::1', port: 8080 });
  assert.equal(hostOverride(hosts, 'test', 80), undefined);
});

test('no dns: no lookup of our own', () => {
  assert.equal(makeLookup(undefined), undefined);
});

test('answers in the form Node asks for; the policy filters what the resolver returns', async () => {
  const lookup = makeLookup({ ttlMs: null, select: 'first', policy: 'onlyIPv4' })!;
  assert.deepEqual(await ask(lookup, 'localhost', true), [{ address: '127.0.0.1', family: 4 }]);
  assert.deepEqual(await ask(lookup, 'localhost', false), ['127.0.0.1', 4]);
  const v6only = makeLookup({ ttlMs: 0, select: 'first', policy: 'onlyIPv6' })!;
  // localhost has no IPv6 address here, or ::1: never an IPv4 one.
  const answer = await ask(v6only, 'localhost', false).catch((e: NodeJS.ErrnoException) => e.code);
  assert.ok(typeof answer === 'string' || (Array.isArray(answer) && answer[1] === 6), String(answer));
});
