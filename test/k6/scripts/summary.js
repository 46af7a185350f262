// handleSummary (k6 docs: end-of-test/custom-summary.md).
import http from 'k6/http';
import { check, group } from 'k6';

export const options = { vus: 1, iterations: 3, thresholds: { http_req_duration: ['p(95)<5000'] } };
const BASE = __ENV.BASE;

export default function () {
  group('g', () => {
    check(http.get(`${BASE}/echo`), { 'status 200': (r) => r.status === 200 });
  });
}

export function handleSummary(data) {
  const checks = data.root_group.groups[0].checks[0];
  const line = `reqs=${data.metrics.http_reqs.values.count} passes=${checks.passes} path=${checks.path} ok=${data.metrics.http_req_duration.thresholds['p(95)<5000'].ok}\n`;
  return { stdout: line, [__ENV.OUT]: JSON.stringify(data) };
}
