// HTTP Digest access authentication (RFC 7616, and RFC 2617/2069 servers): the Authorization
// header answering a server's challenge. Written here rather than taken from npm: the maintained
// client packages (digest-header and those built on it) compute MD5 only and ignore the
// challenge's `algorithm`, so they cannot answer an RFC 7616 server asking for SHA-256.
import { createHash, randomBytes } from 'node:crypto';

export interface DigestChallenge {
  realm: string;
  nonce: string;
  opaque?: string;
  qop?: string;
  algorithm?: string;
  userhash?: string;
}

const HASHES: Record<string, string> = { MD5: 'md5', 'SHA-256': 'sha256', 'SHA-512-256': 'sha512-256' };

/** The challenge parameters: `key=value` or `key="quoted, value"` pairs. */
function params(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  const re = /([\w-]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s,]*))/g;
  for (let m = re.exec(text); m !== null; m = re.exec(text))
    out[m[1]!.toLowerCase()] = m[2] !== undefined ? m[2].replace(/\\(.)/g, '$1') : m[3]!;
  return out;
}

/**
 * The Digest challenges in WWW-Authenticate (several headers arrive joined with ", "), strongest
 * first: a server may offer SHA-256 and MD5 side by side (RFC 7616 §3.7).
 */
export function digestChallenges(header: string): DigestChallenge[] {
  const parts = header.split(/(?:^|,)\s*(?=(?:Digest|Basic|Bearer|NTLM|Negotiate)(?:\s|$))/i);
  const out: DigestChallenge[] = [];
  for (const part of parts) {
    if (!/^Digest\s/i.test(part)) continue;
    const p = params(part.slice(6));
    if (p.realm === undefined || p.nonce === undefined) continue;
    const algorithm = (p.algorithm ?? 'MD5').toUpperCase();
    if (!HASHES[algorithm.replace(/-SESS$/, '')]) continue;
    out.push({ ...p, realm: p.realm, nonce: p.nonce, algorithm });
  }
  const rank = (c: DigestChallenge) => (c.algorithm!.startsWith('MD5') ? 1 : 0);
  return out.sort((a, b) => rank(a) - rank(b));
}

function quote(s: string): string {
  return `"${s.replace(/["\\]/g, '\\$&')}"`;
}

/** The Authorization header for one request answering `c` (nc 1: each answer uses a fresh challenge). */
export function digestAuthorization(
  c: DigestChallenge,
  user: string,
  password: string,
  method: string,
  uri: string,
  body: Buffer | string | null,
  cnonce = randomBytes(16).toString('hex'),
): string {
  const algorithm = c.algorithm ?? 'MD5';
  const session = algorithm.endsWith('-SESS');
  const hashName = HASHES[algorithm.replace(/-SESS$/, '')]!;
  const H = (s: string | Buffer) => createHash(hashName).update(s).digest('hex');
  const nc = '00000001';
  const offered = (c.qop ?? '').split(',').map((q) => q.trim());
  const qop = offered.includes('auth') ? 'auth' : offered.includes('auth-int') ? 'auth-int' : '';
  let ha1 = H(`${user}:${c.realm}:${password}`);
  if (session) ha1 = H(`${ha1}:${c.nonce}:${cnonce}`);
  const ha2 = qop === 'auth-int' ? H(`${method}:${uri}:${H(body ?? '')}`) : H(`${method}:${uri}`);
  const response = qop ? H(`${ha1}:${c.nonce}:${nc}:${cnonce}:${qop}:${ha2}`) : H(`${ha1}:${c.nonce}:${ha2}`);
  const userhash = c.userhash?.toLowerCase() === 'true';
  const fields = [
    `username=${quote(userhash ? H(`${user}:${c.realm}`) : user)}`,
    `realm=${quote(c.realm)}`,
    `nonce=${quote(c.nonce)}`,
    `uri=${quote(uri)}`,
    `algorithm=${algorithm}`,
    `response=${quote(response)}`,
  ];
  if (c.opaque !== undefined) fields.push(`opaque=${quote(c.opaque)}`);
  if (qop) fields.push(`qop=${qop}`, `nc=${nc}`, `cnonce=${quote(cnonce)}`);
  if (userhash) fields.push('userhash=true');
  return `Digest ${fields.join(', ')}`;
}
