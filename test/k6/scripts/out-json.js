// --out json=FILE: every sample in k6's per-sample form (Metric / Point lines).
import http from 'k6/http';
import { check, group } from 'k6';
import { Trend } from 'k6/metrics';

export const options = {
  vus: 2,
  iterations: 300,
  thresholds: { http_req_duration: ['p(95)<5000'], 'http_reqs{name:fast}': ['count>0'] },
};
const custom = new Trend('custom_wait', true);

export default function () {
  group('g', () => {
    const r = http.get(`${__ENV.BASE}/echo`, { tags: { name: 'fast' } });
    check(r, { ok: (x) => x.status === 200 });
    custom.add(r.timings.waiting, { kind: 'a' });
  });
}
