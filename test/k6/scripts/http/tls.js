// TLS options (k6 docs: options): insecureSkipTLSVerify, tlsVersion, tlsCipherSuites and tlsAuth
// (a client certificate per domain), against a local https server with a self-signed certificate.
// The environment picks the options, so one script covers each case.
import http from 'k6/http';
import { check } from 'k6';

const opts = { vus: 1, iterations: 1 };
if (__ENV.INSECURE) opts.insecureSkipTLSVerify = true;
if (__ENV.TLS_VERSION) opts.tlsVersion = JSON.parse(__ENV.TLS_VERSION);
if (__ENV.CIPHERS) opts.tlsCipherSuites = __ENV.CIPHERS.split(',');
if (__ENV.CERT) opts.tlsAuth = [{ domains: [__ENV.DOMAIN], cert: open(__ENV.CERT), key: open(__ENV.KEY) }];
export const options = opts;

export default function () {
  const res = http.get(`https://localhost:${__ENV.PORT}/`);
  check(res, { 'https answered': (r) => r.status === 200 });
  if (__ENV.EXPECT_VERSION) {
    check(res, {
      'tls_version as asked': (r) => r.tls_version === http[__ENV.EXPECT_VERSION],
      'tls_cipher_suite as asked': (r) => r.tls_cipher_suite === __ENV.EXPECT_CIPHER,
    });
  }
}
