// The database URL of assess/profile: --db, or the plan's probes.postgres with ${env.NAME} filled
// from the plan's env and the process environment; bad plan values are refused by the schema.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadPlanFile } from '../../../src/plan/index.ts';
import { databaseUrlOf } from '../../../src/probes/postgres/collect.ts';

function planFile(yaml: string): string {
  const path = join(mkdtempSync(join(tmpdir(), 'sg-plan-db-')), 'plan.yaml');
  writeFileSync(path, yaml);
  return path;
}

test('probes.postgres in a plan: ${env.NAME} from the process environment; --db wins', async () => {
  const plan = await loadPlanFile(
    planFile(`target: http://127.0.0.1:3000
flow:
  - request: { url: /api }
probes:
  postgres: "\${env.SG_TEST_DB_URL}"
`),
  );
  assert.deepEqual(plan.probes, { postgres: '${env.SG_TEST_DB_URL}' });
  process.env.SG_TEST_DB_URL = 'postgres://app:pw@127.0.0.1:5432/shop';
  try {
    assert.equal(databaseUrlOf(plan, undefined), 'postgres://app:pw@127.0.0.1:5432/shop');
    assert.equal(databaseUrlOf(plan, 'postgres://other@127.0.0.1/x'), 'postgres://other@127.0.0.1/x');
  } finally {
    delete process.env.SG_TEST_DB_URL;
  }
  assert.throws(() => databaseUrlOf(plan, undefined), /probes\.postgres: .*SG_TEST_DB_URL/);
});

test('plan env fills the placeholder too; no probes → null', async () => {
  const plan = await loadPlanFile(
    planFile(`target: http://127.0.0.1:3000
flow:
  - request: { url: /api }
env:
  DB: postgres://app@127.0.0.1:5432/shop
probes:
  postgres: "\${env.DB}"
`),
  );
  assert.equal(databaseUrlOf(plan, undefined), 'postgres://app@127.0.0.1:5432/shop');
  const none = await loadPlanFile(
    planFile(`target: http://127.0.0.1:3000
flow:
  - request: { url: /api }
`),
  );
  assert.equal(databaseUrlOf(none, undefined), null);
});

test('a probes.postgres that is not a PostgreSQL URL is refused with its place in the file', async () => {
  await assert.rejects(
    loadPlanFile(
      planFile(`target: http://127.0.0.1:3000
flow:
  - request: { url: /api }
probes:
  postgres: mysql://root@127.0.0.1/x
`),
    ),
    /probes\/postgres|probes\.postgres/,
  );
});
