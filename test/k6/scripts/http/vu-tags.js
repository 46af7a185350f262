// exec.vu.metrics.tags (k6 docs: k6/execution, "tags"): a tag set by the VU marks every sample it
// emits afterwards, so thresholds on sub-metrics by that tag count only those.
import http from 'k6/http';
import exec from 'k6/execution';
import { check } from 'k6';
import { Counter } from 'k6/metrics';

const steps = new Counter('steps');

export const options = {
  vus: 2,
  iterations: 6,
  thresholds: {
    'http_reqs{phase:warm}': ['count==6'],
    'http_reqs{phase:cold}': ['count==6'],
    'checks{phase:warm}': ['rate==1'],
    'steps{phase:warm}': ['count==6'],
    'iterations{phase:warm}': ['count==6'],
    'http_reqs{legacy:yes}': ['count==6'],
  },
};

export default function () {
  exec.vu.metrics.tags.phase = 'cold';
  http.get(`http://127.0.0.1:${__ENV.PORT}/echo`);
  exec.vu.metrics.tags.phase = 'warm';
  exec.vu.tags.legacy = 'yes';
  const res = http.get(`http://127.0.0.1:${__ENV.PORT}/echo`);
  check(res, { 'tag readable': () => exec.vu.metrics.tags.phase === 'warm' && exec.vu.tags.scenario === 'default' });
  steps.add(1);
  delete exec.vu.tags.legacy;
}
