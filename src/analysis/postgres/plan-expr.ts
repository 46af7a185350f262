// Reading the conditions EXPLAIN prints ("Filter": "((customer_id = $1) AND ((status)::text = 'x'::text))",
// "Hash Cond": "(oi.order_id = o.id)", "Sort Key": ["created_at DESC"]) into column comparisons an
// index could serve. Anything we do not understand (OR, functions of columns, LIKE, <>) yields nothing:
// a missed candidate is cheaper than a wrong one.
import { isOp, isWord, sqlTokens, type SqlToken } from './sql-tokens.ts';

export interface ColumnRef {
  /** Table alias as printed (null when unqualified: the scanned relation). */
  qualifier: string | null;
  name: string;
}

export type Comparison = '=' | '<' | '<=' | '>' | '>=' | 'in' | 'is null';

export type Operand =
  | { kind: 'column'; col: ColumnRef }
  /** A constant, a parameter, or an expression of them (no column). `param` when it is exactly $n. */
  | { kind: 'value'; param: number | null };

export interface Predicate {
  column: ColumnRef;
  /** Comparison with the column on the left (`$1 < a` is read as `a > $1`). */
  cmp: Comparison;
  other: Operand;
}

const CMP = new Set(['=', '<', '<=', '>', '>=']);
const FLIP: Record<string, Comparison> = { '=': '=', '<': '>', '<=': '>=', '>': '<', '>=': '<=' };
/** Words that are values, not columns, in a printed expression. */
const VALUE_WORDS = new Set([
  'true',
  'false',
  'null',
  'current_date',
  'current_timestamp',
  'current_time',
  'localtimestamp',
  'localtime',
  'current_user',
  'session_user',
  'interval',
  'initplan',
  'array',
]);

function depthSplit(tokens: SqlToken[], isSep: (t: SqlToken) => boolean): SqlToken[][] {
  const parts: SqlToken[][] = [[]];
  let depth = 0;
  for (const t of tokens) {
    if (isOp(t, '(') || isOp(t, '[')) depth++;
    else if (isOp(t, ')') || isOp(t, ']')) depth--;
    if (depth === 0 && isSep(t)) parts.push([]);
    else parts[parts.length - 1]!.push(t);
  }
  return parts;
}

/** Removes parentheses that enclose the whole token list. */
function stripParens(tokens: SqlToken[]): SqlToken[] {
  let t = tokens;
  for (;;) {
    if (t.length < 2 || !isOp(t[0], '(') || !isOp(t[t.length - 1], ')')) return t;
    let depth = 0;
    let enclosing = true;
    for (let i = 0; i < t.length; i++) {
      if (isOp(t[i], '(')) depth++;
      else if (isOp(t[i], ')')) depth--;
      if (depth === 0 && i < t.length - 1) {
        enclosing = false;
        break;
      }
    }
    if (!enclosing) return t;
    t = t.slice(1, -1);
  }
}

/** Drops a trailing `::type` cast (types may be several words, have modifiers and [] ). */
function stripCast(tokens: SqlToken[]): SqlToken[] {
  let depth = 0;
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    if (isOp(t, '(') || isOp(t, '[')) depth++;
    else if (isOp(t, ')') || isOp(t, ']')) depth--;
    else if (depth === 0 && isOp(t, '::')) return tokens.slice(0, i);
  }
  return tokens;
}

function asColumn(tokens: SqlToken[]): ColumnRef | null {
  let t = tokens;
  for (let k = 0; k < 8; k++) {
    const next = stripParens(stripCast(stripParens(t)));
    if (next.length === t.length) break;
    t = next;
  }
  const name = (x: SqlToken | undefined) => (x && (x.kind === 'word' || x.kind === 'ident') ? x.text : null);
  if (t.length === 1 && t[0]!.kind !== 'word' && t[0]!.kind !== 'ident') return null;
  if (t.length === 1 && name(t[0]) !== null && !VALUE_WORDS.has(name(t[0])!)) return { qualifier: null, name: name(t[0])! };
  if (t.length === 3 && isOp(t[1], '.') && name(t[0]) !== null && name(t[2]) !== null) return { qualifier: name(t[0]), name: name(t[2])! };
  return null;
}

/** An operand without any column reference: constants, parameters, casts, function calls of those. */
function asValue(tokens: SqlToken[]): Operand | null {
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    if (isOp(t, '::')) {
      // the type name: words (timestamp with time zone), a modifier (10,2), array brackets
      while (tokens[i + 1]?.kind === 'word') i++;
      if (isOp(tokens[i + 1], '(')) {
        while (i + 1 < tokens.length && !isOp(tokens[i + 1], ')')) i++;
        i++;
      }
      while (isOp(tokens[i + 1], '[') && isOp(tokens[i + 2], ']')) i += 2;
      continue;
    }
    if (t.kind === 'ident') return null;
    if (t.kind === 'word' && !isOp(tokens[i + 1], '(') && !VALUE_WORDS.has(t.text)) return null;
  }
  let core = tokens;
  for (let k = 0; k < 8; k++) {
    const next = stripParens(stripCast(stripParens(core)));
    if (next.length === core.length) break;
    core = next;
  }
  return { kind: 'value', param: core.length === 1 && core[0]!.kind === 'param' ? core[0]!.n : null };
}

