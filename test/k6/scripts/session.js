// Cookies, redirects and basic auth (k6 docs: cookies.md, http-authentication.md).
import http from 'k6/http';
import { check, group } from 'k6';

export const options = { vus: 2, iterations: 4 };
const BASE = __ENV.BASE;
const HOST = BASE.replace('http://', '');

export default function () {
  group('cookies', function () {
    http.get(`${BASE}/login`);
    check(http.get(`${BASE}/me`), { 'jar sends the session': (r) => r.status === 200 });
    const jar = http.cookieJar();
    check(jar.cookiesForURL(`${BASE}/me`), { 'jar holds it': (c) => c.session[0] === 'abc' });
    jar.set(BASE, 'theme', 'dark');
    check(http.get(`${BASE}/me`), { 'jar.set cookie sent': (r) => r.body.includes('theme=dark') });
    const own = http.get(`${BASE}/me`, { cookies: { session: { value: 'other', replace: true } } });
    check(own, { 'replace: true overrides the jar': (r) => r.status === 401 && r.body.includes('session=other') });
    const res = http.get(`${BASE}/login`);
    check(res, { 'response cookies': (r) => r.cookies.session[0].value === 'abc' });
  });
  group('redirects', function () {
    const r = http.get(`${BASE}/redirect/3`);
    check(r, { 'followed to the end': (x) => x.status === 200 && x.url.endsWith('/redirect/0') });
    const stopped = http.get(`${BASE}/redirect/3`, { redirects: 0 });
    check(stopped, { 'redirects: 0 stops': (x) => x.status === 302 });
  });
  group('auth', function () {
    const ok = http.get(`http://user:passwd@${HOST}/basic`);
    check(ok, { 'basic auth accepted': (r) => r.status === 200 });
    const bad = http.get(`http://user:wrong@${HOST}/basic`);
    check(bad, { 'wrong password refused': (r) => r.status === 401 && r.error_code === 1401 });
  });
}
