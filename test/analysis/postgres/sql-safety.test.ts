import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { classifyStatement, unsafeCall, verbosePlanIsReadOnly } from '../../../src/analysis/postgres/sql-safety.ts';
import { splitStatements, sqlTokens } from '../../../src/analysis/postgres/sql-tokens.ts';

test('lexer: strings, dollar quotes, comments and quoted identifiers hide their content', () => {
  const toks = sqlTokens(`SELECT 'a;b', $x$ ; DROP $x$, "we;ird", E'it\\'s;' /* ; /* nested ; */ */ -- ;\n FROM t WHERE a = $12`);
  assert.equal(splitStatements(toks).length, 1);
  assert.deepEqual(
    toks.filter((t) => t.kind === 'param'),
    [{ kind: 'param', n: 12 }],
  );
  assert.deepEqual(
    toks.find((t) => t.kind === 'ident'),
    { kind: 'ident', text: 'we;ird' },
  );
  assert.throws(() => sqlTokens(`SELECT 'open`), /unterminated string/);
  assert.throws(() => sqlTokens(`SELECT 1 /* open`), /unterminated comment/);
});

test('read-only statements: plain selects with allowed functions, params counted', () => {
  for (const sql of [
    'SELECT * FROM orders WHERE customer_id = $1 AND status = $2 LIMIT $3;',
    'WITH x AS MATERIALIZED (SELECT count(*) AS n FROM t) SELECT n FROM x',
    'VALUES (1), (2)',
    'TABLE orders',
    '(SELECT lower(email) FROM users) UNION ALL (SELECT upper(name) FROM users)',
    'SELECT coalesce(sum(total), 0)::numeric(12,2), date_trunc($1, created_at) FROM orders GROUP BY 2 ORDER BY 2 DESC NULLS LAST',
    'SELECT id FROM t WHERE id IN (SELECT x FROM u) AND EXISTS (SELECT 1 FROM v) AND y = ANY ($1)',
  ]) {
    const c = classifyStatement(sql);
    assert.equal(c.readOnly, true, `${sql}: ${c.reason}`);
    assert.equal(c.kind, 'select');
  }
  assert.equal(classifyStatement('SELECT * FROM orders WHERE customer_id = $1 AND status = $2 LIMIT $3;').params, 3);
  assert.equal(classifyStatement('SELECT 1;').statement, 'SELECT 1');
});

test('not read-only: writes, locks, unknown or qualified functions, several statements', () => {
  const cases: Array<[string, string, RegExp]> = [
    ['INSERT INTO t VALUES ($1)', 'dml', /INSERT/],
    ['update t set a = 1', 'dml', /UPDATE/],
    ['WITH d AS (DELETE FROM t RETURNING *) SELECT * FROM d', 'dml', /data-modifying WITH/],
    ['SELECT * INTO new_t FROM t', 'select', /INTO/],
    ['SELECT * FROM t FOR UPDATE', 'select', /FOR UPDATE/],
    ['SELECT * FROM t FOR NO KEY UPDATE SKIP LOCKED', 'select', /FOR UPDATE/],
    ['SELECT nextval($1)', 'select', /nextval/],
    ['SELECT my_func(a) FROM t', 'select', /my_func/],
    ['SELECT public.lower(a) FROM t', 'select', /public\.lower/],
    ['SELECT "lower"(a) FROM t', 'select', /"lower"/],
    ['SELECT pg_advisory_lock(1)', 'select', /pg_advisory_lock/],
    ['SELECT dblink_exec($1, $2)', 'select', /dblink_exec/],
    ['SELECT 1; DROP TABLE t', 'multiple', /2 statements/],
    ['CREATE INDEX ON t (a)', 'utility', /CREATE/],
    ['COPY t TO STDOUT', 'utility', /COPY/],
    ['  ', 'empty', /empty/],
    ["SELECT 'x", 'unparsable', /unterminated/],
  ];
  for (const [sql, kind, reason] of cases) {
    const c = classifyStatement(sql);
    assert.equal(c.readOnly, false, sql);
    assert.equal(c.kind, kind, sql);
    assert.match(c.reason ?? '', reason, sql);
  }
});

test('property: a statement with any function call outside the allow-list is never read-only', () => {
  fc.assert(
    fc.property(
      fc.stringMatching(/^[a-z][a-z0-9_]{2,12}$/).filter((n) => unsafeCall(sqlTokens(`${n}(1)`)) !== null),
      fc.constantFrom(
        'SELECT %s(1)',
        'SELECT a FROM t WHERE b = %s($1)',
        'WITH x AS (SELECT %s(a) FROM t) SELECT * FROM x',
        'SELECT * FROM t ORDER BY %s (a)',
      ),
      (name, shape) => classifyStatement(shape.replace('%s', name)).readOnly === false,
    ),
  );
});

test('property: any text with a top-level ";" between two statements is "multiple"', () => {
  fc.assert(
    fc.property(
      fc.constantFrom('SELECT 1', "SELECT ';'", 'SELECT $$;$$', 'TABLE t'),
      fc.constantFrom('DELETE FROM t', 'SELECT 2', 'DROP TABLE t'),
      (a, b) => classifyStatement(`${a}; ${b}`).kind === 'multiple',
    ),
  );
});

test('verbose plans: a view calling a writing function or a locking node is not read-only', () => {
  const ok = {
    'Node Type': 'Seq Scan',
    'Relation Name': 't',
    Output: ['t.id', 'lower((t.email)::text)', "date_part('year'::text, t.created_at)"],
    Filter: "(t.id = ANY ('{1,2}'::integer[]))",
  };
  assert.deepEqual(verbosePlanIsReadOnly(ok), { readOnly: true, reason: null });
  const view = {
    'Node Type': 'Subquery Scan',
    Output: ['v.id'],
    Plans: [{ 'Node Type': 'Seq Scan', Output: ['t.id', 'public.bump_counter(t.id)'] }],
  };
  assert.equal(verbosePlanIsReadOnly(view).readOnly, false);
  assert.match(verbosePlanIsReadOnly(view).reason!, /public\.bump_counter/);
  assert.equal(verbosePlanIsReadOnly({ 'Node Type': 'LockRows', Plans: [ok] }).readOnly, false);
  assert.equal(verbosePlanIsReadOnly({ 'Node Type': 'ModifyTable', Plans: [ok] }).readOnly, false);
});
