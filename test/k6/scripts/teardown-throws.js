// A teardown() that throws: k6 exits 107 (script exception); the load before it is kept.
import http from 'k6/http';
export const options = { vus: 1, iterations: 1 };
export default function () { http.get(`${__ENV.BASE}/echo`); }
export function teardown() { throw new Error('boom'); }
