import http from 'k6/http';
export function setup() {
  throw new Error('no test data');
}
export default function () { http.get(`${__ENV.BASE}/echo`); }
