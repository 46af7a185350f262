// A local https server for the TLS options: a self-signed RSA certificate for localhost made with
// openssl for the test, client certificates requested (and trusted when they are the test's own),
// and what each handshake negotiated, recorded.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TLSSocket } from 'node:tls';

export interface Handshake {
  protocol: string | null;
  cipher: string;
  /** The client sent the trusted test certificate. */
  clientCert: boolean;
}

export interface TlsTestServer {
  port: number;
  /** PEM files of the client certificate the server trusts. */
  clientCert: string;
  clientKey: string;
  seen: Handshake[];
  close(): Promise<void>;
}

function selfSigned(dir: string, name: string, subjectAltName: string): { cert: string; key: string } {
  const cert = join(dir, `${name}.crt`);
  const key = join(dir, `${name}.key`);
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-days',
      '2',
      '-subj',
      `/CN=${name}`,
      '-addext',
      `subjectAltName=${subjectAltName}`,
      '-keyout',
      key,
      '-out',
      cert,
    ],
    { stdio: 'ignore' },
  );
  return { cert, key };
}

export async function startTlsServer(): Promise<TlsTestServer> {
  const dir = mkdtempSync(join(tmpdir(), 'k6-tls-'));
  const server = selfSigned(dir, 'localhost', 'DNS:localhost,IP:127.0.0.1');
  const client = selfSigned(dir, 'speedguard-client', 'DNS:client');
  const seen: Handshake[] = [];
  const https: Server = createServer(
    {
      cert: readFileSync(server.cert),
      key: readFileSync(server.key),
      ca: readFileSync(client.cert),
      requestCert: true,
      rejectUnauthorized: false,
    },
    (req, res) => {
      const socket = req.socket as TLSSocket;
      seen.push({ protocol: socket.getProtocol(), cipher: socket.getCipher().name, clientCert: socket.authorized });
      res.end('secure');
    },
  );
  await new Promise<void>((resolve) => https.listen(0, '127.0.0.1', resolve));
  return {
    port: (https.address() as AddressInfo).port,
    clientCert: client.cert,
    clientKey: client.key,
    seen,
    close: () =>
      new Promise<void>((resolve) => {
        https.closeAllConnections();
        https.close(() => resolve());
      }),
  };
}
