// Which statements speedguard may EXPLAIN, and which it may EXPLAIN ANALYZE (= execute).
// ANALYZE runs the statement, so it is allowed only for a statement we can PROVE is read-only from
// its text: one SELECT / WITH … SELECT / VALUES / TABLE, no data-modifying CTE, no SELECT INTO, no
// FOR UPDATE/SHARE, and every function call on an allow-list of functions without side effects.
// Anything unusual (a quoted or schema-qualified function, a column-alias list, an unknown keyword
// before a parenthesis) is rejected: a false "no" costs an estimated plan, a false "yes" could
// execute a write. The same call check runs on the EXPLAIN VERBOSE plan, which shows what views and
// row-security policies expand to (src/probes/postgres/explain.ts). The READ ONLY transaction the
// statement then runs in is the last line of defence, not the first.
import { isOp, isWord, splitStatements, sqlTokens, SqlLexError, type SqlToken } from './sql-tokens.ts';

export type StatementKind = 'select' | 'dml' | 'utility' | 'multiple' | 'empty' | 'unparsable';

export interface StatementClass {
  kind: StatementKind;
  /** True only when the statement may be executed by EXPLAIN ANALYZE (see above). */
  readOnly: boolean;
  /** Why it is not read-only / not explainable; null when readOnly. */
  reason: string | null;
  /** Highest $n used (0: no parameters). */
  params: number;
  /** The statement without a trailing `;` (the text to put after EXPLAIN / PREPARE … AS). */
  statement: string;
}

/** Keywords that are followed by a parenthesis without being a function call. */
const KEYWORDS_BEFORE_PAREN = new Set([
  'in',
  'exists',
  'any',
  'all',
  'some',
  'values',
  'as',
  'over',
  'filter',
  'group',
  'using',
  'on',
  'and',
  'or',
  'not',
  'select',
  'from',
  'where',
  'join',
  'lateral',
  'when',
  'then',
  'else',
  'case',
  'row',
  'array',
  'cast',
  'extract',
  'position',
  'substring',
  'trim',
  'overlay',
  'coalesce',
  'nullif',
  'greatest',
  'least',
  'materialized',
  'union',
  'except',
  'intersect',
  'distinct',
  'having',
  'limit',
  'offset',
  'by',
  'is',
  'with',
  'like',
  'ilike',
  'between',
  'system',
  'bernoulli',
  'repeatable',
  'recursive',
  'only',
  'to',
  'returning',
  // type names with a modifier: numeric(10,2), varchar(20), timestamp(3) …
  'numeric',
  'decimal',
  'varchar',
  'char',
  'character',
  'varying',
  'bit',
  'timestamp',
  'time',
  'interval',
  'float',
  'precision',
]);

