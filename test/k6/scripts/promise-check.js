import http from 'k6/http';
import { check } from 'k6';
export const options = { vus: 1, iterations: 2 };
export default function () {
  const p = http.asyncRequest('GET', `${__ENV.BASE}/echo`);
  check(p, { 'got a promise': (r) => r.status === 200 });
}
