// k6's cookie model on tough-cookie: a jar per VU (http.cookieJar()), the CookieJar class, and the
// `cookies` map of a response (name → list of cookie objects).
import { Cookie, CookieJar as ToughJar } from 'tough-cookie';

export interface K6Cookie {
  name: string;
  value: string;
  domain: string;
  path: string;
  http_only: boolean;
  secure: boolean;
  max_age: number;
  expires: number;
}

function toK6(c: Cookie): K6Cookie {
  const expires = c.expires instanceof Date ? c.expires.getTime() : 0;
  const maxAge = typeof c.maxAge === 'number' ? c.maxAge : 0;
  return {
    name: c.key,
    value: c.value,
    domain: c.domain ?? '',
    path: c.path ?? '/',
    http_only: c.httpOnly,
    secure: c.secure,
    max_age: maxAge,
    expires,
  };
}

export class CookieJar {
  readonly jar = new ToughJar(undefined, { looseMode: true });
  /** Nothing stored yet: requests skip the jar lookup (most load-test traffic has no cookies). */
  private empty = true;

  get isEmpty(): boolean {
    return this.empty;
  }

  /** Every cookie the jar would send to `url`: name → values. */
  cookiesForURL(url: string): Record<string, string[]> {
    const out: Record<string, string[]> = {};
    for (const c of this.jar.getCookiesSync(String(url))) (out[c.key] ??= []).push(c.value);
    return out;
  }

  set(
    url: string,
    name: string,
    value: string,
    opts: { domain?: string; path?: string; expires?: string; max_age?: number; secure?: boolean; http_only?: boolean } = {},
  ): void {
    const c = new Cookie({ key: name, value: String(value) });
    if (opts.domain) c.domain = opts.domain;
    if (opts.path) c.path = opts.path;
    if (opts.expires) c.expires = new Date(opts.expires);
    if (opts.max_age !== undefined) c.maxAge = opts.max_age;
    if (opts.secure) c.secure = true;
    if (opts.http_only) c.httpOnly = true;
    this.jar.setCookieSync(c, String(url), { ignoreError: true });
    this.empty = false;
  }

  clear(url: string): void {
    for (const c of this.jar.getCookiesSync(String(url))) this.delete(url, c.key);
  }

  delete(url: string, name: string): void {
    for (const c of this.jar.getCookiesSync(String(url))) {
      if (c.key !== name) continue;
      const gone = c.clone();
      if (!gone) continue;
      gone.expires = new Date(0);
      this.jar.setCookieSync(gone, String(url), { ignoreError: true });
    }
  }

  /** Stores a response's Set-Cookie lines. */
  store(url: string, setCookie: string[]): void {
    for (const line of setCookie) this.jar.setCookieSync(line, url, { ignoreError: true });
    if (setCookie.length > 0) this.empty = false;
  }

  /** The Cookie header value for a request to `url`. */
  headerFor(url: string): string {
    return this.jar.getCookieStringSync(url);
  }
}

/** A response's Set-Cookie lines as k6's `res.cookies`. */
export function responseCookies(setCookie: string[]): Record<string, K6Cookie[]> {
  const out: Record<string, K6Cookie[]> = {};
  for (const line of setCookie) {
    const c = Cookie.parse(line, { loose: true });
    if (c) (out[c.key] ??= []).push(toK6(c));
  }
  return out;
}
