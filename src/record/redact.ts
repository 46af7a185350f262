// Secrets never reach a record, a report or the history: header values of credential headers and
// credential-looking query parameters are replaced before anything is stored or rendered.
import type { Plan, Step } from '../plan/types.ts';

const SECRET_HEADERS = /^(authorization|proxy-authorization|cookie|set-cookie|x-api-key|api-key|x-auth-token|x-access-token)$/i;
const SECRET_PARAMS = /^(token|access_token|api_key|apikey|key|secret|password|passwd|pwd|auth|signature|sig)$/i;
export const REDACTED = '[REDACTED]';

export function redactHeaders(h: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(h)) out[k] = SECRET_HEADERS.test(k) ? REDACTED : v;
  return out;
}

/** Redacts credentials in a URL's userinfo and query; leaves ${} templates readable. */
export function redactUrl(u: string): string {
  let url: URL;
  try {
    url = new URL(u);
  } catch {
    return u.replace(/([?&](?:token|access_token|api_key|apikey|key|secret|password)=)[^&#]*/gi, `$1${REDACTED}`);
  }
  if (url.password) url.password = REDACTED;
  for (const k of [...url.searchParams.keys()]) if (SECRET_PARAMS.test(k)) url.searchParams.set(k, REDACTED);
  return url.toString();
}

function redactSteps(steps: Step[]): Step[] {
  return steps.map((s) => {
    if (s.kind === 'request') return { ...s, url: redactUrl(s.url), headers: redactHeaders(s.headers) };
    if (s.kind === 'group') return { ...s, steps: redactSteps(s.steps) };
    return s;
  });
}

export function redactPlan(plan: Plan): Plan {
  const scenarios: Plan['scenarios'] = {};
  for (const [name, s] of Object.entries(plan.scenarios)) scenarios[name] = { ...s, flow: s.flow ? redactSteps(s.flow) : null };
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(plan.env)) env[k] = /token|secret|password|key|auth/i.test(k) ? REDACTED : v;
  return { ...plan, source: redactUrl(plan.source), scenarios, env };
}
