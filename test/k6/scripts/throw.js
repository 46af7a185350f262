// The throw option: with `throw: true` a failed request (no response) throws; without, it returns
// a response with error and error_code.
import http from 'k6/http';
import { check } from 'k6';
import { Counter } from 'k6/metrics';

export const options = { vus: 1, iterations: 2, throw: __ENV.THROW === '1' };
const threw = new Counter('threw');

export default function () {
  try {
    const res = http.get(`${__ENV.DEAD}/x`);
    check(res, { 'returned with an error': (r) => r.status === 0 && r.error_code !== 0 });
  } catch (e) {
    threw.add(1);
    check(e, { 'thrown error names the request': (x) => String(x.message).includes('/x') });
  }
}
