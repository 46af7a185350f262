// What has no native speedguard equivalent: each line is named by `speedguard convert`.
import http from 'k6/http';
import { check, randomSeed } from 'k6';
import exec from 'k6/execution';

export const options = { vus: 1, iterations: 1, maxRedirects: 3 };
randomSeed(7);

export default function () {
  const jar = http.cookieJar();
  const res = http.get(`${__ENV.BASE}/redirect/2`, { redirects: 0, tags: { name: 'r' } });
  check(res, { 'has cookies': (r) => Object.keys(r.cookies).length >= 0 });
  if (res.status === 500) exec.test.abort('down');
}

export function handleSummary(data) {
  return { stdout: JSON.stringify(data) };
}
