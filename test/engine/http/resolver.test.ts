// The lookup the client uses when a plan sets hosts or dns: fixed addresses (exact and wildcard
// names), the address-family policy, and answers in the form Node asks for.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { LookupFunction } from 'node:net';
import { hostOverride, makeLookup } from '../../../src/engine/http/resolver.ts';

function ask(lookup: LookupFunction, name: string, all: boolean): Promise<unknown> {
  return new Promise((resolve, reject) =>
    lookup(name, { all }, (err, address, family) => (err ? reject(err) : resolve(all ? address : [address, family]))),
  );
}

test('hosts: exact names first, then the nearest *.parent entry; case does not matter', () => {
  const hosts = { 'api.test': '127.0.0.2', '*.test': '127.0.0.3', '*.deep.test': '127.0.0.4' };
  assert.equal(hostOverride(hosts, 'API.test'), '127.0.0.2');
  assert.equal(hostOverride(hosts, 'web.test'), '127.0.0.3');
  assert.equal(hostOverride(hosts, 'a.b.deep.test'), '127.0.0.4');
  assert.equal(hostOverride(hosts, 'test'), undefined);
});

test('no hosts and no dns: no lookup of our own', () => {
  assert.equal(makeLookup(undefined, undefined), undefined);
});

test('a fixed address answers either form; the policy filters what the resolver returns', async () => {
  const lookup = makeLookup({ 'api.test': '127.0.0.1' }, { ttlMs: null, select: 'first', policy: 'onlyIPv4' })!;
  assert.deepEqual(await ask(lookup, 'api.test', true), [{ address: '127.0.0.1', family: 4 }]);
  assert.deepEqual(await ask(lookup, 'api.test', false), ['127.0.0.1', 4]);
  assert.deepEqual(await ask(lookup, 'localhost', false), ['127.0.0.1', 4]);
  const v6only = makeLookup(undefined, { ttlMs: 0, select: 'first', policy: 'onlyIPv6' })!;
  // localhost has no IPv6 address here, or ::1: never an IPv4 one.
  const answer = await ask(v6only, 'localhost', false).catch((e: NodeJS.ErrnoException) => e.code);
  assert.ok(typeof answer === 'string' || (Array.isArray(answer) && answer[1] === 6), String(answer));
});
