import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { normaliseSql } from '../../../src/analysis/postgres/normalise-sql.ts';

describe('normaliseSql', () => {
  it('replaces string and numeric literals with $n, keeps identifiers, keywords and existing parameters', () => {
    assert.equal(normaliseSql(`SELECT * FROM users WHERE email = 'a@b.c' AND id > 42`), 'SELECT * FROM users WHERE email = $1 AND id > $2');
    assert.equal(
      normaliseSql(`SELECT x FROM t WHERE a = $1 AND b IN (1, 2.5, .5, 1e-3, 0x1F)`),
      'SELECT x FROM t WHERE a = $1 AND b IN ($2, $3, $4, $5, $6)',
    );
    assert.equal(normaliseSql(`SELECT "col1", t2.c3 FROM "it's" t2 LIMIT 10`), `SELECT "col1", t2.c3 FROM "it's" t2 LIMIT $1`);
    assert.equal(
      normaliseSql(`SELECT E'a\\'b', 'it''s', B'101', X'FF', U&'d\\0061t', $$dollar 'x'$$, $tag$ 1 $tag$`),
      'SELECT $1, $2, $3, $4, $5, $6, $7',
    );
    assert.equal(normaliseSql(`SELECT '2024-01-01'::date, interval '1 day', -5`), 'SELECT $1::date, interval $2, -$3');
    assert.equal(
      normaliseSql(`SELECT 1 -- secret 'x'\nFROM t /* user=alice /* nested */ 99 */ WHERE a = 1_000`),
      'SELECT $1 \nFROM t WHERE a = $2',
    );
  });

  it('swallows the rest of a text truncated inside a literal or comment', () => {
    assert.equal(normaliseSql(`SELECT * FROM t WHERE name = 'Alice Sm`), 'SELECT * FROM t WHERE name = $1');
    assert.equal(normaliseSql(`SELECT $x$ unterminated 42`), 'SELECT $1');
    assert.equal(normaliseSql(`SELECT 1 /* unterminated 'x`), 'SELECT $1');
  });

  // A statement built from tokens; every literal's value carries the sentinel "Zq", which no
  // keyword or identifier of the generator contains, so finding it in the output is a leak.
  const SENTINEL = 'Zq';
  const ident = fc.stringMatching(/^[a-y_]{1,8}$/);
  const stringBody = fc
    .string({ maxLength: 12, unit: fc.constantFrom(...`ab '"\\$;-/*\n0129`.split('')) })
    .map((s) => `${SENTINEL}${s}${SENTINEL}`);
  const literal = fc.oneof(
    stringBody.map((b) => `'${b.replace(/'/g, "''")}'`),
    stringBody.map((b) => `E'${b.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`),
    stringBody.filter((b) => !b.includes('$q$')).map((b) => `$q$${b}$q$`),
    stringBody.filter((b) => !b.includes('$$')).map((b) => `$$${b}$$`),
    fc.integer({ min: 0, max: 1e9 }).map(String),
    fc.double({ min: 0, max: 1e6, noNaN: true }).map((d) => String(d)),
    fc.constantFrom('0x1F', '1e10', '.5', '3.', '1_000'),
  );
  const token = fc.oneof(
    { weight: 3, arbitrary: literal },
    { weight: 3, arbitrary: ident },
    { weight: 1, arbitrary: ident.map((i) => `"${i}"`) },
    { weight: 2, arbitrary: fc.constantFrom('SELECT', 'FROM', 'WHERE', '=', '(', ')', ',', '::', '-', '+', '.', ';', 'IN', 'AND', '||') },
  );
  const statement = fc.array(token, { minLength: 1, maxLength: 25 }).map((ts) => ts.join(' '));

  it('property: never leaks a string literal or a number', () => {
    fc.assert(
      fc.property(statement, fc.integer({ min: 0, max: 200 }), (sql, cut) => {
        // pg_stat_activity truncates: also check a prefix cut anywhere.
        for (const text of [sql, sql.slice(0, Math.min(cut, sql.length))]) {
          const out = normaliseSql(text);
          assert.ok(!out.includes(SENTINEL), `${JSON.stringify(text)} → ${JSON.stringify(out)}`);
          assert.ok(!/[0-9]/.test(out.replace(/\$[0-9]+/g, '')), `digits left: ${JSON.stringify(text)} → ${JSON.stringify(out)}`);
          assert.ok(!out.includes("'"), `quote left: ${JSON.stringify(text)} → ${JSON.stringify(out)}`);
        }
      }),
      { numRuns: 1500 },
    );
  });

  it('property: placeholders are numbered after existing parameters and never collide', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 30 }), fc.integer({ min: 1, max: 6 }), (p, k) => {
        const out = normaliseSql(
          `SELECT a FROM t WHERE a = $${p} AND b IN (${Array.from({ length: k }, (_, i) => String(i * 7)).join(', ')})`,
        );
        const nums = [...out.matchAll(/\$(\d+)/g)].map((m) => Number(m[1]));
        assert.equal(new Set(nums).size, nums.length);
        assert.deepEqual(
          nums.slice(1),
          Array.from({ length: k }, (_, i) => p + 1 + i),
        );
      }),
    );
  });
});
