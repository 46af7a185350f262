// Messages on stderr quote what the user typed — a URL, a header line, an env pair, a connection
// string, a plan field — most often because it was wrong. They are redacted like records
// (redact.ts's value rules) plus two rules for message text. And the literal values this
// invocation marks secret here (a credential-named -e value, header, query or body field, plan env,
// a URL password) are scrubbed by redactText from then on, in messages and records alike, so a
// secret echoed bare ("bad key Zq…") is caught too. The CLI sends every stderr write through
// redactMessage (cli/redacted-stderr.ts).
import type { Plan, Step } from '../plan/types.ts';
import { isSecretName, REDACTED, redactText, rememberSecret, secretValuesIn } from './redact.ts';

function rememberFoundIn(text: string): void {
  for (const v of secretValuesIn(text)) rememberSecret(v);
}

const ENV_FLAGS = new Set(['-e', '--env']);
const HEADER_FLAGS = new Set(['-H', '--header']);

/** The secret values on the command line: -e/--env, -H/--header, URLs, --db, --body, any name=value. */
export function rememberArgvSecrets(argv: readonly string[]): void {
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    rememberFoundIn(a);
    const eq = /^(--env|--header)=(.*)$/s.exec(a);
    const flag = eq ? eq[1]! : a;
    const value = eq ? eq[2]! : argv[i + 1];
    if (value === undefined) continue;
    if (ENV_FLAGS.has(flag)) {
      const m = /^([^=\s]+)\s*=(.*)$/s.exec(value) ?? /^(\S+)\s+(.*)$/s.exec(value);
      if (m && isSecretName(m[1]!)) rememberSecret(m[2]);
    } else if (HEADER_FLAGS.has(flag)) {
      // "Name: value", and the malformed "Name value" a message would echo.
      const m = /^([^:\s]+)\s*:?\s*(.*)$/s.exec(value);
      if (m && isSecretName(m[1]!)) rememberSecret(m[2]);
    }
  }
}

function rememberSteps(steps: Step[]): void {
  for (const s of steps) {
    if (s.kind === 'group') rememberSteps(s.steps);
    if (s.kind !== 'request') continue;
    rememberFoundIn(s.url);
    if (s.body !== null) rememberFoundIn(s.body);
    for (const [name, v] of Object.entries(s.headers)) {
      if (isSecretName(name)) rememberSecret(v);
      rememberFoundIn(v);
    }
  }
}

function rememberNamed(map: Record<string, string>): void {
  for (const [name, v] of Object.entries(map)) {
    if (isSecretName(name)) rememberSecret(v);
    rememberFoundIn(v);
  }
}

/** The secret values of a loaded plan: credential-named headers and env, URL passwords, body fields, the probe's password. */
export function rememberPlanSecrets(plan: Plan): void {
  rememberNamed(plan.env);
  for (const s of Object.values(plan.scenarios)) {
    rememberNamed(s.env);
    if (s.flow) rememberSteps(s.flow);
  }
  if (plan.target) rememberFoundIn(plan.target);
  if (plan.probes?.postgres) rememberFoundIn(plan.probes.postgres);
}

const NAME = String.raw`[A-Za-z_][A-Za-z0-9_.\-]*`;
// A quoted "Name value", "Name: value" or "Name=value" (an echoed header line or env pair).
const QUOTED = new RegExp(String.raw`"(${NAME})([\s:=]+)((?:[^"\\]|\\.)+)"`, 'g');
// A header line on its own line (--http-debug): "x-session-token: value".
const HEADER_LINE = /^([\s<>]*)([!#$%&'*+.^_`|~0-9A-Za-z-]+)(\s*:[ \t]*)(\S[^\r\n]*)$/gm;

/** One message (or a chunk of stderr) with its secrets scrubbed. */
export function redactMessage(text: string): string {
  if (text.length === 0) return text;
  let out = redactText(text);
  if (out.includes('"')) {
    out = out.replace(QUOTED, (m, name: string, sep: string, value: string) =>
      isSecretName(name) && value !== REDACTED ? `"${name}${sep}${REDACTED}"` : m,
    );
  }
  if (out.includes(':')) {
    out = out.replace(HEADER_LINE, (m, pre: string, name: string, sep: string, value: string) =>
      isSecretName(name) && value !== REDACTED ? `${pre}${name}${sep}${REDACTED}` : m,
    );
  }
  return out;
}
