// A threshold with abortOnFail stops the test as soon as it fails (k6 docs: thresholds, "Abort a test
// when a threshold is crossed"); k6 exits 99.
import http from 'k6/http';
import { sleep } from 'k6';

export const options = {
  vus: 1,
  duration: '60s',
  thresholds: { http_req_failed: [{ threshold: 'rate<0.5', abortOnFail: true }] },
};

export default function () {
  http.get(`${__ENV.BASE}/status/500`);
  sleep(0.05);
}
