// Requests are checked when the plan loads (issue 11 §3), not found bad inside a worker after the
// load started: the method is a token and not CONNECT, header names are tokens and appear once, the
// headers speedguard sets itself (Content-Length, Transfer-Encoding) are not given, and header values
// have no CR, LF or NUL (header injection) nor characters outside latin1. Template placeholders are
// rendered per request, so only a value's literal text is checked here.
import type { PathSegment } from './errors.ts';
import { TemplateError, parseTemplate } from './template.ts';
import { planError, type SourceContext } from './validate.ts';

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const FORBIDDEN_HEADERS = new Set(['content-length', 'transfer-encoding']);
const BAD_VALUE = /[\r\n\0]|[^\u0000-\u00ff]/;

function literalText(value: string): string {
  try {
    return parseTemplate(value)
      .filter((p): p is string => typeof p === 'string')
      .join('');
  } catch (e) {
    if (e instanceof TemplateError) return ''; // reported with its path by the placeholder check
    throw e;
  }
}

export function checkRequestShape(ctx: SourceContext, method: string, headers: Record<string, string>, path: PathSegment[]): void {
  if (!TOKEN.test(method))
    throw planError(ctx, [...path, 'method'], `invalid HTTP method ${JSON.stringify(method)}: must be a token such as GET`);
  if (method.toUpperCase() === 'CONNECT')
    throw planError(ctx, [...path, 'method'], 'CONNECT is not supported (it opens a tunnel, it does not make a request)');
  const seen = new Map<string, string>();
  for (const [name, value] of Object.entries(headers)) {
    const at = [...path, 'headers', name];
    if (!TOKEN.test(name)) throw planError(ctx, at, `invalid header name ${JSON.stringify(name)}`);
    const lower = name.toLowerCase();
    if (FORBIDDEN_HEADERS.has(lower)) throw planError(ctx, at, `header "${name}" is set by speedguard from the body; remove it`);
    const before = seen.get(lower);
    if (before !== undefined) throw planError(ctx, at, `repeats header "${before}" (names are case-insensitive); give it once`);
    seen.set(lower, name);
    if (BAD_VALUE.test(literalText(value)))
      throw planError(ctx, at, `the value of header "${name}" has CR, LF or NUL (header injection) or characters outside latin1`);
  }
}
