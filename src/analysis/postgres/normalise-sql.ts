// Replaces the literals in a SQL text with $n placeholders, the way pg_stat_statements shows
// statements, so that texts from pg_stat_activity (which holds the statement as sent, values and
// all) can be stored and shown. A small hand-written scanner, not a parser: it knows exactly the
// lexical forms that can carry a value.
// - strings: '…' ('' escapes), E'…' (backslash escapes), B'…', X'…', U&'…', N'…', $tag$…$tag$;
// - numbers: 42, 4.2, .5, 1e-3, 0x1F / 0o17 / 0b101, 1_000 (PG 16 forms included);
// - comments are DROPPED (they can hold anything — sqlcommenter values, user names);
// - quoted identifiers "…" and $1 parameters are kept.
// pg_stat_activity truncates texts to track_activity_query_size bytes, possibly inside a literal:
// an unterminated string, dollar-quote or comment swallows the rest of the text.
// New placeholders continue after the highest $n already in the text so they never collide.

const IDENT_START = /[A-Za-z_\u0080-\uffff]/;
const IDENT_CHAR = /[A-Za-z0-9_$\u0080-\uffff]/;

/** The end index (exclusive) of a '…' string starting at the quote `q`; `backslash`: E'' escapes. */
function endOfQuoted(text: string, q: number, backslash: boolean): number {
  let i = q + 1;
  while (i < text.length) {
    const c = text[i]!;
    if (backslash && c === '\\') {
      i += 2;
      continue;
    }
    if (c === "'") {
      if (text[i + 1] === "'") {
        i += 2;
        continue;
      }
      return i + 1;
    }
    i++;
  }
  return text.length;
}

export function normaliseSql(text: string): string {
  let next = 1;
  for (const m of text.matchAll(/\$(\d+)/g)) next = Math.max(next, Number(m[1]) + 1);
  const param = () => `$${next++}`;
  let out = '';
  let i = 0;
  const n = text.length;
  while (i < n) {
    const c = text[i]!;
    const c2 = text[i + 1];
    // -- line comment
    if (c === '-' && c2 === '-') {
      const nl = text.indexOf('\n', i);
      i = nl === -1 ? n : nl;
      out += ' ';
      continue;
    }
    // /* block comment */ (nests in PostgreSQL)
    if (c === '/' && c2 === '*') {
      let depth = 1;
      i += 2;
      while (i < n && depth > 0) {
        if (text[i] === '/' && text[i + 1] === '*') {
          depth++;
          i += 2;
        } else if (text[i] === '*' && text[i + 1] === '/') {
          depth--;
          i += 2;
        } else i++;
      }
      out += ' ';
      continue;
    }
    // "quoted identifier"
    if (c === '"') {
      let j = i + 1;
      while (j < n) {
        if (text[j] === '"') {
          if (text[j + 1] === '"') {
            j += 2;
            continue;
          }
          j++;
          break;
        }
        j++;
      }
      out += text.slice(i, Math.min(j, n));
      i = Math.min(j, n);
      continue;
    }
    // plain string
    if (c === "'") {
      i = endOfQuoted(text, i, false);
      out += param();
      continue;
    }
    // $1 parameter, or $tag$ … $tag$ dollar quote
    if (c === '$') {
      const p = /^\$\d+/.exec(text.slice(i, i + 12));
      if (p) {
        out += p[0];
        i += p[0].length;
        continue;
      }
      const tag = /^\$([A-Za-z_\u0080-\uffff][A-Za-z0-9_\u0080-\uffff]*)?\$/.exec(text.slice(i, i + 70));
      if (tag) {
        const close = text.indexOf(tag[0], i + tag[0].length);
        i = close === -1 ? n : close + tag[0].length;
        out += param();
        continue;
      }
      out += c;
      i++;
      continue;
    }
    // identifiers and keywords, including the E'' B'' X'' N'' U&'' string prefixes
    if (IDENT_START.test(c)) {
      let j = i + 1;
      while (j < n && IDENT_CHAR.test(text[j]!)) j++;
      const word = text.slice(i, j);
      if (text[j] === "'" && /^[EeBbXxNn]$/.test(word)) {
        i = endOfQuoted(text, j, word === 'E' || word === 'e');
        out += param();
        continue;
      }
      if (/^[Uu]$/.test(word) && text[j] === '&' && text[j + 1] === "'") {
        i = endOfQuoted(text, j + 1, false);
        out += param();
        continue;
      }
      out += word;
      i = j;
      continue;
    }
    // numbers: digits, or a '.' followed by a digit
    if (/[0-9]/.test(c) || (c === '.' && c2 !== undefined && /[0-9]/.test(c2))) {
      const m = /^(?:0[xX][0-9A-Fa-f_]*|0[oO][0-7_]*|0[bB][01_]*|(?:[0-9][0-9_]*(?:\.[0-9_]*)?|\.[0-9][0-9_]*)(?:[eE][+-]?[0-9_]*)?)/.exec(
        text.slice(i),
      );
      let j = i + (m ? m[0].length : 1);
      // Trailing junk glued to a number (123abc) is part of the same token for our purpose.
      while (j < n && IDENT_CHAR.test(text[j]!)) j++;
      out += param();
      i = j;
      continue;
    }
    out += c;
    i++;
  }
  return out.replace(/[ \t]{2,}/g, ' ').trim();
}
