// Digest (RFC 7616, MD5 and SHA-256) and NTLM authentication, credentials in the URL as in k6's
// docs (http-authentication): each challenge costs one more request; a wrong password fails.
import http from 'k6/http';
import { check } from 'k6';

export const options = { vus: 1, iterations: 2 };
const HOST = `127.0.0.1:${__ENV.PORT}`;

export default function () {
  const md5 = http.get(`http://alice:Secret%231@${HOST}/digest/MD5`, { auth: 'digest' });
  check(md5, { 'digest MD5 accepted': (r) => r.status === 200 && r.body === 'welcome alice' });
  const sha = http.post(`http://alice:Secret%231@${HOST}/digest/SHA-256`, 'payload', { auth: 'digest' });
  check(sha, { 'digest SHA-256 accepted': (r) => r.status === 200 });
  const wrong = http.get(`http://alice:nope@${HOST}/digest/MD5`, { auth: 'digest' });
  check(wrong, { 'digest wrong password refused': (r) => r.status === 401 });
  const ntlm = http.get(`http://CORP%5Calice:Secret%231@${HOST}/ntlm`, { auth: 'ntlm' });
  check(ntlm, { 'ntlm accepted': (r) => r.status === 200 && r.body === 'welcome CORP\\alice' });
  const ntlmWrong = http.get(`http://CORP%5Calice:nope@${HOST}/ntlm`, { auth: 'ntlm' });
  check(ntlmWrong, { 'ntlm wrong password refused': (r) => r.status === 401 });
}
