// The journey `speedguard convert` is tested on: two scenarios with exec and tags, groups, checks,
// custom metrics, a helper that calls http, forEach with requests, setup()/teardown() with data.
import http from 'k6/http';
import { check, fail, group, sleep } from 'k6';
import { Counter, Rate, Trend } from 'k6/metrics';
import { b64encode } from 'k6/encoding';

export const options = {
  scenarios: {
    browse: { executor: 'per-vu-iterations', vus: 2, iterations: 3, exec: 'browse' },
    buy: { executor: 'shared-iterations', vus: 1, iterations: 2, exec: 'buy', tags: { flow: 'buy' } },
  },
  thresholds: { http_req_failed: ['rate<0.5'], 'checks{check:status 200}': ['rate==1'], items: ['count>0'] },
  discardResponseBodies: false,
  userAgent: 'shop-test/1.0',
};
const BASE = __ENV.BASE;
const items = new Counter('items');
const waiting = new Trend('waiting_ms', true);
const okRate = new Rate('ok_rate');

function fetchPage(path) {
  const res = http.get(`${BASE}${path}`);
  okRate.add(res.status === 200);
  return res;
}

export function setup() {
  const token = http.get(`${BASE}/token`).json('token');
  return { token, auth: b64encode('user:passwd') };
}

export function browse() {
  group('catalog', () => {
    const res = fetchPage('/echo?page=1');
    check(res, {
      'status 200': (r) => r.status === 200,
      'page echoed': (r) => r.json('query.page') === '1',
      'content type': (r) => r.headers['Content-Type'] === 'application/json',
      'body names the verb': (r) => r.body.includes('GET'),
    });
    waiting.add(res.timings.waiting);
    ['a', 'b'].forEach((kind) => {
      http.get(`${BASE}/echo?kind=${kind}`);
      items.add(1, { kind });
    });
  });
  sleep(0.01);
}

export function buy(data) {
  group('checkout', function () {
    const params = { headers: { 'Content-Type': 'application/json' }, tags: { name: 'order' } };
    const res = http.post(`${BASE}/echo`, JSON.stringify({ token: data.token }), params);
    check(res, { 'status 200': (r) => r.status === 200, 'token sent': (r) => r.json('body.token') === 'tok123' });
    const put = http.put(`${BASE}/echo`, 'x');
    const patch = http.patch(`${BASE}/echo`, 'y');
    const del = http.del(`${BASE}/echo`);
    check(del, { 'other verbs': () => [put, patch, del].every((r) => r.status === 200) });
    const basic = http.get(`${BASE}/basic`, { headers: { Authorization: `Basic ${data.auth}` } });
    if (basic.status !== 200) fail('basic auth refused');
    check(basic, { 'basic auth': (r) => r.status === 200 });
  });
}

export function teardown(data) {
  http.post(`${BASE}/teardown`, JSON.stringify(data));
}
