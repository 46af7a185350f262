// A run long enough to be stopped from outside (Ctrl-C): k6 exits 105 and keeps what was measured.
import http from 'k6/http';
import { check, sleep } from 'k6';

export const options = { vus: 2, duration: '60s' };

export default function () {
  check(http.get(`${__ENV.BASE}/echo`), { 'status 200': (r) => r.status === 200 });
  sleep(0.05);
}
