// Helper functions calling http, from group, forEach, map and try/catch, across a local module.
import { check, group } from 'k6';
import { login, fetchAll } from './lib/api.js';

export const options = { vus: 1, iterations: 2 };
const BASE = __ENV.BASE;

export default function () {
  group('login', () => {
    check(login(BASE), { 'logged in': (r) => r.status === 200 });
  });
  const pages = fetchAll(BASE, ['a', 'b', 'c']);
  check(pages, { 'map gave responses': (p) => p.length === 3 && p.every((r) => r.status === 200) });
  let caught = '';
  try {
    fetchAll(BASE, ['boom']);
  } catch (e) {
    caught = e.message;
  }
  check(caught, { 'error from a helper is caught': (m) => m === 'bad status 500' });
}
