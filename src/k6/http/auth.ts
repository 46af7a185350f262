// k6's `auth` param with credentials in the URL (http://user:pass@host/…): basic sends them at
// once; digest and NTLM answer the server's 401 challenge with one more request. As in k6, that
// challenge 401s count as expected responses in http_req_failed, and every exchange is a request.
import type { HttpResponse } from '../../engine/http/types.ts';
import { digestAuthorization, digestChallenges } from './digest.ts';
import { ntlmAuthenticate, ntlmNegotiate } from './ntlm.ts';

export interface AuthFlow {
  /** The Authorization header of the first request, if any. */
  first: string | undefined;
  /**
   * The statuses counted as expected for the first exchange, given those of the request (undefined:
   * k6's default 200–399); undefined when the first exchange is judged as any other.
   */
  firstExpected(expected: readonly number[] | undefined): number[] | undefined;
  /** The Authorization header answering the 401 of round 0, 1, …; undefined when there is nothing to answer. */
  answer(res: HttpResponse, round: number, method: string, url: URL, body: Buffer | string | null): string | undefined;
}

const DEFAULT_EXPECTED = Array.from({ length: 200 }, (_, i) => 200 + i);

export function authFlow(kind: string | undefined, user: string, password: string): AuthFlow {
  switch (kind ?? 'basic') {
    case 'basic':
      return {
        first: `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`,
        firstExpected: () => undefined,
        answer: () => undefined,
      };
    case 'digest':
      // As k6: the request goes without credentials, the 401 brings the challenge (only a 401 is
      // expected there), one answer.
      return {
        first: undefined,
        firstExpected: () => [401],
        answer(res, round, method, url, body) {
          const c = round === 0 ? digestChallenges(res.headers['www-authenticate'] ?? '')[0] : undefined;
          return c ? digestAuthorization(c, user, password, method, url.pathname + url.search, body) : undefined;
        },
      };
    case 'ntlm':
      // As k6's NTLM transport: anonymous first (the connection may be authenticated already: a 401
      // or the usual statuses are expected), negotiate when the 401 asks for NTLM, then authenticate
      // with the server's challenge. k6 judges the challenge's 401 by the request's own statuses, so
      // it counts in http_req_failed there too.
      return {
        first: undefined,
        firstExpected: (expected) => [401, ...(expected ?? DEFAULT_EXPECTED)],
        answer(res, round) {
          const asked = res.headers['www-authenticate'] ?? '';
          if (round === 0) return /(^|,\s*)NTLM\b/i.test(asked) ? ntlmNegotiate(user) : undefined;
          return round === 1 ? ntlmAuthenticate(asked, user, password) : undefined;
        },
      };
    default:
      throw new Error(`http: unknown auth "${kind}" (k6 knows basic, digest and ntlm)`);
  }
}
