import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import { parse as parseYaml } from 'yaml';
import schema from '../../schema/plan.schema.json' with { type: 'json' };

const plansDir = new URL('../fixtures/plans/', import.meta.url).pathname;
type Node = Record<string, any>;

test('schema/plan.schema.json is a valid JSON Schema that ajv compiles in strict mode', () => {
  const ajv = new Ajv({ strict: true, allowUnionTypes: true });
  assert.equal(ajv.validateSchema(schema), true, JSON.stringify(ajv.errors));
  assert.equal(typeof ajv.compile(schema), 'function');
});

test('the schema accepts every example plan in test/fixtures/plans/', () => {
  const validate = new Ajv({ allowUnionTypes: true, allErrors: true }).compile(schema);
  const files = readdirSync(plansDir).filter((name) => /\.(ya?ml|json)$/.test(name));
  assert.ok(files.length >= 3, `found ${files.length} example plans`);
  for (const name of files) {
    const text = readFileSync(join(plansDir, name), 'utf8');
    const data = name.endsWith('.json') ? JSON.parse(text) : parseYaml(text);
    assert.equal(validate(data), true, `${name}: ${JSON.stringify(validate.errors)}`);
  }
});

test('the schema rejects typos and wrong types', () => {
  const validate = new Ajv({ allowUnionTypes: true }).compile(schema);
  assert.equal(validate({ vuss: 1 }), false);
  assert.equal(validate({ scenarios: { a: { executor: 'constant-vus', duration: '1s', stages: [] } } }), false);
  assert.equal(validate({ scenarios: { a: { executor: 'nope' } } }), false);
  assert.equal(validate({ duration: '30 s' }), false);
  assert.equal(validate({ flow: [{ request: { url: '/' }, sleep: '1s' }] }), false);
  assert.equal(validate({ scenarios: { a: { executor: 'constant-vus', duration: '1s' } } }), true);
});

function describedOrRef(node: Node): boolean {
  if (typeof node.description === 'string' && node.description.length > 0) return true;
  if (typeof node.$ref === 'string') {
    const target = (schema as Node).definitions[node.$ref.replace('#/definitions/', '')];
    return target !== undefined && describedOrRef(target);
  }
  return false;
}

test('every property in the schema has a description (directly or through its $ref)', () => {
  const missing: string[] = [];
  const walk = (node: unknown, where: string): void => {
    if (node === null || typeof node !== 'object') return;
    const obj = node as Node;
    if (obj.properties !== undefined) {
      for (const [name, sub] of Object.entries(obj.properties as Record<string, Node>)) {
        if (!describedOrRef(sub)) missing.push(`${where}.properties.${name}`);
      }
    }
    // `if` clauses only select an executor's definition; they are not fields users write.
    for (const [key, value] of Object.entries(obj)) if (key !== 'if') walk(value, `${where}.${key}`);
  };
  walk(schema, '#');
  assert.deepEqual(missing, []);
});
