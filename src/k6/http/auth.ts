// k6's `auth` param with credentials in the URL (http://user:pass@host/…): basic sends them at
// once; digest and NTLM answer the server's 401 challenge with one more request. As in k6, that
// first 401 counts as an expected response in http_req_failed, and both exchanges are requests.
import type { HttpResponse } from '../../engine/http/types.ts';
import { digestAuthorization, digestChallenges } from './digest.ts';
import { ntlmAuthenticate, ntlmNegotiate } from './ntlm.ts';

export interface AuthFlow {
  /** The Authorization header of the first request, if any. */
  first: string | undefined;
  /** The first response is a challenge (digest, NTLM): 401 is what it should be. */
  challenged: boolean;
  /** The Authorization header answering the first response, or undefined when it is no challenge. */
  answer(res: HttpResponse, method: string, url: URL, body: Buffer | string | null): string | undefined;
}

export function authFlow(kind: string | undefined, user: string, password: string): AuthFlow {
  switch (kind ?? 'basic') {
    case 'basic':
      return { first: `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`, challenged: false, answer: () => undefined };
    case 'digest':
      return {
        first: undefined,
        challenged: true,
        answer(res, method, url, body) {
          const c = digestChallenges(res.headers['www-authenticate'] ?? '')[0];
          return c ? digestAuthorization(c, user, password, method, url.pathname + url.search, body) : undefined;
        },
      };
    case 'ntlm':
      return {
        first: ntlmNegotiate(user),
        challenged: true,
        answer: (res) => ntlmAuthenticate(res.headers['www-authenticate'] ?? '', user, password),
      };
    default:
      throw new Error(`http: unknown auth "${kind}" (k6 knows basic, digest and ntlm)`);
  }
}
