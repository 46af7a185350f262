// Where the HTTP client connects when a plan sets `hosts` or `dns` (k6's options of the same
// names): fixed addresses (and ports) for some names, applied when a connection opens; otherwise
// the system resolver with an answer cache, an address-family policy and a choice among several
// addresses. Without either, the client connects to the URL's host as Node resolves it.
import dns from 'node:dns';
import type { LookupFunction } from 'node:net';
import type { DnsSettings } from '../../plan/types.ts';

type Address = { address: string; family: number };

/** Where a connection to host:port goes instead, from the plan's hosts; undefined when no entry matches. */
export interface DialTarget {
  host: string;
  port: number;
}

function parseAddress(value: string, port: number): DialTarget {
  // "1.2.3.4", "1.2.3.4:8443", "::1", "[::1]:8443"
  const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(value);
  if (bracketed) return { host: bracketed[1]!, port: bracketed[2] ? Number(bracketed[2]) : port };
  const v4 = /^([^:]+):(\d+)$/.exec(value);
  if (v4) return { host: v4[1]!, port: Number(v4[2]) };
  return { host: value, port };
}

/**
 * The plan's hosts entry for a connection: "name:port" first, then "name", then the nearest
 * "*.parent" entry; names compare without case. The value is an address, with or without a port.
 */
export function hostOverride(hosts: Record<string, string> | undefined, hostname: string, port: number): DialTarget | undefined {
  if (!hosts) return undefined;
  const name = hostname.toLowerCase();
  const value = hosts[`${name}:${port}`] ?? hosts[name] ?? wildcard(hosts, name);
  return value === undefined ? undefined : parseAddress(value, port);
}

function wildcard(hosts: Record<string, string>, name: string): string | undefined {
  for (let dot = name.indexOf('.'); dot !== -1; dot = name.indexOf('.', dot + 1)) {
    const v = hosts[`*${name.slice(dot)}`];
    if (v !== undefined) return v;
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

/** A lookup function for net/tls.connect, or undefined when the plan sets no dns. */
export function makeLookup(settings: DnsSettings | undefined): LookupFunction | undefined {
  if (!settings) return undefined;
  const cache = new Map<string, { addresses: Address[]; until: number }>();
  let turn = 0;
  const pick = (list: Address[]): Address => {
    if (list.length === 1 || settings.select === 'first') return list[0]!;
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
