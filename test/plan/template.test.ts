import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { TemplateError, compileTemplate, parseTemplate, templateVariables } from '../../src/plan/template.ts';

test('a string without placeholders compiles to a constant', () => {
  const t = compileTemplate('/api/products?page=1&price=$5');
  assert.equal(t.constant, '/api/products?page=1&price=$5');
  assert.deepEqual(t.variables, []);
  assert.equal(t({}), '/api/products?page=1&price=$5');
});

test('placeholders: captures, nested paths, env, numbers and objects', () => {
  const t = compileTemplate('/users/${id}?q=${env.Q}&n=${ users.0.name }&x=${obj}');
  assert.equal(t.constant, null);
  assert.deepEqual(t.variables, ['id', 'env.Q', 'users.0.name', 'obj']);
  assert.equal(t({ id: 42, env: { Q: 'a b' }, users: [{ name: 'ada' }], obj: { k: 1 } }), '/users/42?q=a b&n=ada&x={"k":1}');
  assert.equal(compileTemplate('${a}${b}')({ a: 'x', b: false }), 'xfalse');
  assert.equal(compileTemplate('${a}')({ a: '' }), '');
});

test('$${ writes a literal ${ and a lone $ is kept', () => {
  const t = compileTemplate('cost $5, literal $${id}, value ${id}');
  assert.deepEqual(t.variables, ['id']);
  assert.equal(t({ id: 7 }), 'cost $5, literal ${id}, value 7');
  assert.equal(compileTemplate('$${x}').constant, '${x}');
});

test('a missing variable throws a TemplateError naming it', () => {
  const t = compileTemplate('/u/${user.id}');
  assert.throws(
    () => t({}),
    (error: unknown) => error instanceof TemplateError && error.message === 'undefined variable ${user.id} in "/u/${user.id}"',
  );
  assert.throws(() => t({ user: {} }), /undefined variable \$\{user\.id\}/);
  assert.throws(() => t({ user: null }), TemplateError);
});

test('bad syntax is reported at compile time', () => {
  assert.throws(() => parseTemplate('/u/${id'), /unclosed "\$\{" at character 4/);
  assert.throws(() => parseTemplate('${}'), /invalid placeholder "\$\{\}"/);
  assert.throws(() => parseTemplate('${a b}'), /invalid placeholder "\$\{a b\}"/);
  assert.throws(() => parseTemplate('${1x}'), TemplateError);
  assert.deepEqual(templateVariables('${a}-${b.c}'), ['a', 'b.c']);
});

test('names and constant text cannot inject code into the compiled function', () => {
  const t = compileTemplate('"); throw 1; ("${a}\\n`${b}`');
  assert.equal(t({ a: 1, b: 2 }), '"); throw 1; ("1\\n`2`');
});

test('property: rendering equals naive substitution', () => {
  const text = fc.string().map((s) => s.replaceAll('$', ''));
  const name = fc.stringMatching(/^[a-z_][a-z0-9_]{0,6}$/);
  fc.assert(
    fc.property(fc.array(fc.tuple(text, name, fc.string()), { maxLength: 6 }), text, (parts, tail) => {
      const source = parts.map(([t, n]) => `${t}\${${n}}`).join('') + tail;
      const vars: Record<string, string> = {};
      for (const [, n, v] of parts) vars[n] ??= v;
      const expected = parts.map(([t, n]) => t + vars[n]).join('') + tail;
      assert.equal(compileTemplate(source)(vars), expected);
    }),
    { numRuns: 500 },
  );
});
