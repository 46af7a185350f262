// Request params and cookie jars (k6 docs: params, cookiejar, cookies "noCookiesReset"): timeout,
// responseType, jar with a new http.CookieJar(), the VU's jar emptied at each iteration, the
// Response's error / error_code, and a multipart upload with http.file() of a file open()ed as bytes.
import http from 'k6/http';
import { check } from 'k6';

const keep = __ENV.NO_RESET === '1';
export const options = { vus: 1, iterations: 2, noCookiesReset: keep };
const BASE = __ENV.BASE;
const users = open('./data/users.json', 'b');

export default function () {
  const start = http.get(`${BASE}/me`);
  check(start, { 'VU jar at the iteration start': (r) => r.status === (keep && __ITER > 0 ? 200 : 401) });
  http.get(`${BASE}/login`);
  check(http.get(`${BASE}/me`), { 'VU jar holds the login': (r) => r.status === 200 });

  const jar = new http.CookieJar();
  check(http.get(`${BASE}/me`, { jar }), { 'params.jar is used instead of the VU jar': (r) => r.status === 401 });
  jar.set(BASE, 'session', 'abc');
  check(http.get(`${BASE}/me`, { jar }), { 'params.jar sends its cookies': (r) => r.status === 200 && r.body === 'session=abc' });

  const slow = http.get(`${BASE}/slow`, { timeout: '200ms' });
  check(slow, { 'timeout: error and error_code 1050': (r) => r.status === 0 && r.error_code === 1050 && r.error.length > 0 });
  const bin = http.get(`${BASE}/echo?x=1`, { responseType: 'binary' });
  check(bin, {
    'binary: the body is bytes': (r) => r.body instanceof ArrayBuffer && String.fromCharCode(...new Uint8Array(r.body)).includes('"x":"1"'),
    'binary: json() still reads it': (r) => r.json('query.x') === '1',
  });
  const none = http.get(`${BASE}/echo`, { responseType: 'none' });
  check(none, { 'none: status kept, no body': (r) => r.status === 200 && r.body === null });

  // A body object with an http.file() field is sent as multipart/form-data (k6 docs: http.file).
  const upload = http.post(`${BASE}/echo`, { note: 'hi', users: http.file(users, 'users.json', 'application/json') });
  check(upload, {
    'http.file: multipart with the file and the field': (r) =>
      r.json('headers.content-type').startsWith('multipart/form-data; boundary=') &&
      r.json('rawBody').includes('name="users"; filename="users.json"\r\nContent-Type: application/json') &&
      r.json('rawBody').includes('"user":"ann"') &&
      r.json('rawBody').includes('name="note"\r\n\r\nhi'),
  });
}
