// hosts (a name, or a name and port, answered by a fixed address) and dns (resolution policy).
import http from 'k6/http';
import { check } from 'k6';

const opts = {
  vus: 1,
  iterations: 1,
  hosts: { 'api.speedguard.test': '127.0.0.1', 'moved.speedguard.test:8': `127.0.0.1:${__ENV.PORT}` },
};
if (__ENV.POLICY) opts.dns = { ttl: '1m', select: 'first', policy: __ENV.POLICY };
export const options = opts;

export default function () {
  const named = http.get(`http://api.speedguard.test:${__ENV.PORT}/echo`);
  check(named, { 'hosts entry used': (r) => r.status === 200 && r.body === `api.speedguard.test:${__ENV.PORT}` });
  const moved = http.get('http://moved.speedguard.test:8/echo');
  check(moved, { 'name:port entry used': (r) => r.status === 200 && r.body === 'moved.speedguard.test:8' });
  check(http.get(`http://localhost:${__ENV.PORT}/echo`), { 'localhost resolved': (r) => r.status === 200 });
}
