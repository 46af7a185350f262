// Escaping for everything that comes from the target (URLs, request names, header values, error
// text) and, to be safe, every other string taken from a record: reports render, they never let a
// value become markup. One function per output language.

// C0/C1 control characters except tab and newline (those are handled per format). \x1b (ANSI
// escape sequences) is the one that matters on a terminal: a hostile error text must not recolour,
// move the cursor or rewrite the screen.
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g;

/**
 * Inline Markdown (a table cell, or text after a label): no markup, links, HTML, table breaks or line
 * breaks can come out of it. `<`, `>` and `&` become entities (honoured by every renderer, including
 * inside what would otherwise be raw HTML); the punctuation that makes inline markup is
 * backslash-escaped (CommonMark allows it before any ASCII punctuation); `$` is escaped for GitHub's
 * math rendering. Characters that only matter at the start of a line (`#`, `-`, `1.`) are left to
 * mdLine, to keep raw files readable.
 */
export function md(value: unknown): string {
  return (
    String(value ?? '')
      .replace(/\r\n?|\n|\u2028|\u2029/g, ' ')
      .replace(CONTROL, '')
      .replace(/[\\`*[\]|~$]/g, (ch) => `\\${ch}`)
      // `_` between ASCII letters/digits can neither open nor close emphasis (CommonMark flanking
      // rules): left as is, metric names like http_req_duration stay readable.
      .replace(/(?<![A-Za-z0-9])_|_(?![A-Za-z0-9])/g, '\\_')
      .replace(/&/g, '&amp;')
      .replace(/</g, '&lt;')
      .replace(/>/g, '&gt;')
  );
}

/**
 * Markdown text that starts a line (a paragraph): as md, and it cannot open a heading, list, rule,
 * quote or indented code block either.
 */
export function mdLine(value: unknown): string {
  return md(value)
    .trimStart()
    .replace(/^([-+#=])/, '\\$1')
    .replace(/^(\d+)([.)])/, '$1\\$2');
}

/** XML 1.0 attribute value (also safe as text): the five entities, characters XML forbids removed. */
export function xml(value: unknown): string {
  return (
    String(value ?? '')
      // Not allowed in XML 1.0 at all (even as references): C0 controls but tab/LF/CR, lone surrogates,
      // U+FFFE/U+FFFF.
      .replace(
        /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g,
        '',
      )
      .replace(/&/g, '&amp;')
      .replace(/</g, '&lt;')
      .replace(/>/g, '&gt;')
      .replace(/"/g, '&quot;')
      .replace(/'/g, '&apos;')
      // In attributes, literal newlines and tabs would be normalised to spaces by parsers.
      .replace(/\n/g, '&#10;')
      .replace(/\r/g, '&#13;')
      .replace(/\t/g, '&#9;')
  );
}

/** XML 1.0 element text: as xml(), but line breaks and tabs stay literal (readable failure bodies). */
export function xmlText(value: unknown): string {
  return xml(value).replace(/&#10;/g, '\n').replace(/&#9;/g, '\t');
}

/** One line of terminal text: control characters (ANSI escapes included) removed, newlines folded. */
export function term(value: unknown): string {
  return String(value ?? '')
    .replace(/\r\n?|\n|\u2028|\u2029/g, ' ')
    .replace(CONTROL, '');
}

/** A file-name component: letters, digits, dot, dash and underscore only; never empty, never hidden. */
export function fileSafe(value: string, maxLength = 80): string {
  const s = value
    .replace(/[^A-Za-z0-9._-]+/g, '-')
    .replace(/^[.-]+/, '')
    .slice(0, maxLength)
    .replace(/[.-]+$/, '');
  return s || 'target';
}

/** A GFM table from cells that are already escaped (md()) or are our own formatted figures. */
export function mdTable(headers: string[], rows: string[][], align?: Array<'l' | 'r'>): string {
  const sep = headers.map((_, i) => (align?.[i] === 'r' ? '---:' : '---'));
  return [headers, sep, ...rows].map((r) => `| ${r.join(' | ')} |`).join('\n');
}
