// Name resolution for the HTTP client when a plan sets `hosts` or `dns` (k6's options of the same
// names): fixed addresses for some names, then the system resolver with an answer cache, an
// address-family policy and a choice among several addresses. Without either, the client leaves
// `lookup` unset and Node resolves as usual.
import dns from 'node:dns';
import net, { type LookupFunction } from 'node:net';
import type { DnsSettings } from '../../plan/types.ts';

type Address = { address: string; family: number };

/** The fixed address of a host name: an exact entry, else the nearest "*.parent" entry. */
export function hostOverride(hosts: Record<string, string> | undefined, hostname: string): string | undefined {
  if (!hosts) return undefined;
  const name = hostname.toLowerCase();
  if (hosts[name] !== undefined) return hosts[name];
  for (let dot = name.indexOf('.'); dot !== -1; dot = name.indexOf('.', dot + 1)) {
    const wild = hosts[`*${name.slice(dot)}`];
    if (wild !== undefined) return wild;
  }
  return undefined;
}

function lookupOptions(policy: DnsSettings['policy']): dns.LookupAllOptions {
  switch (policy) {
    case 'onlyIPv4':
      return { all: true, family: 4 };
    case 'onlyIPv6':
      return { all: true, family: 6 };
    case 'preferIPv4':
      return { all: true, order: 'ipv4first' };
    case 'preferIPv6':
      return { all: true, order: 'ipv6first' };
    default:
      return { all: true, order: 'verbatim' };
  }
}

/** A lookup function for net/tls.connect, or undefined when neither setting is given. */
export function makeLookup(hosts: Record<string, string> | undefined, settings: DnsSettings | undefined): LookupFunction | undefined {
  if (!hosts && !settings) return undefined;
  const cache = new Map<string, { addresses: Address[]; until: number }>();
  let turn = 0;
  const pick = (list: Address[]): Address => {
    if (list.length === 1 || !settings || settings.select === 'first') return list[0]!;
    if (settings.select === 'random') return list[Math.floor(Math.random() * list.length)]!;
    return list[turn++ % list.length]!;
  };
  return (hostname, options, callback) => {
    // Node asks for every address (autoSelectFamily) or for one: answer in the form asked.
    const answer = (list: Address[]) => {
      const one = pick(list);
      if (options.all) callback(null, [one]);
      else callback(null, one.address, one.family);
    };
    const fixed = hostOverride(hosts, hostname);
    if (fixed !== undefined) return answer([{ address: fixed, family: net.isIP(fixed) }]);
    if (!settings) return dns.lookup(hostname, options, callback as never);
    const hit = cache.get(hostname);
    if (hit && performance.now() < hit.until) return answer(hit.addresses);
    dns.lookup(hostname, lookupOptions(settings.policy), (err, addresses) => {
      if (err) return callback(err, '', 0);
      if (addresses.length === 0) {
        const none = Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND', hostname });
        return callback(none, '', 0);
      }
      if (settings.ttlMs !== 0)
        cache.set(hostname, { addresses, until: settings.ttlMs === null ? Infinity : performance.now() + settings.ttlMs });
      answer(addresses);
    });
  };
}
