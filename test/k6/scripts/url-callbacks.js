// The http.url tagged template (one name tag for dynamic URLs), expectedStatuses and
// setResponseCallback (k6 docs: url.md, set-response-callback.md).
import http from 'k6/http';
import { check } from 'k6';

http.setResponseCallback(http.expectedStatuses(200, { min: 400, max: 404 }));

export const options = { vus: 1, iterations: 1 };
const BASE = __ENV.BASE;

export default function () {
  for (const id of [1, 2, 3]) {
    const r = http.get(http.url`${BASE}/echo?id=${id}`);
    check(r, { 'url built': (x) => x.json('query.id') === String(id) });
  }
  http.get(`${BASE}/status/404`);
  http.get(`${BASE}/status/404`);
  const strict = http.get(`${BASE}/echo`, { responseCallback: http.expectedStatuses(201) });
  check(strict, { 'still a 200': (x) => x.status === 200 });
}
