// Secrets never reach a record, a report or the history (README.md, Output and exit codes). Redaction goes by rule,
// not by a list of examples:
// - a NAME is secret when it looks like a credential: header names, query and form parameters, JSON
//   body keys, env variable names and libpq keywords matching SECRET_NAME (token, secret, password,
//   passwd, pwd, auth, session, key, credential, cookie, csrf, signature, private…);
// - a VALUE is scrubbed wherever it appears in any string: the password of a URL's userinfo in any
//   scheme (https://u:p@h, postgres://u:p@h/db, redis://:p@h), `name=value` and `"name": "value"`
//   pairs whose name is secret, and `Bearer`/`Basic` credentials.
// redactPlan applies the name rule to the plan's maps (headers, env, scenario env) and the value rule
// to every string of it; redactRecord applies the value rule to every string of a finished record,
// so tags, error texts and anything derived from the plan are covered too.
import type { Plan, Step } from '../plan/types.ts';

export const REDACTED = '[REDACTED]';

// Parts of a name, separated by anything but letters/digits or by case changes, are matched whole for
// the short words (key, pwd, sid, pin) so "monkey" or "keepAlive" stay readable; the long words match
// anywhere ("X-Session-Token", "client_secret", "dbPassword").
const SECRET_WORDS = new RegExp(
  [
    ...['token', 'secret', 'passw', 'pwd', 'jwt', 'passphrase', 'passcode', 'auth', 'session', 'credential', 'cookie'],
    ...['csrf', 'xsrf', 'signature', 'private', 'apikey', 'api_key', 'api-key', 'access[-_]?key'],
  ].join('|'),
  'i',
);
// "key" ending a word: apikey, mykey_id, x-key (not keyword, keepAlive).
const KEY_END = /[kK][eE][yY][sS]?(?![a-z])/;
const SECRET_PARTS = new Set(['key', 'pwd', 'pass', 'sid', 'pin', 'sig', 'jwt', 'otp', 'dsn']);

/** True when a header, parameter, body key or variable name looks like it holds a credential. */
export function isSecretName(name: string): boolean {
  if (SECRET_WORDS.test(name) || KEY_END.test(name)) return true;
  const parts = name
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .toLowerCase()
    .split(/[^a-z0-9]+/);
  return parts.some((p) => SECRET_PARTS.has(p) || SECRET_PARTS.has(p.replace(/s$/, '')));
}

const NAME = String.raw`[A-Za-z_][A-Za-z0-9_.\-]*`;
// scheme://user:password@ — the password ends at the last '@' before the host.
const USERINFO = /\b([a-z][a-z0-9+.-]*:\/\/)([^\s/?#@:]*):([^\s/?#]*)@(?=[^\s@/?#]*(?:[/?#\s]|$))/gi;
// name=value in query strings, form bodies, libpq strings, cookies; value ends at & ; , space or quote.
const PAIR = new RegExp(String.raw`(^|[?&;,\s"'{(])(${NAME})(\s*=\s*)('[^']*'|[^&;,\s"'#)}]*)`, 'g');
// "name": "value" (JSON bodies), also with a non-string value.
const JSON_PAIR = new RegExp(String.raw`("(${NAME})"\s*:\s*)("(?:[^"\\]|\\.)*"|[^,{}\[\]\s"]+)`, 'g');
const AUTH_SCHEME = /\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]{8,}/g;

// Literal values this process was told are secret (redact-messages.ts: a credential-named -e value,
// header or plan env, a URL password…): scrubbed wherever they appear, even with no name beside them
// ("cannot log in with Zq…" in a script's error). Shorter ones would scrub ordinary words.
const MIN_LITERAL = 4;
const knownSecrets = new Set<string>();

/** From now on, this exact text is scrubbed by redactText (records, reports, messages). */
export function rememberSecret(value: string | undefined | null): void {
  if (typeof value !== 'string') return;
  const v = value.trim();
  if (v.length >= MIN_LITERAL && v !== REDACTED && !v.includes('${')) knownSecrets.add(v);
}

/** Scrubs secret values from free text: URL passwords, secret name=value and "name": value pairs, bearer tokens, remembered secrets. */
export function redactText(s: string): string {
  if (s.length === 0) return s;
  let out = s;
  for (const v of knownSecrets) if (out.includes(v)) out = out.split(v).join(REDACTED);
  if (out.includes('://')) out = out.replace(USERINFO, (_m, scheme: string, user: string) => `${scheme}${user}:${REDACTED}@`);
  if (out.includes('=')) {
    out = out.replace(PAIR, (m, pre: string, name: string, eq: string, value: string) =>
      isSecretName(name) && value !== '' && value !== REDACTED ? `${pre}${name}${eq}${REDACTED}` : m,
    );
  }
  if (out.includes('":')) {
    out = out.replace(JSON_PAIR, (m, head: string, name: string, value: string) =>
      isSecretName(name) && value !== `"${REDACTED}"` ? `${head}"${REDACTED}"` : m,
    );
  }
  if (/Bearer|Basic/.test(out)) out = out.replace(AUTH_SCHEME, `$1 ${REDACTED}`);
  return out;
}

/** The secret values the value rules find in a text (URL passwords, secret pairs, bearer credentials), unquoted. */
export function secretValuesIn(s: string): string[] {
  const out: string[] = [];
  if (s.includes('://')) for (const m of s.matchAll(USERINFO)) if (m[3]) out.push(m[3]);
  if (s.includes('=')) for (const m of s.matchAll(PAIR)) if (m[4] && isSecretName(m[2]!)) out.push(m[4].replace(/^'(.*)'$/s, '$1'));
  if (s.includes('":')) for (const m of s.matchAll(JSON_PAIR)) if (isSecretName(m[2]!)) out.push(m[3]!.replace(/^"(.*)"$/s, '$1'));
  for (const m of s.matchAll(AUTH_SCHEME)) out.push(m[0].replace(/^(Bearer|Basic)\s+/, ''));
  return out.filter((v) => v !== REDACTED);
}

/** A map whose keys are names (headers, env): secret names lose their value, the rest are scrubbed. */
export function redactNamedValues(map: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(map)) out[k] = isSecretName(k) ? REDACTED : redactText(String(v));
  return out;
}

