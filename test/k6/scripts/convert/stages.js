// Stages and thresholds, a missing page checked, __VU/__ITER and a SharedArray read with open().
import http from 'k6/http';
import { check } from 'k6';
import { SharedArray } from 'k6/data';

export const options = {
  stages: [
    { duration: '1s', target: 2 },
    { duration: '1s', target: 0 },
  ],
  thresholds: { http_req_duration: ['p(95)<5000'], checks: ['rate>0.4'] },
};
const users = new SharedArray('users', () => JSON.parse(open('../data/users.json')));

export default function () {
  const user = users[(__VU + __ITER) % users.length];
  const ok = http.get(`${__ENV.BASE}/echo?user=${user.user}`);
  const missing = http.get(`${__ENV.BASE}/status/404`);
  check(ok, { 'user echoed': (r) => r.json('query.user') === user.user });
  check(missing, { 'missing is 404': (r) => r.status === 404, 'missing is 200': (r) => r.status === 200 });
}
