// A small PostgreSQL lexer: enough to tell statements apart (`;` outside strings, comments and
// dollar quotes), to find function calls and parameters, and to read the expressions EXPLAIN prints.
// Not a parser: callers make conservative decisions on the token stream.

export type SqlToken =
  /** Unquoted word, lower-cased (keywords, identifiers, function and type names). */
  | { kind: 'word'; text: string }
  /** "Quoted identifier", content without the quotes (case kept). */
  | { kind: 'ident'; text: string }
  | { kind: 'string'; text: string }
  | { kind: 'number'; text: string }
  /** $1, $2 … */
  | { kind: 'param'; n: number }
  /** Operators (=, <=, ::, ~~ …) and punctuation ( ) , ; . [ ] : */
  | { kind: 'op'; text: string };

export class SqlLexError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SqlLexError';
  }
}

const OP_CHARS = '+-*/<>=~!@#%^&|`?';
const isWordStart = (c: string) => /[A-Za-z_\u0080-\uffff]/.test(c);
const isWordChar = (c: string) => /[A-Za-z0-9_$\u0080-\uffff]/.test(c);
const isDigit = (c: string) => c >= '0' && c <= '9';

/** Tokens of `sql`, comments dropped. Throws SqlLexError on an unterminated string, identifier or comment. */
export function sqlTokens(sql: string): SqlToken[] {
  const out: SqlToken[] = [];
  let i = 0;
  const n = sql.length;
  const quoted = (start: number, quote: string, backslashEscapes: boolean): [string, number] => {
    let j = start + 1;
    let text = '';
    for (;;) {
      if (j >= n) throw new SqlLexError(`unterminated ${quote === '"' ? 'quoted identifier' : 'string'} at offset ${start}`);
      const c = sql[j]!;
      if (backslashEscapes && c === '\\') {
        text += sql[j + 1] ?? '';
        j += 2;
        continue;
      }
      if (c === quote) {
        if (sql[j + 1] === quote) {
          text += quote;
          j += 2;
          continue;
        }
        return [text, j + 1];
      }
      text += c;
      j++;
    }
  };
  while (i < n) {
    const c = sql[i]!;
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    if (c === '-' && sql[i + 1] === '-') {
      while (i < n && sql[i] !== '\n') i++;
      continue;
    }
    if (c === '/' && sql[i + 1] === '*') {
      // PostgreSQL block comments nest.
      let depth = 1;
      const start = i;
      i += 2;
      while (depth > 0) {
        if (i >= n) throw new SqlLexError(`unterminated comment at offset ${start}`);
        if (sql[i] === '/' && sql[i + 1] === '*') {
          depth++;
          i += 2;
        } else if (sql[i] === '*' && sql[i + 1] === '/') {
          depth--;
          i += 2;
        } else i++;
      }
      continue;
    }
    if (c === "'") {
      const [text, end] = quoted(i, "'", false);
      out.push({ kind: 'string', text });
      i = end;
      continue;
    }
    // E'…' (backslash escapes), B'…', X'…', N'…', U&'…' / U&"…"
    if (/[eEbBxXnN]/.test(c) && sql[i + 1] === "'" && (i === 0 || !isWordChar(sql[i - 1]!))) {
      const [text, end] = quoted(i + 1, "'", c === 'e' || c === 'E');
      out.push({ kind: 'string', text });
      i = end;
      continue;
    }
    if ((c === 'u' || c === 'U') && sql[i + 1] === '&' && (sql[i + 2] === "'" || sql[i + 2] === '"')) {
      const q = sql[i + 2]!;
      const [text, end] = quoted(i + 2, q, false);
      out.push(q === '"' ? { kind: 'ident', text } : { kind: 'string', text });
      i = end;
      continue;
    }
    if (c === '"') {
      const [text, end] = quoted(i, '"', false);
      out.push({ kind: 'ident', text });
      i = end;
      continue;
    }
    if (c === '$') {
      const m = /^\$(\d+)/.exec(sql.slice(i, i + 12));
      if (m) {
        out.push({ kind: 'param', n: Number(m[1]) });
        i += m[0].length;
        continue;
      }
      const tag = /^\$([A-Za-z_\u0080-\uffff][A-Za-z0-9_\u0080-\uffff]*)?\$/.exec(sql.slice(i, i + 200));
      if (tag) {
        const close = sql.indexOf(tag[0], i + tag[0].length);
        if (close < 0) throw new SqlLexError(`unterminated dollar-quoted string at offset ${i}`);
        out.push({ kind: 'string', text: sql.slice(i + tag[0].length, close) });
        i = close + tag[0].length;
        continue;
      }
      out.push({ kind: 'op', text: '$' });
      i++;
      continue;
    }
    if (isDigit(c) || (c === '.' && isDigit(sql[i + 1] ?? ''))) {
      const m = /^(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?/.exec(sql.slice(i, i + 100))!;
      out.push({ kind: 'number', text: m[0] });
      i += m[0].length;
      continue;
    }
    if (isWordStart(c)) {
      let j = i + 1;
      while (j < n && isWordChar(sql[j]!)) j++;
      out.push({ kind: 'word', text: sql.slice(i, j).toLowerCase() });
      i = j;
      continue;
    }
    if (c === ':' && sql[i + 1] === ':') {
      out.push({ kind: 'op', text: '::' });
      i += 2;
      continue;
    }
    if ('(),;.[]:'.includes(c)) {
      out.push({ kind: 'op', text: c });
      i++;
      continue;
    }
    if (OP_CHARS.includes(c)) {
      let j = i + 1;
      // An operator ends where a comment starts (as in PostgreSQL's lexer).
      while (j < n && OP_CHARS.includes(sql[j]!) && !(sql[j] === '-' && sql[j + 1] === '-') && !(sql[j] === '/' && sql[j + 1] === '*')) j++;
      out.push({ kind: 'op', text: sql.slice(i, j) });
      i = j;
      continue;
    }
    // Anything else (e.g. a stray backslash): keep it as an operator token so callers see it.
    out.push({ kind: 'op', text: c });
    i++;
  }
  return out;
}

/** Splits tokens at top-level `;` into statements, dropping empty ones. */
export function splitStatements(tokens: SqlToken[]): SqlToken[][] {
  const out: SqlToken[][] = [];
  let cur: SqlToken[] = [];
  for (const t of tokens) {
    if (t.kind === 'op' && t.text === ';') {
      if (cur.length) out.push(cur);
      cur = [];
    } else cur.push(t);
  }
  if (cur.length) out.push(cur);
  return out;
}

export const isOp = (t: SqlToken | undefined, text: string): boolean => t !== undefined && t.kind === 'op' && t.text === text;
export const isWord = (t: SqlToken | undefined, ...words: string[]): boolean =>
  t !== undefined && t.kind === 'word' && words.includes(t.text);
