// Two scenarios with exec, env, tags and startTime, and a SharedArray from a JSON file.
import http from 'k6/http';
import { check, sleep } from 'k6';
import { SharedArray } from 'k6/data';
import exec from 'k6/execution';

const users = new SharedArray('users', function () {
  return JSON.parse(open('./data/users.json'));
});

export const options = {
  scenarios: {
    browse: { executor: 'per-vu-iterations', vus: 2, iterations: 3, exec: 'browse', env: { PAGE: 'home' }, tags: { flow: 'browse' } },
    buy: { executor: 'shared-iterations', vus: 1, iterations: 4, exec: 'buy', startTime: '100ms', tags: { flow: 'buy' } },
  },
  thresholds: {
    'http_reqs{flow:browse}': ['count==6'],
    'http_reqs{scenario:buy}': ['count==4'],
    'checks{scenario:buy}': ['rate==1'],
  },
};
const BASE = __ENV.BASE;
let lastCompleted = -1;

export function browse() {
  const r = http.get(`${BASE}/echo?page=${__ENV.PAGE}`);
  check(r, { 'scenario env': (x) => x.json('query.page') === 'home', 'scenario name': () => exec.scenario.name === 'browse' });
  sleep(0.01);
}

export function buy() {
  const user = users[__ITER % users.length];
  const n = exec.scenario.iterationInTest;
  // One VU runs buy's iterations one after another: each sees its previous one completed.
  const inst = exec.instance;
  check(inst, {
    'exec.instance counts this worker': (i) =>
      i.iterationsCompleted > lastCompleted && i.vusActive >= 1 && i.vusInitialized >= i.vusActive && i.iterationsInterrupted === 0,
  });
  lastCompleted = inst.iterationsCompleted;
  check(n, {
    'iterationInTest is one number per iteration': (x) => x === exec.scenario.iterationInTest && x >= 0 && x < 4,
    'scenario startTime is Unix ms': () => Math.abs(exec.scenario.startTime - Date.now()) < 60_000,
  });
  const r = http.post(`${BASE}/echo`, JSON.stringify(user));
  check(r, { 'user from the shared array': (x) => x.json('body.user') === user.user, 'shared array is read-only': () => Object.isFrozen(users) });
}
