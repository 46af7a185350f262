import http from 'k6/http';
export const options = { scenarios: { ctl: { executor: 'externally-controlled', vus: 1, maxVUs: 2, duration: '2s' } } };
export default function () { http.get(`${__ENV.BASE}/echo`); }
