// minIterationDuration: a short iteration waits out the rest; iteration_duration keeps its own time.
import http from 'k6/http';

export const options = { vus: 1, iterations: 2, minIterationDuration: '1s' };

export default function () {
  http.get(`${__ENV.BASE}/echo`);
}
