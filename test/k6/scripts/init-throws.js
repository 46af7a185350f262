import http from 'k6/http';
const config = JSON.parse('{not json');
export default function () { http.get(config.url); }