/** Functions without side effects (pure, or reading the clock / a random generator). */
const SAFE_FUNCTIONS = new Set([
  // aggregates
  'count',
  'sum',
  'avg',
  'min',
  'max',
  'array_agg',
  'string_agg',
  'bool_and',
  'bool_or',
  'every',
  'json_agg',
  'jsonb_agg',
  'json_object_agg',
  'jsonb_object_agg',
  'percentile_cont',
  'percentile_disc',
  'mode',
  'stddev',
  'stddev_pop',
  'stddev_samp',
  'variance',
  'var_pop',
  'var_samp',
  'corr',
  'covar_pop',
  'covar_samp',
  'bit_and',
  'bit_or',
  // window
  'row_number',
  'rank',
  'dense_rank',
  'percent_rank',
  'cume_dist',
  'ntile',
  'lag',
  'lead',
  'first_value',
  'last_value',
  'nth_value',
  // strings
  'lower',
  'upper',
  'length',
  'char_length',
  'character_length',
  'octet_length',
  'bit_length',
  'concat',
  'concat_ws',
  'substr',
  'left',
  'right',
  'replace',
  'split_part',
  'strpos',
  'btrim',
  'ltrim',
  'rtrim',
  'lpad',
  'rpad',
  'initcap',
  'md5',
  'reverse',
  'repeat',
  'to_char',
  'to_number',
  'to_date',
  'to_timestamp',
  'format',
  'regexp_replace',
  'regexp_match',
  'regexp_matches',
  'regexp_split_to_array',
  'regexp_split_to_table',
  'starts_with',
  'translate',
  'ascii',
  'chr',
  'quote_ident',
  'quote_literal',
  'quote_nullable',
  'unaccent',
  'encode',
  'decode',
  'sha256',
  // maths
  'abs',
  'ceil',
  'ceiling',
  'floor',
  'round',
  'trunc',
  'mod',
  'power',
  'pow',
  'sqrt',
  'cbrt',
  'exp',
  'ln',
  'log',
  'log10',
  'sign',
  'random',
  'width_bucket',
  'div',
  'pi',
  'degrees',
  'radians',
  // date / time
  'now',
  'clock_timestamp',
  'statement_timestamp',
  'transaction_timestamp',
  'timeofday',
  'date_trunc',
  'date_part',
  'date_bin',
  'age',
  'make_date',
  'make_time',
  'make_interval',
  'make_timestamp',
  'make_timestamptz',
  'justify_days',
  'justify_hours',
  'justify_interval',
  'isfinite',
  'to_timestamp',
  // json
  'json_build_object',
  'jsonb_build_object',
  'json_build_array',
  'jsonb_build_array',
  'to_json',
  'to_jsonb',
  'row_to_json',
  'array_to_json',
  'json_array_length',
  'jsonb_array_length',
  'json_typeof',
  'jsonb_typeof',
  'json_extract_path',
  'jsonb_extract_path',
  'json_extract_path_text',
  'jsonb_extract_path_text',
  'json_array_elements',
  'jsonb_array_elements',
  'json_array_elements_text',
  'jsonb_array_elements_text',
  'json_each',
  'jsonb_each',
  'json_each_text',
  'jsonb_each_text',
  'json_object_keys',
  'jsonb_object_keys',
  'jsonb_set',
  'jsonb_insert',
  'jsonb_strip_nulls',
  'json_strip_nulls',
  'jsonb_pretty',
  'jsonb_path_query',
  'jsonb_path_exists',
  'jsonb_path_match',
  'jsonb_path_query_first',
  'jsonb_path_query_array',
  // arrays
  'array_length',
  'cardinality',
  'unnest',
  'array_position',
  'array_positions',
  'array_remove',
  'array_replace',
  'array_append',
  'array_prepend',
  'array_cat',
  'array_to_string',
  'string_to_array',
  'array_upper',
  'array_lower',
  'array_dims',
  'array_ndims',
  'generate_series',
  'generate_subscripts',
  // misc
  'gen_random_uuid',
  'num_nulls',
  'num_nonnulls',
  'pg_typeof',
  'current_setting',
  'current_database',
  'current_schema',
  'version',
  'int4',
  'int8',
  'text',
  'date',
  'bool',
  'numrange',
  'int4range',
  'int8range',
  'tsrange',
  'tstzrange',
  'daterange',
  'lower_inc',
  'upper_inc',
  'isempty',
  'to_tsvector',
  'to_tsquery',
  'plainto_tsquery',
  'phraseto_tsquery',
  'websearch_to_tsquery',
  'ts_rank',
  'ts_rank_cd',
  'ts_headline',
  'similarity',
  'word_similarity',
]);

/** Words that make a SELECT-looking statement not read-only wherever they appear. */
const WRITE_WORDS = new Set([
  'insert',
  'update',
  'delete',
  'merge',
  'into',
  'copy',
  'call',
  'do',
  'lock',
  'create',
  'alter',
  'drop',
  'truncate',
  'grant',
  'revoke',
  'vacuum',
  'refresh',
  'notify',
  'listen',
  'execute',
  'prepare',
]);

const DML_FIRST = new Set(['insert', 'update', 'delete', 'merge']);
const SELECT_FIRST = new Set(['select', 'with', 'values', 'table']);

/**
 * The first function call that is not on the allow-list, or null when every call is allowed.
 * A call is a word (optionally pg_catalog-qualified) or a quoted identifier followed by `(`.
 */
