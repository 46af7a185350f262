// Flow steps (user shape) → typed Step objects, with the checks the schema cannot express:
// relative URLs need a target, body/json exclusive, capture sources, and every ${var} naming
// something that will exist (a capture, a feeder, env, a built-in).

import { DURATION_HINT, DurationError, formatDuration, parseDuration } from './duration.ts';
import type { PathSegment } from './errors.ts';
import { TEMPLATE_BUILTINS, TemplateError, parseTemplate } from './template.ts';
import type { CaptureSource, CheckSpec, RequestStep, Step } from './types.ts';
import type { DurationInput, ScalarMap, UserCapture, UserCheck, UserRequest, UserStep } from './user-types.ts';
import { planError, type SourceContext } from './validate.ts';
import { suggest } from './suggest.ts';
import { checkRequestShape } from './request-check.ts';
import { durationAboveLimit } from './limits.ts';

export interface FlowContext extends SourceContext {
  /** Base URL without trailing slash, if the plan has one. */
  target: string | undefined;
  /** Feeder names (roots of ${feeder.column}). */
  feeders: ReadonlySet<string>;
  /** Each feeder's columns, when its file was read at load: ${feeder.column} must name one. */
  feederColumns?: ReadonlyMap<string, ReadonlySet<string>>;
}

export function stringMap(map: ScalarMap | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (map !== undefined) for (const [key, value] of Object.entries(map)) out[key] = String(value);
  return out;
}

export function durationMs(ctx: SourceContext, value: DurationInput, path: readonly PathSegment[]): number {
  let ms: number;
  try {
    ms = parseDuration(value);
  } catch (error) {
    if (error instanceof DurationError) throw planError(ctx, path, `must be ${DURATION_HINT} (got ${JSON.stringify(value)})`);
    throw error;
  }
  // Longer than a timer can wait, a sleep or timeout would fire at once (Node's TimeoutOverflowWarning).
  const problem = durationAboveLimit(ms, false);
  if (problem) throw planError(ctx, path, problem);
  return ms;
}

interface Collected {
  captures: Set<string>;
  templates: Array<{ source: string; path: PathSegment[] }>;
}

/** Converts a flow and checks its placeholders. `path` is where the flow sits in the input. */
export function convertFlow(ctx: FlowContext, steps: UserStep[], path: PathSegment[]): Step[] {
  const collected: Collected = { captures: new Set(), templates: [] };
  const flow = convertSteps(ctx, steps, path, collected);
  checkPlaceholders(ctx, collected);
  return flow;
}

function convertSteps(ctx: FlowContext, steps: UserStep[], path: PathSegment[], acc: Collected): Step[] {
  return steps.map((step, index): Step => {
    const at = [...path, index];
    if ('request' in step) return convertRequest(ctx, step.request, [...at, 'request'], acc);
    if ('sleep' in step) {
      const sleep = step.sleep;
      if (Array.isArray(sleep)) {
        const minMs = durationMs(ctx, sleep[0], [...at, 'sleep', 0]);
        const maxMs = durationMs(ctx, sleep[1], [...at, 'sleep', 1]);
        if (minMs > maxMs) throw planError(ctx, [...at, 'sleep'], `min (${sleep[0]}) is greater than max (${sleep[1]})`);
        return { kind: 'sleep', minMs, maxMs };
      }
      const ms = durationMs(ctx, sleep, [...at, 'sleep']);
      return { kind: 'sleep', minMs: ms, maxMs: ms };
    }
    const group = step.group;
    return { kind: 'group', name: group.name, steps: convertSteps(ctx, group.steps, [...at, 'group', 'steps'], acc) };
  });
}

const ABSOLUTE = /^[A-Za-z][A-Za-z0-9+.-]*:\/\//;

/** The engine sends no userinfo (encode.ts): found at plan load, not as a failure inside a worker. */
export const CREDENTIALS_IN_URL = 'credentials in the URL (user:password@) are not supported: send an Authorization header instead';

export function hasCredentials(url: string): boolean {
  const u = URL.parse(url);
  return u !== null && (u.username !== '' || u.password !== '');
}

