// The compression param (k6 docs: params): the body is compressed and Content-Encoding set; the
// server decompresses and answers what it read.
import http from 'k6/http';
import { check } from 'k6';

export const options = { vus: 1, iterations: 1 };
const URL = `http://127.0.0.1:${__ENV.PORT}/compressed`;
const body = JSON.stringify({ items: Array.from({ length: 200 }, (_, i) => ({ id: i, name: `item ${i}` })) });

export default function () {
  for (const c of ['gzip', 'deflate', 'br', 'gzip, br']) {
    const res = http.post(URL, body, { compression: c, headers: { 'Content-Type': 'application/json' } });
    check(res, {
      [`${c}: decoded as sent`]: (r) => r.status === 200 && r.json('plain') === body && r.json('encoding') === c,
      [`${c}: smaller on the wire`]: (r) => r.json('length') < body.length,
    });
  }
}
