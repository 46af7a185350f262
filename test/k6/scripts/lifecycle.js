// setup() data to the default function and teardown() (k6 docs: test-lifecycle.md).
import http from 'k6/http';
import { check } from 'k6';

export const options = { vus: 2, iterations: 4 };
const BASE = __ENV.BASE;

export function setup() {
  const res = http.get(`${BASE}/token`);
  return { token: res.json('token'), vu: __VU };
}

export default function (data) {
  const r = http.get(`${BASE}/echo`, { headers: { Authorization: `Bearer ${data.token}` } });
  check(r, {
    'token from setup': (x) => x.json('headers.authorization') === 'Bearer tok123',
    'setup ran as VU 0': () => data.vu === 0,
    '__VU is 1-based': () => __VU >= 1,
  });
}

export function teardown(data) {
  http.post(`${BASE}/teardown`, JSON.stringify(data));
}
