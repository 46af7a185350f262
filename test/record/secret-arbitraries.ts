// fast-check generators for the secrets tests: credential-looking names (by the rule's words, with
// prefixes and suffixes users write) and secret values distinctive enough to grep for.
import fc from 'fast-check';

const WORDS = [
  'token',
  'secret',
  'password',
  'passwd',
  'pwd',
  'auth',
  'session',
  'key',
  'credential',
  'cookie',
  'api_key',
  'csrf',
  'signature',
  'apiKey',
  'Private-Token',
  'sessionId',
];
const PREFIXES = ['', 'x-', 'X-', 'client_', 'my', 'db_', 'X-Api-'];
const SUFFIXES = ['', '_id', '-Token', 'Value', '_v2', 's'];

export const secretName = fc
  .tuple(fc.constantFrom(...PREFIXES), fc.constantFrom(...WORDS), fc.constantFrom(...SUFFIXES))
  .map(([p, w, s]) => `${p}${w}${s}`);

/** A value no other text in a run contains: "Zq" + 10–20 letters/digits. */
export const secretValue = fc
  .string({ unit: fc.constantFrom(...'abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789'), minLength: 10, maxLength: 20 })
  .map((s) => `Zq${s}`);

/** Header-safe variant of a name (RFC 7230 token characters only). */
export const headerName = secretName.map((n) => n.replace(/[^A-Za-z0-9-]/g, '-'));
