// k6's network options → the plan's http settings: rps (one cap for the whole run), hosts (fixed
// addresses for names) and dns (answer cache, choice among addresses, address-family policy).
import { PlanError } from '../plan/errors.ts';
import type { UserHttp } from '../plan/user-types.ts';

const SELECT = new Set(['first', 'random', 'roundRobin']);
const POLICY = new Set(['preferIPv4', 'preferIPv6', 'onlyIPv4', 'onlyIPv6', 'any']);
const ADDRESS = /^(\d{1,3}(\.\d{1,3}){3}(:\d+)?|[\da-f:]*:[\da-f:]*|\[[\da-f:]+\](:\d+)?)$/i;

/** Reads rps, hosts and dns into `http`; returns whether the key was one of them. */
export function mapNetworkOption(key: string, value: unknown, http: UserHttp, warn: (line: string) => void): boolean {
  switch (key) {
    case 'rps': {
      const n = Number(value);
      if (!Number.isFinite(n) || n < 0)
        throw new PlanError(`must be a number of requests per second (got ${JSON.stringify(value)})`, { path: 'options.rps' });
      // k6: 0 means no cap.
      if (n > 0) http.rps = n;
      return true;
    }
    case 'hosts': {
      const hosts: Record<string, string> = {};
      const skipped: string[] = [];
      for (const [name, address] of Object.entries((value ?? {}) as Record<string, unknown>)) {
        // As k6: "name" or "name:port" → "ip" or "ip:port" ("[v6]:port"); anything else is not an address.
        if (typeof address === 'string' && ADDRESS.test(address) && /^[^:]+(:\d+)?$/.test(name)) hosts[name.toLowerCase()] = address;
        else skipped.push(name);
      }
      if (skipped.length > 0)
        warn(`k6 option hosts: entries that do not map to an IP address (and port) are ignored: ${skipped.join(', ')}`);
      if (Object.keys(hosts).length > 0) http.hosts = hosts;
      return true;
    }
    case 'dns': {
      const d = (value ?? {}) as { ttl?: unknown; select?: unknown; policy?: unknown };
      const dns: NonNullable<UserHttp['dns']> = {};
      if (d.ttl !== undefined) dns.ttl = d.ttl === 'inf' ? 'inf' : (d.ttl as string);
      if (d.select !== undefined) {
        if (!SELECT.has(String(d.select)))
          throw new PlanError(`must be first, random or roundRobin (got ${JSON.stringify(d.select)})`, { path: 'options.dns.select' });
        dns.select = d.select as NonNullable<typeof dns.select>;
      }
      if (d.policy !== undefined) {
        if (!POLICY.has(String(d.policy)))
          throw new PlanError(`must be preferIPv4, preferIPv6, onlyIPv4, onlyIPv6 or any (got ${JSON.stringify(d.policy)})`, {
            path: 'options.dns.policy',
          });
        dns.policy = d.policy as NonNullable<typeof dns.policy>;
      }
      http.dns = dns;
      return true;
    }
    default:
      return false;
  }
}
