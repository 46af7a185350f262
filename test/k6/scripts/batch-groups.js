// http.batch and nested groups (k6 docs: batch.md, groups).
import http from 'k6/http';
import { check, group } from 'k6';

export const options = { vus: 1, iterations: 2 };
const BASE = __ENV.BASE;

export default function () {
  group('shop', function () {
    group('browse', function () {
      const list = http.batch([`${BASE}/echo?p=1`, ['GET', `${BASE}/echo?p=2`], { method: 'POST', url: `${BASE}/echo`, body: 'x' }]);
      check(list, { 'three answers': (l) => l.length === 3 && l.every((r) => r.status === 200) });
      const named = http.batch({ a: `${BASE}/echo?n=a`, b: ['GET', `${BASE}/echo?n=b`] });
      check(named, { 'named answers': (o) => o.a.json('query.n') === 'a' && o.b.json('query.n') === 'b' });
    });
    group('buy', function () {
      check(http.post(`${BASE}/echo`, 'order'), { 'ordered': (r) => r.status === 200 });
    });
  });
  check(null, { 'root check': () => true });
}
