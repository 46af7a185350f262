// Custom metrics with tags and thresholds on sub-metrics (k6 docs: metrics, thresholds.md).
import http from 'k6/http';
import { check } from 'k6';
import { Counter, Gauge, Rate, Trend } from 'k6/metrics';

const items = new Counter('items_seen');
const waiting = new Trend('waiting_time', true);
const okRate = new Rate('ok_rate');
const lastSize = new Gauge('last_size');
// Declared in init and never added to: k6 passes count<10 on it (no data), and so must speedguard for a k6 script.
new Counter('never_recorded');

export const options = {
  vus: 1,
  iterations: 5,
  thresholds: {
    'items_seen{kind:a}': ['count==10'],
    'items_seen{kind:b}': ['count==5'],
    'http_req_duration{name:fast}': ['p(95)<5000'],
    'http_reqs{name:fast}': ['count==5'],
    ok_rate: ['rate==1'],
    'http_req_failed{name:missing}': ['rate==1'],
    never_recorded: ['count<10'],
  },
};
const BASE = __ENV.BASE;

export default function () {
  const r = http.get(`${BASE}/echo`, { tags: { name: 'fast' } });
  items.add(2, { kind: 'a' });
  items.add(1, { kind: 'b' });
  waiting.add(r.timings.waiting);
  okRate.add(r.status === 200);
  lastSize.add(r.body.length);
  http.get(`${BASE}/status/404`, { tags: { name: 'missing' } });
  check(r, { fine: (x) => x.status === 200 });
}
