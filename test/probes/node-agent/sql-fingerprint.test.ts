// Statement fingerprints (in-target SQL normalisation) and the endpoint names of the N+1 groups.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { fingerprintSql, MAX_STATEMENT_CHARS } from '../../../src/probes/node-agent/sql-fingerprint.ts';
import { endpointName, firstApplicationFrame } from '../../../src/probes/node-agent/sql-requests.ts';

test('literals and parameters become $1, $2 … in order; identifiers, casts and quoted names stay', () => {
  const cases: Array<[string, string]> = [
    ["SELECT * FROM orders WHERE customer_id = 42 AND status = 'paid'", 'SELECT * FROM orders WHERE customer_id = $1 AND status = $2'],
    ['SELECT sku, qty FROM order_items WHERE order_id = $1', 'SELECT sku, qty FROM order_items WHERE order_id = $1'],
    ['select a from t where b = $2 and c = $1', 'select a from t where b = $1 and c = $2'],
    ["select 'it''s', E'a\\'b', B'101', X'1F', U&'d\\0061t', $q$ x $ y $q$, $$z$$ from t", 'select $1, $2, $3, $4, $5, $6, $7 from t'],
    ['select 1.5e-3, .5, 7., 0xFF, 1_000 from t2', 'select $1, $2, $3, $4, $5 from t2'],
    ['select col2, t1.x3, "Weird 42" from t1 where a::int4 = -7', 'select col2, t1.x3, "Weird 42" from t1 where a::int4 = -$1'],
    ['SELECT a -- the 1st\n FROM /* c /* nested 2 */ */ t   WHERE\n\tb = 3 ;', 'SELECT a FROM t WHERE b = $1'],
    ['select * from x where id = ANY($1)', 'select * from x where id = ANY($1)'],
  ];
  for (const [input, expected] of cases) assert.equal(fingerprintSql(input), expected, input);
});

test('IN lists and VALUES rows of any length give one text (PostgreSQL 18 style), and that text is stable', () => {
  const a = fingerprintSql('select id from t where id in (1, 2, 3) and x = $1');
  const b = fingerprintSql('select id from t where id in ($1,$2) and x = $3');
  assert.equal(a, 'select id from t where id in ($1 /*, ... */) and x = $2');
  assert.equal(b, a);
  assert.equal(fingerprintSql(a), a);
  assert.equal(
    fingerprintSql("insert into t (a, b) values (1, 'x'), (2, 'y'), (3, 'z')"),
    'insert into t (a, b) values ($1 /*, ... */) /*, ... */',
  );
  assert.equal(fingerprintSql('insert into t (a) values (1)'), fingerprintSql('insert into t (a) values ($1)'));
  assert.equal(fingerprintSql('insert into t (a) values (1), (2)'), 'insert into t (a) values ($1) /*, ... */');
});

test('unterminated quotes and comments do not throw or loop; long texts are cut', () => {
  assert.equal(fingerprintSql("select 'abc"), 'select $1');
  assert.equal(fingerprintSql('select "abc'), 'select "abc');
  assert.equal(fingerprintSql('select 1 /* open'), 'select $1');
  assert.equal(fingerprintSql('select $tag$ open'), 'select $1');
  assert.equal(fingerprintSql(''), '');
  const long = fingerprintSql(`select ${'a, '.repeat(3000)}b from t`);
  assert.equal(long.length, MAX_STATEMENT_CHARS);
});

test('property: any integer or string literal values give the same fingerprint, with no literal left in it', () => {
  const literal = fc.oneof(
    fc.integer({ min: 0 }).map(String),
    fc.double({ min: 0, max: 1e9, noNaN: true }).map((d) => d.toFixed(3)),
    fc.string({ maxLength: 20 }).map((s) => `'${s.replaceAll("'", "''")}'`),
  );
  fc.assert(
    fc.property(fc.array(fc.tuple(literal, literal), { minLength: 1, maxLength: 6 }), (pairs) => {
      const where = (i: 0 | 1) => pairs.map((p, k) => `c${k} = ${p[i]}`).join(' AND ');
      const a = fingerprintSql(`SELECT id FROM t WHERE ${where(0)}`);
      const b = fingerprintSql(`SELECT id FROM t WHERE ${where(1)}`);
      assert.equal(a, b);
      assert.equal(a, `SELECT id FROM t WHERE ${pairs.map((_, k) => `c${k} = $${k + 1}`).join(' AND ')}`);
    }),
    { numRuns: 200 },
  );
});

test('property: never throws, leaves no internal marker, is at most 2000 characters and stable', () => {
  fc.assert(
    fc.property(fc.string({ maxLength: 300 }), (s) => {
      const f = fingerprintSql(s);
      assert.ok(f.length <= MAX_STATEMENT_CHARS);
      assert.ok(!f.includes('\u0000'));
      assert.equal(fingerprintSql(f + ' '), fingerprintSql(f));
    }),
    { numRuns: 300 },
  );
});

test('endpoint names: method and path, ids as :id (the tag cardinality rule), query and origin dropped', () => {
  assert.equal(endpointName('GET', '/customers/42/orders?page=2'), 'GET /customers/:id/orders');
  assert.equal(endpointName('PUT', '/u/3f2504e0-4f89-11d3-9a0c-0305e82c3301'), 'PUT /u/:id');
  assert.equal(endpointName('GET', '/blob/0123456789abcdef0123'), 'GET /blob/:id');
  assert.equal(endpointName('GET', '/t/abcDEF1234567890xyzQWE'), 'GET /t/:id');
  assert.equal(endpointName('GET', '/products/red-shoes'), 'GET /products/red-shoes');
  assert.equal(endpointName('GET', 'http://example.test:8080/a/7#x'), 'GET /a/:id');
  assert.equal(endpointName(undefined, undefined), '? /');
  assert.equal(endpointName('GET', '/'), 'GET /');
});

test('call sites: the first frame outside node:, node_modules and the agent, file URLs as paths', () => {
  const stack = [
    'Error',
    '    at locate (/opt/agent/sql-requests.mjs:10:5)',
    '    at Client.query (/app/node_modules/pg/lib/client.js:600:12)',
    '    at new Promise (<anonymous>)',
    '    at process.processTicksAndRejections (node:internal/process/task_queues:95:5)',
    '    at async ordersWithItems (file:///app/src/orders.mjs:14:20)',
    '    at handler (/app/src/server.js:3:1)',
  ].join('\n');
  assert.deepEqual(firstApplicationFrame(stack, '/opt/agent'), {
    file: '/app/src/orders.mjs',
    line: 14,
    function: 'ordersWithItems',
    // Every application frame, innermost first: the collector walks them to the loop (loop-site.ts).
    frames: [
      { file: '/app/src/orders.mjs', line: 14, column: 20, function: 'ordersWithItems' },
      { file: '/app/src/server.js', line: 3, column: 1, function: 'handler' },
    ],
  });
  assert.deepEqual(firstApplicationFrame('Error\n    at /app/x.js:2:3', '/opt/agent'), {
    file: '/app/x.js',
    line: 2,
    function: '(anonymous)',
  });
  assert.equal(firstApplicationFrame('Error\n    at q (/app/node_modules/orm/x.js:1:1)', '/opt/agent'), null);
  assert.equal(firstApplicationFrame(undefined), null);
});
