// rps: one cap on requests per second for the whole test, whatever the number of VUs.
import http from 'k6/http';

export const options = { vus: 4, iterations: 24, rps: 20 };

export default function () {
  http.get(`http://127.0.0.1:${__ENV.PORT}/tick`);
}
