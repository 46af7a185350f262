// http.batch in parallel: 12 slow requests to each of two hosts (k6 docs: batch). The limits come
// from the environment so one script covers k6's defaults and explicit batch/batchPerHost.
import http from 'k6/http';
import { check } from 'k6';

const limits = {};
if (__ENV.BATCH) limits.batch = Number(__ENV.BATCH);
if (__ENV.PER_HOST) limits.batchPerHost = Number(__ENV.PER_HOST);
export const options = { vus: 1, iterations: 1, ...limits };

export default function () {
  const a = `http://127.0.0.1:${__ENV.PORT}/slow`;
  const b = `http://localhost:${__ENV.PORT}/slow`;
  const requests = [];
  for (let i = 0; i < 12; i++) requests.push(['GET', a], ['GET', b]);
  const responses = http.batch(requests);
  check(responses, {
    'all 24 answered in order': (r) => r.length === 24 && r.every((x, i) => x.status === 200 && x.url.includes(i % 2 ? 'localhost' : '127.0.0.1')),
  });
}
