// hosts (a name answered by a fixed address) and dns (resolution policy) from k6's options.
import http from 'k6/http';
import { check } from 'k6';

const opts = { vus: 1, iterations: 1, hosts: { 'api.speedguard.test': '127.0.0.1' } };
if (__ENV.POLICY) opts.dns = { ttl: '1m', select: 'first', policy: __ENV.POLICY };
export const options = opts;

export default function () {
  const named = http.get(`http://api.speedguard.test:${__ENV.PORT}/echo`);
  check(named, { 'hosts entry used': (r) => r.status === 200 && r.body === `api.speedguard.test:${__ENV.PORT}` });
  check(http.get(`http://localhost:${__ENV.PORT}/echo`), { 'localhost resolved': (r) => r.status === 200 });
}
