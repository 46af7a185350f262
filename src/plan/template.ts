// ${var} placeholders in request URLs, headers and bodies.
//
// Syntax: `${name}` or `${name.path.0.field}`; `$${` writes a literal `${`; a `$` not followed by
// `{` is literal. The variables object the engine passes in holds, per iteration:
//   captures by name (`${id}`), feeder rows by feeder name (`${users.email}`), the plan env under
//   `env` (`${env.TOKEN}`), and the built-ins below.
// A missing (undefined/null) variable throws TemplateError: sending "/users/" instead of
// "/users/42" would silently measure the wrong endpoint.
//
// Hot path: templates are rendered per request, so compileTemplate generates a straight-line
// function with `new Function` (names and constant text are embedded with JSON.stringify, so no
// user text is ever evaluated). Constant templates compile to a function returning the string and
// expose it as `.constant`, so the engine can pre-encode those requests once.
import { InputError } from '../errors.ts';

export const TEMPLATE_BUILTINS = ['__VU', '__ITER', '__SCENARIO'] as const;

export class TemplateError extends InputError {
  override name = 'TemplateError';
}

export type TemplateVars = Record<string, unknown>;

export interface CompiledTemplate {
  (vars: TemplateVars): string;
  /** The whole text when there are no placeholders; null otherwise. */
  readonly constant: string | null;
  /** Placeholder names in order of appearance, e.g. ["id", "env.Q"]. */
  readonly variables: readonly string[];
  readonly source: string;
}

export interface Placeholder {
  /** As written (trimmed): "users.email". */
  name: string;
  /** Split on dots: ["users", "email"]. */
  path: string[];
}
export type TemplatePart = string | Placeholder;

const NAME = /^[A-Za-z_$][\w$]*(?:\.[\w$-]+)*$/;

/** Splits a template into constant text and placeholders. Throws TemplateError on bad syntax. */
export function parseTemplate(source: string): TemplatePart[] {
  const parts: TemplatePart[] = [];
  let text = '';
  let i = 0;
  while (i < source.length) {
    const dollar = source.indexOf('$', i);
    if (dollar === -1) {
      text += source.slice(i);
      break;
    }
    text += source.slice(i, dollar);
    if (source.startsWith('$${', dollar)) {
      text += '${';
      i = dollar + 3;
    } else if (source.startsWith('${', dollar)) {
      const close = source.indexOf('}', dollar + 2);
      if (close === -1) throw new TemplateError(`unclosed "\${" at character ${dollar + 1} in ${JSON.stringify(source)}`);
      const name = source.slice(dollar + 2, close).trim();
      if (!NAME.test(name)) {
        throw new TemplateError(
          `invalid placeholder "\${${name}}" in ${JSON.stringify(source)}: expected a name like \${id} or \${users.email}`,
        );
      }
      if (text !== '') parts.push(text);
      text = '';
      parts.push({ name, path: name.split('.') });
      i = close + 1;
    } else {
      text += '$';
      i = dollar + 1;
    }
  }
  if (text !== '') parts.push(text);
  return parts;
}

/** The placeholder names a template uses (for load-time checks). */
export function templateVariables(source: string): string[] {
  return parseTemplate(source).flatMap((part) => (typeof part === 'string' ? [] : [part.name]));
}

function toText(value: unknown): string {
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

export function compileTemplate(source: string): CompiledTemplate {
  const parts = parseTemplate(source);
  const placeholders = parts.filter((part): part is Placeholder => typeof part !== 'string');
  const variables = placeholders.map((p) => p.name);
  if (placeholders.length === 0) {
    const constant = parts.join('');
    return Object.assign(() => constant, { constant, variables, source });
  }

  const missing = (index: number): never => {
    throw new TemplateError(`undefined variable \${${variables[index]}} in ${JSON.stringify(source)}`);
  };
  const lines: string[] = [];
  const pieces: string[] = [];
  let index = 0;
  for (const part of parts) {
    if (typeof part === 'string') {
      pieces.push(JSON.stringify(part));
      continue;
    }
    const local = `x${index}`;
    lines.push(`let ${local} = v[${JSON.stringify(part.path[0])}];`);
    for (const key of part.path.slice(1)) {
      lines.push(`${local} = ${local} == null ? undefined : ${local}[${JSON.stringify(key)}];`);
    }
    lines.push(`if (${local} == null) return missing(${index});`);
    pieces.push(`(typeof ${local} === "string" ? ${local} : toText(${local}))`);
    index++;
  }
  lines.push(`return ${pieces.join(' + ')};`);
  const factory = new Function('toText', 'missing', `return function render(v) {\n${lines.join('\n')}\n};`);
  const render = factory(toText, missing) as (vars: TemplateVars) => string;
  return Object.assign(render, { constant: null, variables, source });
}
