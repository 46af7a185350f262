// k6's TLS options → the plan's http.tls: tlsVersion ("tls1.2" or {min, max}), tlsCipherSuites
// (Go's IANA-style names, turned into the OpenSSL names Node takes) and tlsAuth (client
// certificates per domain).
import { PlanError } from '../plan/errors.ts';
import type { TlsVersionName } from '../plan/types.ts';
import type { UserHttp } from '../plan/user-types.ts';

const VERSIONS: Record<string, TlsVersionName> = { 'tls1.0': 'TLSv1', 'tls1.1': 'TLSv1.1', 'tls1.2': 'TLSv1.2', 'tls1.3': 'TLSv1.3' };

// The suites Go (so k6) can be given, by the name k6 takes → the name OpenSSL knows. TLS 1.3 suites
// have one name in both.
const CIPHERS: Record<string, string> = {
  TLS_RSA_WITH_RC4_128_SHA: 'RC4-SHA',
  TLS_RSA_WITH_3DES_EDE_CBC_SHA: 'DES-CBC3-SHA',
  TLS_RSA_WITH_AES_128_CBC_SHA: 'AES128-SHA',
  TLS_RSA_WITH_AES_256_CBC_SHA: 'AES256-SHA',
  TLS_RSA_WITH_AES_128_CBC_SHA256: 'AES128-SHA256',
  TLS_RSA_WITH_AES_128_GCM_SHA256: 'AES128-GCM-SHA256',
  TLS_RSA_WITH_AES_256_GCM_SHA384: 'AES256-GCM-SHA384',
  TLS_ECDHE_ECDSA_WITH_RC4_128_SHA: 'ECDHE-ECDSA-RC4-SHA',
  TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA: 'ECDHE-ECDSA-AES128-SHA',
  TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA: 'ECDHE-ECDSA-AES256-SHA',
  TLS_ECDHE_RSA_WITH_RC4_128_SHA: 'ECDHE-RSA-RC4-SHA',
  TLS_ECDHE_RSA_WITH_3DES_EDE_CBC_SHA: 'ECDHE-RSA-DES-CBC3-SHA',
  TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA: 'ECDHE-RSA-AES128-SHA',
  TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA: 'ECDHE-RSA-AES256-SHA',
  TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256: 'ECDHE-ECDSA-AES128-SHA256',
  TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256: 'ECDHE-RSA-AES128-SHA256',
  TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256: 'ECDHE-RSA-AES128-GCM-SHA256',
  TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256: 'ECDHE-ECDSA-AES128-GCM-SHA256',
  TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384: 'ECDHE-RSA-AES256-GCM-SHA384',
  TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384: 'ECDHE-ECDSA-AES256-GCM-SHA384',
  TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305: 'ECDHE-RSA-CHACHA20-POLY1305',
  TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256: 'ECDHE-RSA-CHACHA20-POLY1305',
  TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305: 'ECDHE-ECDSA-CHACHA20-POLY1305',
  TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256: 'ECDHE-ECDSA-CHACHA20-POLY1305',
  TLS_AES_128_GCM_SHA256: 'TLS_AES_128_GCM_SHA256',
  TLS_AES_256_GCM_SHA384: 'TLS_AES_256_GCM_SHA384',
  TLS_CHACHA20_POLY1305_SHA256: 'TLS_CHACHA20_POLY1305_SHA256',
};

function version(value: unknown, at: string): TlsVersionName {
  const v = VERSIONS[String(value).toLowerCase()];
  if (!v) throw new PlanError(`${JSON.stringify(value)} is not a TLS version k6 knows (tls1.0, tls1.1, tls1.2, tls1.3)`, { path: at });
  return v;
}

interface K6TlsAuth {
  domains?: unknown;
  cert?: unknown;
  key?: unknown;
  password?: unknown;
}

/** Reads tlsVersion, tlsCipherSuites and tlsAuth into `tls`; returns whether one was given. */
export function mapTlsOption(key: string, value: unknown, tls: NonNullable<UserHttp['tls']>): boolean {
  switch (key) {
    case 'tlsVersion':
      if (typeof value === 'string') tls.minVersion = tls.maxVersion = version(value, 'options.tlsVersion');
      else {
        const range = (value ?? {}) as { min?: unknown; max?: unknown };
        if (range.min !== undefined) tls.minVersion = version(range.min, 'options.tlsVersion.min');
        if (range.max !== undefined) tls.maxVersion = version(range.max, 'options.tlsVersion.max');
      }
      return true;
    case 'tlsCipherSuites': {
      const list = Array.isArray(value) ? value.map(String) : [];
      tls.ciphers = list.map((name, i) => {
        const openssl = CIPHERS[name];
        if (!openssl)
          throw new PlanError(`unknown cipher suite "${name}" (k6 takes Go's names, e.g. TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256)`, {
            path: `options.tlsCipherSuites[${i}]`,
          });
        return openssl;
      });
      return true;
    }
    case 'tlsAuth':
      tls.clientCertificates = (Array.isArray(value) ? (value as K6TlsAuth[]) : []).map((a, i) => {
        if (typeof a?.cert !== 'string' || typeof a.key !== 'string')
          throw new PlanError('needs cert and key as PEM text (open() the files)', { path: `options.tlsAuth[${i}]` });
        // k6 sends a certificate without domains to every host.
        const domains = Array.isArray(a.domains) && a.domains.length > 0 ? a.domains.map(String) : ['*'];
        return { domains, cert: a.cert, key: a.key, ...(typeof a.password === 'string' ? { passphrase: a.password } : {}) };
      });
      return true;
    default:
      return false;
  }
}
