// Statement fingerprints, computed INSIDE the target (by the agent's SQL instrumentation): the same
// statement with different literals, parameter numbers or IN-list lengths gets the same text, so
// `SELECT … WHERE id = 7` issued ten times with ten ids counts as one statement ten times.
//
// Runs on the target's event loop, so: dependency-free (only this file is shipped with the agent),
// one pass over the text, and results cached by the caller. Not a parser: a tokenizer that knows
// strings, quoted identifiers, comments, dollar quotes, numbers and $n parameters — enough to never
// mistake a digit inside an identifier for a literal.
//
// Rules (close to pg_stat_statements, so texts can be compared with its view):
// - literals (strings, E'', B'', X'', dollar-quoted, numbers) and $n parameters → $1, $2 … numbered in
//   order of appearance (renumbered: `a = $2 AND b = $1` → `a = $1 AND b = $2`);
// - a parenthesised list of only placeholders → `($1 /*, ... */)` (PostgreSQL 18's IN-list squashing),
//   and a run of identical such rows (`VALUES (…), (…)`) → the first one followed by `/*, ... */`;
// - comments removed (but that marker), whitespace collapsed, a trailing `;` dropped, at most 2000 characters.
// Keywords keep their case: texts come from the application's own code, written one way.

export const MAX_STATEMENT_CHARS = 2000;

const MARK = '\u0000';
const SQUASHED = '/*, ... */';
const LIST = /\(\u0000(?: *, *\u0000)+ *\)/g;
const ROWS = /(\(\u0000(?: \/\*, \.\.\. \*\/)?\))(?: *, *\(\u0000(?: \/\*, \.\.\. \*\/)?\))+/g;

function isIdentChar(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 95 || c === 36 || c >= 128;
}
function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}
function isSpace(c: number): boolean {
  return c === 32 || c === 9 || c === 10 || c === 13 || c === 12 || c === 11;
}

/** End index (exclusive) of a quoted run starting at i (the opening quote), `q` doubled = escaped. */
function skipQuoted(s: string, i: number, q: number, backslash: boolean): number {
  let j = i + 1;
  while (j < s.length) {
    const c = s.charCodeAt(j);
    if (backslash && c === 92) {
      j += 2;
      continue;
    }
    if (c === q) {
      if (s.charCodeAt(j + 1) === q) {
        j += 2;
        continue;
      }
      return j + 1;
    }
    j++;
  }
  return s.length;
}

/** The normalised text of one SQL statement (see the rules above). */
export function fingerprintSql(sql: string): string {
  const s = String(sql);
  const n = s.length;
  let out = '';
  let space = false; // a whitespace run (or comment) is pending: emit one space before the next token
  let i = 0;
  const emit = (t: string) => {
    if (space && out.length > 0) out += ' ';
    space = false;
    out += t;
  };
  while (i < n) {
    if (out.length > MAX_STATEMENT_CHARS * 2) break; // enough: the result is cut at MAX_STATEMENT_CHARS
    const c = s.charCodeAt(i);
    if (isSpace(c)) {
      space = true;
      i++;
      continue;
    }
    // -- comment
    if (c === 45 && s.charCodeAt(i + 1) === 45) {
      const nl = s.indexOf('\n', i);
      i = nl < 0 ? n : nl + 1;
      space = true;
      continue;
    }
    // /* comment */ (nestable in PostgreSQL); our own list marker is kept, so fingerprints are stable
    if (c === 47 && s.charCodeAt(i + 1) === 42) {
      if (s.startsWith(SQUASHED, i)) {
        emit(SQUASHED);
        i += SQUASHED.length;
        continue;
      }
      let depth = 1;
      let j = i + 2;
      while (j < n && depth > 0) {
        if (s.charCodeAt(j) === 47 && s.charCodeAt(j + 1) === 42) {
          depth++;
          j += 2;
        } else if (s.charCodeAt(j) === 42 && s.charCodeAt(j + 1) === 47) {
          depth--;
          j += 2;
        } else j++;
      }
      i = j;
      space = true;
      continue;
    }
    // 'string'
    if (c === 39) {
      i = skipQuoted(s, i, 39, false);
      emit(MARK);
      continue;
    }
    // "quoted identifier": kept as written
    if (c === 34) {
      const j = skipQuoted(s, i, 34, false);
      emit(s.slice(i, j));
      i = j;
      continue;
    }
    // $n parameter, or $tag$ … $tag$ / $$ … $$ dollar quote
    if (c === 36) {
      if (isDigit(s.charCodeAt(i + 1))) {
        let j = i + 1;
        while (j < n && isDigit(s.charCodeAt(j))) j++;
        emit(MARK);
        i = j;
        continue;
      }
      let j = i + 1;
      while (j < n && isIdentChar(s.charCodeAt(j)) && s.charCodeAt(j) !== 36) j++;
      if (s.charCodeAt(j) === 36) {
        const tag = s.slice(i, j + 1);
        const end = s.indexOf(tag, j + 1);
        i = end < 0 ? n : end + tag.length;
        emit(MARK);
        continue;
      }
      emit('$');
      i++;
      continue;
    }
    // number (a digit, or .digit, not glued to an identifier: that case is consumed with the word below)
    if (isDigit(c) || (c === 46 && isDigit(s.charCodeAt(i + 1)))) {
      let j = i;
      if (c === 48 && (s.charCodeAt(i + 1) | 32) === 120) {
        // 0x… (PostgreSQL 16+)
        j = i + 2;
        while (j < n && isIdentChar(s.charCodeAt(j))) j++;
      } else {
        while (j < n && (isDigit(s.charCodeAt(j)) || s.charCodeAt(j) === 95)) j++;
        if (s.charCodeAt(j) === 46 && s.charCodeAt(j + 1) !== 46) {
          j++;
          while (j < n && (isDigit(s.charCodeAt(j)) || s.charCodeAt(j) === 95)) j++;
        }
        if ((s.charCodeAt(j) | 32) === 101) {
          let k = j + 1;
          if (s.charCodeAt(k) === 43 || s.charCodeAt(k) === 45) k++;
          if (isDigit(s.charCodeAt(k))) {
            j = k;
            while (j < n && isDigit(s.charCodeAt(j))) j++;
          }
        }
      }
      emit(MARK);
      i = j;
      continue;
    }
    // identifier or keyword (digits inside stay), or a string prefix: E'…', B'…', X'…', N'…', U&'…'
    if (isIdentChar(c)) {
      let j = i;
      while (j < n && isIdentChar(s.charCodeAt(j))) j++;
      const next = s.charCodeAt(j);
      if (j - i === 1 && next === 39 && 'eEbBxXnN'.includes(s[i]!)) {
        i = skipQuoted(s, j, 39, c === 69 || c === 101);
        emit(MARK);
        continue;
      }
      if (j - i === 1 && (c === 85 || c === 117) && next === 38 && s.charCodeAt(j + 1) === 39) {
        i = skipQuoted(s, j + 1, 39, false);
        emit(MARK);
        continue;
      }
      emit(s.slice(i, j));
      i = j;
      continue;
    }
    emit(s[i]!);
    i++;
  }
  while (out.endsWith(';') || out.endsWith(' ')) out = out.slice(0, -1);
  if (out.includes(MARK)) {
    out = out.replace(LIST, `(${MARK} /*, ... */)`).replace(ROWS, '$1 /*, ... */');
    let k = 0;
    out = out.replace(/\u0000/g, () => `$${++k}`);
  }
  return out.length > MAX_STATEMENT_CHARS ? out.slice(0, MAX_STATEMENT_CHARS) : out;
}
