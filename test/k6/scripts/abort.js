import http from 'k6/http';
import exec from 'k6/execution';

export const options = { vus: 1, duration: '20s' };

export default function () {
  const r = http.get(`${__ENV.BASE}/echo`);
  if (__ITER >= 2) exec.test.abort('enough');
}
