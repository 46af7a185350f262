// The four time-based executors side by side (k6 docs: scenarios/executors), each its own exec:
// constant-vus, ramping-vus, constant-arrival-rate and ramping-arrival-rate.
import http from 'k6/http';
import { check, sleep } from 'k6';

export const options = {
  scenarios: {
    steady: { executor: 'constant-vus', vus: 2, duration: '1s', exec: 'browse' },
    ramp: {
      executor: 'ramping-vus',
      startVUs: 0,
      stages: [
        { duration: '500ms', target: 2 },
        { duration: '500ms', target: 0 },
      ],
      gracefulRampDown: '0s',
      exec: 'browse',
    },
    rate: { executor: 'constant-arrival-rate', rate: 20, timeUnit: '1s', duration: '1s', preAllocatedVUs: 4, exec: 'order' },
    rampRate: {
      executor: 'ramping-arrival-rate',
      startRate: 0,
      timeUnit: '1s',
      preAllocatedVUs: 4,
      stages: [{ target: 20, duration: '1s' }],
      exec: 'order',
    },
  },
  thresholds: {
    'iterations{scenario:rate}': ['count==20'],
    'iterations{scenario:rampRate}': ['count==10'],
    'iterations{scenario:steady}': ['count>0'],
    'iterations{scenario:ramp}': ['count>0'],
    checks: ['rate==1'],
  },
};

export function browse() {
  check(http.get(`${__ENV.BASE}/echo`), { 'browse 200': (r) => r.status === 200 });
  sleep(0.1);
}

export function order() {
  check(http.post(`${__ENV.BASE}/echo`, 'o'), { 'order 200': (r) => r.status === 200 });
}
