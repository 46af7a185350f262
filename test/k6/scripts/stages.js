// Top-level stages (k6 docs: options, "stages"): a ramping-vus scenario up to 2 VUs and back.
import http from 'k6/http';
import { sleep } from 'k6';

export const options = {
  stages: [
    { duration: '1s', target: 2 },
    { duration: '500ms', target: 0 },
  ],
};

export default function () {
  http.get(`${__ENV.BASE}/echo`);
  sleep(0.1);
}
