// setupTimeout: a setup() that outlives it stops the test with k6's exit 100.
import http from 'k6/http';
import { sleep } from 'k6';

export const options = { vus: 1, iterations: 2, setupTimeout: '1s' };

export function setup() {
  http.get(`${__ENV.BASE}/token`);
  sleep(5);
  return { never: true };
}

export default function () {
  http.get(`${__ENV.BASE}/echo`);
}
