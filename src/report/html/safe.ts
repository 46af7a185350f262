// Building HTML from untrusted data. Everything interpolated into the `html` template is escaped
// unless it is already SafeHtml (produced by this template or `raw` on a literal we wrote), so a
// section cannot forget to escape a URL, a header or a finding's text coming from the target.

export class SafeHtml {
  readonly value: string;
  constructor(value: string) {
    this.value = value;
  }
  toString(): string {
    return this.value;
  }
}

const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Escapes text for both element content and quoted attribute values. */
export function esc(value: unknown): string {
  return String(value).replace(/[&<>"']/g, (c) => ENTITIES[c]!);
}

/** Marks markup written by the renderer itself (never data) as safe. */
export function raw(markup: string): SafeHtml {
  return new SafeHtml(markup);
}

export type HtmlValue = SafeHtml | string | number | boolean | null | undefined | readonly HtmlValue[];

function render(v: HtmlValue): string {
  if (v === null || v === undefined || v === false) return '';
  if (v instanceof SafeHtml) return v.value;
  if (Array.isArray(v)) return v.map(render).join('');
  return esc(v);
}

/** Tagged template: literal parts are trusted markup, interpolations are escaped (arrays joined). */
export function html(strings: TemplateStringsArray, ...values: HtmlValue[]): SafeHtml {
  let out = strings[0]!;
  for (let i = 0; i < values.length; i++) out += render(values[i]!) + strings[i + 1]!;
  return new SafeHtml(out);
}

export function join(parts: readonly HtmlValue[], sep = ''): SafeHtml {
  return new SafeHtml(parts.map(render).join(sep));
}

/**
 * JSON for a <script type="application/json"> block: `<`, `>` and `&` become \u escapes so no
 * string in the data can close the element (`</script`) or open a comment (`<!--`); U+2028/2029
 * are escaped for old parsers. JSON.parse of the block's text gives the data back unchanged.
 */
export function jsonForScript(data: unknown): string {
  return (JSON.stringify(data) ?? 'null')
    .replace(/</g, '\\u003c')
    .replace(/>/g, '\\u003e')
    .replace(/&/g, '\\u0026')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

/** A finite number or null: numeric fields of a stored record are not trusted to be numbers. */
export function num(v: unknown): number | null {
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}
