// `speedguard profile` end to end on the issue-12 cases: each fixture service (a fresh target of its
// own) has one known cause, and the finding must name the exact thing to change — the user function
// where the time is (even when V8 inlined it), the variable that holds a leak, and the verdict of a
// service that is merely waiting.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { AssessmentRecord } from '../../src/record/assessment-record.ts';
import { describeFindings as describe, profileFixtureService as profile } from '../helpers/profile.ts';

test('inlined helper doing JSON.parse(fs.readFileSync(file)) on 2 MB: title, location and recommendation name loadCatalog', async () => {
  const r = await profile('inlined-json.mjs', { vus: 4, duration: 5000 });
  const f = r.findings.find((x) => x.audit === 'event-loop-blocked' || x.audit === 'cpu-bound');
  assert.ok(f, describe(r));
  assert.equal(f.audit, 'event-loop-blocked', describe(r));
  assert.equal(f.location?.function, 'loadCatalog', describe(r));
  assert.match(f.location?.file ?? '', /inlined-json\.mjs$/);
  assert.match(f.title, /JSON\.parse\/stringify in loadCatalog$/, f.title);
  assert.match(f.recommendation.approach, /^In loadCatalog: /, f.recommendation.approach);
  assert.doesNotMatch(f.title + f.recommendation.approach, /\(anonymous\)/);
});
