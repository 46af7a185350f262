import http from 'k6/http';
import { check } from 'k6';
export const options = { vus: 1, iterations: 3 };
export default function () {
  if (__ENV.NEVER_SET) http.get(`${__ENV.BASE}/echo`);
  check(1, { 'one is one': (v) => v === 1 });
}