function resolveUrl(ctx: FlowContext, url: string, path: PathSegment[]): string {
  if (ABSOLUTE.test(url)) {
    if (!/^https?:\/\//i.test(url)) throw planError(ctx, path, `only http:// and https:// URLs are supported (got ${JSON.stringify(url)})`);
    if (!url.includes('${') && !URL.canParse(url)) throw planError(ctx, path, `invalid URL ${JSON.stringify(url)}`);
    if (!url.includes('${') && hasCredentials(url)) throw planError(ctx, path, CREDENTIALS_IN_URL);
    return url;
  }
  // A URL that starts with a placeholder (e.g. "${env.BASE}/x") is completed at run time.
  if (url.startsWith('${')) return url;
  if (ctx.target === undefined) {
    throw planError(ctx, path, `relative URL ${JSON.stringify(url)} needs a top-level "target" (or an absolute http(s):// URL)`);
  }
  return ctx.target + (url.startsWith('/') ? url : `/${url}`);
}

function convertRequest(ctx: FlowContext, request: UserRequest, path: PathSegment[], acc: Collected): RequestStep {
  const url = resolveUrl(ctx, request.url, [...path, 'url']);
  acc.templates.push({ source: url, path: [...path, 'url'] });
  const headers = stringMap(request.headers);
  for (const [name, value] of Object.entries(headers)) acc.templates.push({ source: value, path: [...path, 'headers', name] });

  let body: string | null = null;
  if (request.body !== undefined && request.json !== undefined) {
    throw planError(ctx, [...path, 'json'], 'cannot be combined with "body" (give one request body)');
  }
  if (request.body !== undefined) {
    body = request.body;
    acc.templates.push({ source: body, path: [...path, 'body'] });
  } else if (request.json !== undefined) {
    body = JSON.stringify(request.json);
    acc.templates.push({ source: body, path: [...path, 'json'] });
    if (!Object.keys(headers).some((name) => name.toLowerCase() === 'content-type')) {
      headers['content-type'] = 'application/json';
    }
  }

  const capture: Record<string, CaptureSource> = {};
  for (const [name, source] of Object.entries(request.capture ?? {})) {
    capture[name] = convertCapture(ctx, source, [...path, 'capture', name]);
    if (ctx.feeders.has(name) || name === 'env' || (TEMPLATE_BUILTINS as readonly string[]).includes(name)) {
      throw planError(ctx, [...path, 'capture', name], `"${name}" is already the name of a feeder, env or a built-in; pick another`);
    }
    acc.captures.add(name);
  }

  checkRequestShape(ctx, request.method ?? 'GET', headers, path);
  return {
    kind: 'request',
    method: (request.method ?? 'GET').toUpperCase(),
    url,
    headers,
    body,
    name: request.name ?? null,
    tags: stringMap(request.tags),
    checks: (request.checks ?? []).map((check, i) => convertCheck(ctx, check, [...path, 'checks', i])),
    capture,
    expectedStatuses: request.expectedStatuses ?? null,
  };
}

function convertCheck(ctx: FlowContext, check: UserCheck, path: PathSegment[]): CheckSpec {
  const out: CheckSpec = { name: '' };
  const words: string[] = [];
  if (check.status !== undefined) {
    out.status = check.status;
    words.push(Array.isArray(check.status) ? `status in [${check.status.join(', ')}]` : `status is ${check.status}`);
  }
  if (check.bodyIncludes !== undefined) {
    out.bodyIncludes = check.bodyIncludes;
    words.push(`body includes ${JSON.stringify(check.bodyIncludes)}`);
  }
  if (check.headerPresent !== undefined) {
    out.headerPresent = check.headerPresent;
    words.push(`header ${check.headerPresent} present`);
  }
  if (check.maxDuration !== undefined) {
    out.maxDurationMs = durationMs(ctx, check.maxDuration, [...path, 'maxDuration']);
    words.push(`duration <= ${formatDuration(out.maxDurationMs)}`);
  }
  if (words.length === 0) throw planError(ctx, path, 'a check needs at least one of: status, bodyIncludes, headerPresent, maxDuration');
  out.name = check.name ?? words.join(' and ');
  return out;
}

function convertCapture(ctx: FlowContext, source: UserCapture, path: PathSegment[]): CaptureSource {
  const given = (['json', 'header', 'regex'] as const).filter((key) => key in source);
  if (given.length !== 1) throw planError(ctx, path, `needs exactly one of: json, header, regex (got ${given.join(', ') || 'none'})`);
  if ('group' in source && !('regex' in source)) throw planError(ctx, [...path, 'group'], 'only applies to "regex"');
  if ('json' in source) return { json: source.json };
  if ('header' in source) return { header: source.header };
  let groups: number;
  try {
    // Matching the empty alternative reveals how many groups the regex has.
    groups = new RegExp(`${source.regex}|`).exec('')!.length - 1;
  } catch (error) {
    throw planError(ctx, [...path, 'regex'], `invalid regular expression: ${(error as Error).message}`);
  }
  const group = source.group ?? (groups > 0 ? 1 : 0);
  if (group > groups) throw planError(ctx, [...path, 'group'], `the regex has ${groups} group(s), not ${group}`);
  return { regex: source.regex, group };
}

// ${users.emial} with a feeder "users" that has no such column would send "undefined" in every request.
function checkFeederColumn(ctx: FlowContext, ref: string[], path: PathSegment[]): void {
  const columns = ctx.feederColumns?.get(ref[0]!);
  if (columns === undefined || ref.length < 2 || columns.has(ref[1]!)) return;
  const guess = suggest(ref[1]!, columns);
  throw planError(
    ctx,
    path,
    `feeder "${ref[0]}" has no column "${ref[1]}"${guess ? `, did you mean "${guess}"?` : ''} (columns: ${[...columns].join(', ')})`,
  );
}

function checkPlaceholders(ctx: FlowContext, acc: Collected): void {
  for (const { source, path } of acc.templates) {
    let parts;
    try {
      parts = parseTemplate(source);
    } catch (error) {
      if (error instanceof TemplateError) throw planError(ctx, path, error.message);
      throw error;
    }
    for (const part of parts) {
      if (typeof part === 'string') continue;
      const root = part.path[0]!;
      const known =
        acc.captures.has(root) || ctx.feeders.has(root) || root === 'env' || (TEMPLATE_BUILTINS as readonly string[]).includes(root);
      if (known) {
        checkFeederColumn(ctx, part.path, path);
        continue;
      }
      const sources = [
        acc.captures.size > 0 ? `captures: ${[...acc.captures].join(', ')}` : 'no captures',
        ctx.feeders.size > 0 ? `feeders: ${[...ctx.feeders].join(', ')}` : 'no feeders',
        'env.NAME',
        TEMPLATE_BUILTINS.join(', '),
      ];
      throw planError(ctx, path, `unknown variable \${${part.name}} (${sources.join('; ')})`);
    }
  }
}
