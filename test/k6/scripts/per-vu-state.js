// Module-level state and init code are per VU, as in k6 (each VU has its own runtime).
import http from 'k6/http';
import { check } from 'k6';
import { SharedArray } from 'k6/data';
import { nextCall } from './lib/counter.js';

const users = new SharedArray('users', () => JSON.parse(open('./data/users.json')));
const me = __VU;
const user = users[(__VU - 1) % users.length];
let token = null;

export const options = {
  scenarios: { each: { executor: 'per-vu-iterations', vus: 3, iterations: 3 } },
};

export default function () {
  if (token === null) token = http.get(`${__ENV.BASE}/token`).json('token') + '-' + __VU;
  check(null, {
    'init ran for this VU': () => me === __VU,
    'per-VU data from init': () => user.user === ['ann', 'bob', 'cy'][__VU - 1],
    'module state is this VU\'s': () => token === `tok123-${__VU}`,
    'helper module state is this VU\'s': () => nextCall() === __ITER + 1,
  });
}