export const redactHeaders = redactNamedValues;

/** Redacts credentials in a URL's userinfo and query. */
export function redactUrl(u: string): string {
  return redactText(u);
}

/** A request body: JSON keys, form fields and any embedded credential. */
export function redactBody(body: string): string {
  try {
    const parsed: unknown = JSON.parse(body);
    if (parsed !== null && typeof parsed === 'object') return JSON.stringify(redactKeysDeep(parsed));
  } catch {
    // Not JSON (a form, a template, plain text): the text rules cover `name=value` and `"name": value`.
  }
  return redactText(body);
}

function redactKeysDeep(v: unknown): unknown {
  if (typeof v === 'string') return redactText(v);
  if (Array.isArray(v)) return v.map(redactKeysDeep);
  if (v !== null && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) out[k] = isSecretName(k) && x !== null && typeof x !== 'object' ? REDACTED : redactKeysDeep(x);
    return out;
  }
  return v;
}

function redactSteps(steps: Step[]): Step[] {
  return steps.map((s) => {
    if (s.kind === 'request') {
      return { ...s, url: redactUrl(s.url), headers: redactHeaders(s.headers), body: s.body === null ? null : redactBody(s.body) };
    }
    if (s.kind === 'group') return { ...s, steps: redactSteps(s.steps) };
    return s;
  });
}

export function redactPlan(plan: Plan): Plan {
  const scenarios: Plan['scenarios'] = {};
  for (const [name, s] of Object.entries(plan.scenarios)) {
    scenarios[name] = { ...s, env: redactNamedValues(s.env), flow: s.flow ? redactSteps(s.flow) : null };
  }
  const out: Plan = { ...plan, scenarios, env: redactNamedValues(plan.env) };
  // Client certificates keep their (public) certificate; their private key and passphrase go.
  const certs = plan.http.tls?.clientCertificates;
  if (certs) {
    const clientCertificates = certs.map((c) => ({ ...c, key: REDACTED, ...(c.passphrase !== undefined ? { passphrase: REDACTED } : {}) }));
    out.http = { ...plan.http, tls: { ...plan.http.tls, clientCertificates } };
  }
  if (plan.probes) out.probes = { ...plan.probes, ...(plan.probes.postgres ? { postgres: redactText(plan.probes.postgres) } : {}) };
  // Whatever else the plan holds (source, target, tags, thresholds) gets the value rules.
  return redactStrings(out);
}

/**
 * Every string of a finished record through the value rules (tags, error texts, plan-derived text),
 * and every plan in it through redactPlan.
 * Histograms are base64 and never carry text: they are skipped for speed.
 */
export function redactRecord<T>(record: T): T {
  return redactStrings(record);
}

// A record's plan (also a phase's run's plan) gets the name rules too, whoever built the record.
function isPlan(x: unknown): x is Plan {
  return x !== null && typeof x === 'object' && 'scenarios' in x && 'env' in x && 'http' in x;
}

function redactStrings<T>(v: T): T {
  if (typeof v === 'string') return redactText(v) as T;
  if (Array.isArray(v)) return v.map((x) => redactStrings(x)) as T;
  if (v !== null && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v))
      out[redactText(k)] = k === 'histogram' ? x : k === 'plan' && isPlan(x) ? redactPlan(x) : redactStrings(x);
    return out as T;
  }
  return v;
}