export function unsafeCall(tokens: SqlToken[]): string | null {
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    if (!isOp(tokens[i + 1], '(')) continue;
    if (t.kind === 'ident') return `"${t.text}"(…)`;
    if (t.kind !== 'word') continue;
    const qualified = isOp(tokens[i - 1], '.');
    if (qualified) {
      const q = tokens[i - 2];
      if (!(q?.kind === 'word' && q.text === 'pg_catalog' && SAFE_FUNCTIONS.has(t.text))) {
        return `${q?.kind === 'word' || q?.kind === 'ident' ? q.text : '?'}.${t.text}(…)`;
      }
      continue;
    }
    if (KEYWORDS_BEFORE_PAREN.has(t.text) || SAFE_FUNCTIONS.has(t.text)) continue;
    return `${t.text}(…)`;
  }
  return null;
}

/** Classifies one statement's text (pg_stat_statements' normalised text or a statement given by the user). */
export function classifyStatement(sql: string): StatementClass {
  let tokens: SqlToken[];
  try {
    tokens = sqlTokens(sql);
  } catch (e) {
    if (e instanceof SqlLexError) return { kind: 'unparsable', readOnly: false, reason: e.message, params: 0, statement: sql };
    throw e;
  }
  const params = tokens.reduce((m, t) => (t.kind === 'param' ? Math.max(m, t.n) : m), 0);
  const statements = splitStatements(tokens);
  const statement = sql.trim().replace(/(;\s*)+$/, '');
  const no = (kind: StatementKind, reason: string): StatementClass => ({ kind, readOnly: false, reason, params, statement });
  if (statements.length === 0) return no('empty', 'empty statement');
  if (statements.length > 1) return no('multiple', `${statements.length} statements in one text`);
  const toks = statements[0]!;
  let first = 0;
  while (isOp(toks[first], '(')) first++;
  const head = toks[first];
  if (head?.kind !== 'word') return no('utility', 'does not start with a keyword');
  if (DML_FIRST.has(head.text)) return no('dml', `${head.text.toUpperCase()} modifies data`);
  if (!SELECT_FIRST.has(head.text)) return no('utility', `${head.text.toUpperCase()} is not a query`);
  if (head.text === 'with' && toks.some((t) => isWord(t, ...DML_FIRST))) return no('dml', 'data-modifying WITH');
  for (let i = 0; i < toks.length; i++) {
    const t = toks[i]!;
    if (t.kind !== 'word') continue;
    if (t.text === 'for' && isWord(toks[i + 1], 'update', 'share', 'no', 'key')) return no('select', 'FOR UPDATE/SHARE locks rows');
    if (WRITE_WORDS.has(t.text)) return no('select', `contains ${t.text.toUpperCase()}`);
  }
  const call = unsafeCall(toks);
  if (call) return no('select', `calls ${call}, not known to be free of side effects`);
  return { kind: 'select', readOnly: true, reason: null, params, statement };
}

/** Plan keys that hold expressions (EXPLAIN VERBOSE). */
const EXPR_KEY = /Output|Filter|Cond|Key|Call|Order By|Parameters|Seed/;
const UNSAFE_NODES = new Set(['ModifyTable', 'LockRows']);

/**
 * Whether an EXPLAIN (VERBOSE, FORMAT JSON) plan (the "Plan" object) only calls allowed functions
 * and neither modifies nor locks rows — views and policies are expanded in it.
 */
export function verbosePlanIsReadOnly(plan: unknown): { readOnly: boolean; reason: string | null } {
  const stack: unknown[] = [plan];
  let visited = 0;
  while (stack.length > 0 && visited < 100_000) {
    visited++;
    const node = stack.pop();
    if (!node || typeof node !== 'object') continue;
    const n = node as Record<string, unknown>;
    const type = String(n['Node Type'] ?? '');
    if (UNSAFE_NODES.has(type)) return { readOnly: false, reason: `plan has a ${type} node` };
    for (const [k, v] of Object.entries(n)) {
      if (!EXPR_KEY.test(k)) continue;
      const exprs = Array.isArray(v) ? v : [v];
      for (const e of exprs) {
        if (typeof e !== 'string') continue;
        let toks: SqlToken[];
        try {
          toks = sqlTokens(e);
        } catch {
          return { readOnly: false, reason: `cannot read ${k} of ${type}` };
        }
        const call = unsafeCall(toks.filter((t) => !isWord(t, 'subplan', 'initplan', 'hashed')));
        if (call) return { readOnly: false, reason: `${type} calls ${call} (${k})` };
      }
    }
    if (Array.isArray(n['Plans'])) stack.push(...(n['Plans'] as unknown[]));
  }
  return { readOnly: true, reason: null };
}
