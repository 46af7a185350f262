import http from 'k6/http';
import exec from 'k6/execution';

export const options = { vus: 1, iterations: 2 };

export default function () {
  http.get(`${__ENV.BASE}/echo`);
  exec.test.fail('marked failed');
}
