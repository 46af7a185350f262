// A new user's first profile of a third-party-like JSON API (test/fixtures/services/json-api.mjs),
// end to end: every figure that several sections show must be the record's — the target's CPU and
// memory (were "not measured" beside evidence of the CPU), the files REPORTS lists (left out the
// profiles), the history's KIND (listed profiles as assess), the expected load (said "derived from
// the stress phase" with no stress phase), and compare's CPU (was "not measured in either run").
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { compareRecords } from '../../src/analysis/compare.ts';
import { parseSlo } from '../../src/assess/options.ts';
import { openHistory } from '../../src/history/store.ts';
import { startProfile } from '../../src/profile/run-profile.ts';
import { targetProbesOf } from '../../src/record/target-probes.ts';
import { writeAssessmentReports } from '../../src/report/write-reports.ts';

const API = fileURLToPath(new URL('../fixtures/services/json-api.mjs', import.meta.url));

test('profiling a JSON API: CPU, memory, files, history kind and expected load read the same in every section', {
  timeout: 120_000,
}, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'sg-figures-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const profile = () =>
    startProfile({
      command: [process.execPath, API],
      path: '/api/items?limit=200',
      flags: { rate: 40, duration: 4000 },
      warmupMs: 1000,
      outDir: dir,
      slo: parseSlo([]),
      workers: 1,
      log: () => {},
    }).result;
  const rec = await profile();
  assert.equal(rec.command, 'profile');

  // CPU and memory: measured, stored once, and the same in the Markdown and the envelope.
  const res = rec.resources;
  assert.ok(res && res.cpuAvgPercent !== null && res.cpuAvgPercent > 0, JSON.stringify(res));
  assert.ok(res.rssPeakBytes !== null && res.rssPeakBytes > 10e6);
  const written = await writeAssessmentReports(rec, dir, { env: {} });
  const mdFile = written.find((f) => f.endsWith('.md') && f.includes('ANALYSIS'))!;
  const mdDoc = readFileSync(mdFile, 'utf8');
  assert.match(mdDoc, new RegExp(`\\| CPU \\(target\\) \\| ${res.cpuAvgPercent.toFixed(1).replace('.', '\\.')} % of one core \\(mean\\)`));
  assert.match(mdDoc, /\| Expected load \| 40\.0 req\/s \|/);
  assert.doesNotMatch(mdDoc, /derived from the stress phase/);
  const envelope = JSON.parse(readFileSync(written.find((f) => f.endsWith('.json') && f.includes('ANALYSIS'))!, 'utf8'));
  assert.equal(envelope.metrics.resource_utilization.cpu_average, Math.round(res.cpuAvgPercent * 1000) / 1000);

  // REPORTS: the .cpuprofile and .heapprofile the run saved are listed, and exist.
  const probes = targetProbesOf(rec)!;
  assert.ok(probes.cpuProfile, 'CPU profile analysed');
  assert.ok(written.includes(probes.cpuProfile.path), written.join('\n'));
  for (const f of written) assert.ok(existsSync(f), f);
  assert.ok(
    written.some((f) => f.endsWith('.heapprofile')),
    written.join('\n'),
  );

  // history: KIND profile.
  const store = openHistory(join(dir, 'history.db'));
  try {
    store.save(rec);
    assert.equal(store.list()[0]!.command, 'profile');
  } finally {
    store.close();
  }

  // compare: the two profiles' CPU is compared, not "not measured in either run".
  const again = await profile();
  const cmp = compareRecords(rec, again, { iterations: 200 });
  const cpu = cmp.metrics.find((m) => m.id === 'cpu')!;
  assert.notEqual(cpu.verdict, 'skipped', cpu.reason ?? '');
  assert.ok(
    Math.abs(cpu.baseline! - res.cpuAvgPercent / 100) < 0.05 * Math.max(1, cpu.baseline!),
    `${cpu.baseline} vs ${res.cpuAvgPercent} %`,
  );
});
