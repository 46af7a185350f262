// handleSummary(data).setup_data is what setup() returned (k6 puts it there).
import http from 'k6/http';

export const options = { vus: 1, iterations: 2 };

export function setup() {
  return { token: http.get(`${__ENV.BASE}/token`).json('token'), users: [1, 2, 3] };
}

export default function (data) {
  http.get(`${__ENV.BASE}/echo?t=${data.token}`);
}

export function handleSummary(data) {
  return { stdout: `setup_data=${JSON.stringify(data.setup_data)} reqs=${data.metrics.http_reqs.values.count}\n` };
}
