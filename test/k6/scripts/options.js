// k6 options that change how requests are made (k6 docs: options): maxRedirects, userAgent,
// noConnectionReuse, discardResponseBodies, tags and summaryTrendStats.
import http from 'k6/http';
import { check } from 'k6';

export const options = {
  vus: 1,
  iterations: 3,
  maxRedirects: 2,
  userAgent: 'k6-port/1.0',
  noConnectionReuse: true,
  discardResponseBodies: true,
  tags: { team: 'shop' },
  summaryTrendStats: ['min', 'max', 'count'],
  thresholds: { 'http_reqs{team:shop}': ['count==15'], 'checks{team:shop}': ['rate==1'] },
};
const BASE = __ENV.BASE;

export default function () {
  // Three redirects, two allowed: the second redirect's answer is returned (k6 warns and returns it).
  const far = http.get(`${BASE}/redirect/3`);
  check(far, { 'maxRedirects stops the chain': (r) => r.status === 302 && r.url.endsWith('/redirect/1') });
  const sent = http.get(`${BASE}/echo`, { responseType: 'text' });
  check(sent, {
    'userAgent sent': (r) => r.json('headers.user-agent') === 'k6-port/1.0',
    'responseType text keeps this body': (r) => typeof r.body === 'string',
  });
  check(http.get(`${BASE}/echo`), { 'discardResponseBodies: no body': (r) => r.status === 200 && r.body === null });
}
