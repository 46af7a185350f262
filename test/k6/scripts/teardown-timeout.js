// teardownTimeout: a teardown() that outlives it exits 101; the load it follows is kept.
import http from 'k6/http';
import { check, sleep } from 'k6';

export const options = { vus: 1, iterations: 3, teardownTimeout: '1s' };

export default function () {
  check(http.get(`${__ENV.BASE}/echo`), { 'status 200': (r) => r.status === 200 });
}

export function teardown() {
  sleep(5);
}
