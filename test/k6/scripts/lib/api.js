import http from 'k6/http';

export function login(base) {
  return http.get(`${base}/login`);
}

function page(base, name) {
  const r = http.get(`${base}/${name === 'boom' ? 'status/500' : 'echo?page=' + name}`);
  if (r.status !== 200) throw new Error(`bad status ${r.status}`);
  return r;
}

export function fetchAll(base, names) {
  const out = names.map((n) => page(base, n));
  names.forEach((n) => { page(base, n); });
  return out;
}
