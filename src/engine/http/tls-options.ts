// The TLS settings of a plan (versions, cipher suites, client certificates) as the options of
// one tls.connect() to one host.
import type { ConnectionOptions } from 'node:tls';
import type { TlsSettings } from '../../plan/types.ts';

/** The client certificate for a host: the first whose domain is the host or a parent of it ("*": any host). */
function certificateFor(tls: TlsSettings, host: string): NonNullable<TlsSettings['clientCertificates']>[number] | undefined {
  const h = host.toLowerCase();
  return tls.clientCertificates?.find((c) =>
    c.domains.some((d) => {
      const domain = d.toLowerCase().replace(/^\*\./, '');
      return domain === '*' || h === domain || h.endsWith(`.${domain}`);
    }),
  );
}

export function tlsConnectOptions(tls: TlsSettings, host: string): ConnectionOptions {
  const out: ConnectionOptions = {};
  if (tls.minVersion) out.minVersion = tls.minVersion;
  if (tls.maxVersion) out.maxVersion = tls.maxVersion;
  if (tls.ciphers) out.ciphers = tls.ciphers.join(':');
  const cert = certificateFor(tls, host);
  if (cert) {
    out.cert = cert.cert;
    out.key = cert.key;
    if (cert.passphrase !== undefined) out.passphrase = cert.passphrase;
  }
  return out;
}
