// NTLM authentication (k6's auth: 'ntlm'): the negotiate message goes with the request, the
// server's challenge comes back in a 401, the authenticate message answers it on the same
// connection. The messages are made by httpntlm's NTLM module (NTLMv2 when the server offers
// target info, as Windows servers do).
import { createRequire } from 'node:module';

interface Type2 {
  serverChallenge: Buffer;
  negotiateFlags: number;
}
interface NtlmModule {
  createType1Message(o: { domain?: string; workstation?: string }): string;
  parseType2Message(raw: string, onError: (e: Error) => void): Type2 | null;
  createType3Message(t2: Type2, o: { username: string; password: string; domain?: string; workstation?: string }): string;
}

const ntlm = createRequire(import.meta.url)('httpntlm/ntlm.js') as NtlmModule;

/** k6 takes `DOMAIN\user` (or plain `user`) from the URL's user part. */
function account(user: string): { username: string; domain: string } {
  const i = user.indexOf('\\');
  return i === -1 ? { username: user, domain: '' } : { username: user.slice(i + 1), domain: user.slice(0, i) };
}

export function ntlmNegotiate(user: string): string {
  return ntlm.createType1Message({ domain: account(user).domain, workstation: '' });
}

/** The authenticate message for the challenge in WWW-Authenticate, or undefined if there is none. */
export function ntlmAuthenticate(wwwAuthenticate: string, user: string, password: string): string | undefined {
  const challenge = /(?:^|,\s*)NTLM\s+([A-Za-z0-9+/=]+)/.exec(wwwAuthenticate)?.[1];
  if (!challenge) return undefined;
  let failed = false;
  const t2 = ntlm.parseType2Message(`NTLM ${challenge}`, () => (failed = true));
  if (failed || !t2) return undefined;
  return ntlm.createType3Message(t2, { ...account(user), password, workstation: '' });
}
