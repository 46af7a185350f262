// handleSummary with a vendored summary library (k6 docs: end-of-test/custom-summary, "textSummary").
import http from 'k6/http';
import { check, group } from 'k6';
import { textSummary } from './vendor/summary-text.js';

export const options = {
  vus: 1,
  iterations: 2,
  summaryTrendStats: ['avg', 'p(99)', 'count'],
  thresholds: { http_req_duration: ['p(95)<5000'], 'http_reqs{name:missing}': ['count==2'] },
};

export default function () {
  group('shop', () => {
    check(http.get(`${__ENV.BASE}/echo`), { 'status 200': (r) => r.status === 200 });
    check(http.get(`${__ENV.BASE}/status/404`, { tags: { name: 'missing' } }), { 'found': (r) => r.status === 200 });
  });
}

export function handleSummary(data) {
  return { stdout: `${textSummary(data, { indent: ' ', enableColors: false })}\n` };
}
