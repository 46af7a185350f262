// `speedguard profile` end to end on the issue-12 cases: each fixture service (a fresh target of its
// own) has one known cause, and the finding must name the exact thing to change — the user function
// where the time is (even when V8 inlined it), the variable that holds a leak, and the verdict of a
// service that is merely waiting.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { describeFindings as describe, profileFixtureService as profile } from '../helpers/profile.ts';
import { targetProbesOf } from '../../src/record/target-probes.ts';

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

test('leak: names what holds it — the module variable requestLog, its element growth, and what the snapshots cost', async () => {
  // ≥ 10 one-second agent samples for the leak's slope: 12 s of load.
  const r = await profile('leak-retainer.mjs', { vus: 4, duration: 12_000 });
  const f = r.findings.find((x) => x.audit === 'memory-leak');
  assert.ok(f, describe(r));
  assert.match(
    f.title,
    new RegExp(
      String.raw`^Memory leak: Array held by the module variable requestLog \(test\/fixtures\/profile\/leak-retainer\.mjs:8\):` +
        String.raw` \+[\d,]+ elements, \+[\d.]+ MB over \d+ s$`,
    ),
    f.title,
  );
  assert.match(f.recommendation.approach, /^Bound module variable requestLog \(test\/fixtures\/profile\/leak-retainer\.mjs:8\)/);
  const snaps = targetProbesOf(r)!.heapSnapshots;
  assert.ok(snaps, 'heap snapshots in the record');
  assert.deepEqual(
    snaps.snapshots.map((s) => s.at).filter((a) => a !== 'middle'),
    ['start', 'end'],
  );
  for (const s of snaps.snapshots) assert.ok(s.pauseMs > 0 && s.bytes > 0 && s.nodes > 0, JSON.stringify(s));
  const holder = snaps.retainers[0]!;
  assert.ok(holder.elementsAfter! > holder.elementsBefore! + 100, JSON.stringify(holder));
  // Each element holds a 16 KB Buffer: the bytes added below the array are at least that per element.
  assert.ok(holder.addedBytes >= (holder.elementsAfter! - holder.elementsBefore!) * 16 * 1024, JSON.stringify(holder));
  // DevTools' Comparison: the Buffers' backing stores are the type that grows most.
  assert.equal(snaps.classes[0]?.name, 'system / JSArrayBufferData', JSON.stringify(snaps.classes.slice(0, 3)));
  assert.ok(f.evidence.some((e) => /heap snapshots: target pause each/.test(e.label)));
  // JSON-serialisable as part of the record.
  assert.deepEqual(JSON.parse(JSON.stringify(snaps)), snaps);
});

test('a timer-bound service using ~5 % CPU is "not saturated" under profile, although the profiler inflates its ELU', async () => {
  const r = await profile('timer-bound.mjs', { rate: 50, duration: 6000 });
  const f = r.findings.find((x) => x.audit === 'not-saturated');
  assert.ok(f, describe(r));
  assert.equal(f.severity, 'info', describe(r));
  assert.match(f.title, /^Not saturated at this load/, f.title);
  // Of the target (a saturated load generator on a busy machine is about the measurement, reported by generator-bound).
  assert.deepEqual(
    r.findings.filter((x) => (x.severity === 'critical' || x.severity === 'high') && x.audit !== 'generator-bound').map((x) => x.title),
    [],
  );
  const p = targetProbesOf(r)!;
  // What made it never fire before: the raw ELU is high while the profile shows an idle loop.
  assert.ok(p.cpuProfile && p.cpuProfile.idleShare > 0.8, `idle share ${p.cpuProfile?.idleShare}`);
  assert.ok(
    f.evidence.some((e) => /non-idle CPU-profile samples/.test(e.label)),
    JSON.stringify(f.evidence),
  );
  // Where its requests wait, from the agent's async-wait tracker: the 25 ms timer, as information
  // (within the SLO), beside "not saturated" rather than instead of it.
  const wait = r.findings.find((x) => x.audit === 'async-wait');
  assert.ok(wait, describe(r));
  assert.equal(wait.severity, 'info');
  assert.match(
    wait.title,
    /of the in-flight time was a timer \(setTimeout\) started by .+ \(test\/fixtures\/profile\/timer-bound\.mjs:9\)$/,
  );
});
