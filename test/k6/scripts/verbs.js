// The HTTP verbs, shaped like k6's docs examples (http-requests.md).
import http from 'k6/http';
import { check } from 'k6';

export const options = { vus: 1, iterations: 2 };
const BASE = __ENV.BASE;

export default function () {
  const params = { headers: { 'Content-Type': 'application/json' } };
  const payload = JSON.stringify({ name: 'lorem', surname: 'ipsum' });
  const responses = [
    http.get(`${BASE}/echo?x=1`),
    http.post(`${BASE}/echo`, payload, params),
    http.put(`${BASE}/echo`, payload, params),
    http.patch(`${BASE}/echo`, payload, params),
    http.del(`${BASE}/echo`, null, params),
    http.options(`${BASE}/echo`),
    http.request('PURGE', `${BASE}/echo`),
  ];
  const methods = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'PURGE'];
  responses.forEach((res, i) => {
    check(res, { [`${methods[i]} echoed`]: (r) => r.json('method') === methods[i] });
  });
  check(responses[1], {
    'json body sent': (r) => r.json('body.name') === 'lorem',
    'header canonical': (r) => r.headers['Content-Type'] === 'application/json',
    'timings present': (r) => r.timings.duration >= 0 && r.timings.waiting >= 0,
    'proto': (r) => r.proto === 'HTTP/1.1' && r.status_text === '200 OK',
  });
  const head = http.head(`${BASE}/echo`);
  check(head, { 'HEAD has no body': (r) => r.status === 200 && !r.body });
  const form = http.post(`${BASE}/echo`, { a: '1', b: 'two words' });
  check(form, { 'object body is a form': (r) => r.json('rawBody') === 'a=1&b=two+words' });
  html();
}

export function html() {
  const res = http.get(`${BASE}/page`);
  const doc = res.html();
  check(doc, {
    'title via find': (d) => d.find('title').text() === 'Shop',
    'links counted': (d) => d.find('a').size() === 2,
    'attribute read': (d) => d.find('a').first().attr('href') === '/echo?from=link',
  });
  check(res.clickLink(), { 'clickLink followed': (r) => r.json('query.from') === 'link' });
  const sent = res.submitForm({ fields: { extra: 'x' }, submitSelector: 'input[type=submit]' });
  check(sent, { 'submitForm posted the form': (r) => r.json('method') === 'POST' && r.json('rawBody') === 'q=shoes&go=Search&extra=x' });
}