function operand(tokens: SqlToken[]): Operand | null {
  const col = asColumn(tokens);
  if (col) return { kind: 'column', col };
  return asValue(tokens);
}

function comparison(tokens: SqlToken[]): Predicate | null {
  const t = stripParens(tokens);
  // "col IS NULL"
  if (t.length >= 3 && isWord(t[t.length - 2], 'is') && isWord(t[t.length - 1], 'null')) {
    const col = asColumn(t.slice(0, -2));
    return col ? { column: col, cmp: 'is null', other: { kind: 'value', param: null } } : null;
  }
  let depth = 0;
  let at = -1;
  for (let i = 0; i < t.length; i++) {
    const x = t[i]!;
    if (isOp(x, '(') || isOp(x, '[')) depth++;
    else if (isOp(x, ')') || isOp(x, ']')) depth--;
    else if (depth === 0 && x.kind === 'op' && CMP.has(x.text)) {
      if (at >= 0) return null; // two comparisons at the top level: not a simple predicate
      at = i;
    } else if (
      depth === 0 &&
      (isWord(x, 'and', 'or', 'not') || (x.kind === 'op' && /^[~!<>=@#%^&|`?+*/-]+$/.test(x.text) && !CMP.has(x.text)))
    ) {
      // LIKE (~~), <>, arithmetic on a column … are not index-friendly comparisons here.
      if (at < 0 || x.kind === 'word') return null;
    }
  }
  if (at <= 0 || at >= t.length - 1) return null;
  const op = (t[at] as { text: string }).text;
  const leftT = t.slice(0, at);
  let rightT = t.slice(at + 1);
  let cmp: Comparison = op as Comparison;
  if (op === '=' && isWord(rightT[0], 'any')) {
    cmp = 'in';
    rightT = rightT.slice(1);
  } else if (isWord(rightT[0], 'any', 'all')) return null;
  const left = operand(leftT);
  const right = operand(rightT);
  if (!left || !right) return null;
  if (left.kind === 'column') return { column: left.col, cmp, other: right };
  if (right.kind === 'column' && cmp !== 'in') return { column: right.col, cmp: FLIP[cmp]!, other: left };
  return null;
}

/** The AND-ed simple comparisons of a printed condition; conjuncts under OR are dropped. */
export function predicatesOf(expr: string | null | undefined): Predicate[] {
  if (!expr) return [];
  let tokens: SqlToken[];
  try {
    tokens = sqlTokens(expr);
  } catch {
    return [];
  }
  const out: Predicate[] = [];
  const visit = (toks: SqlToken[], depth: number): void => {
    if (depth > 20) return;
    const t = stripParens(toks);
    const ors = depthSplit(t, (x) => isWord(x, 'or'));
    if (ors.length > 1) return;
    const ands = depthSplit(t, (x) => isWord(x, 'and'));
    if (ands.length > 1) {
      for (const a of ands) visit(a, depth + 1);
      return;
    }
    const p = comparison(t);
    if (p) out.push(p);
  };
  visit(tokens, 0);
  return out;
}

/** Sort keys as columns ("o.created_at DESC"), or null when any key is an expression. */
export function sortColumnsOf(keys: string[]): Array<{ col: ColumnRef; desc: boolean }> | null {
  const out: Array<{ col: ColumnRef; desc: boolean }> = [];
  for (const k of keys) {
    let toks: SqlToken[];
    try {
      toks = sqlTokens(k);
    } catch {
      return null;
    }
    let desc = false;
    // trailing modifiers: DESC, ASC, NULLS FIRST/LAST, USING <op>
    for (;;) {
      const last = toks[toks.length - 1];
      if (isWord(last, 'desc')) {
        desc = true;
        toks = toks.slice(0, -1);
        continue;
      }
      if (isWord(last, 'asc')) {
        toks = toks.slice(0, -1);
        continue;
      }
      if (isWord(last, 'first', 'last') && isWord(toks[toks.length - 2], 'nulls')) {
        toks = toks.slice(0, -2);
        continue;
      }
      break;
    }
    if (toks.some((t) => isWord(t, 'using'))) return null;
    const col = asColumn(toks);
    if (!col) return null;
    out.push({ col, desc });
  }
  return out;
}
