import { test } from 'node:test';
import assert from 'node:assert/strict';
import { renderJUnit } from '../../src/report/junit.ts';
import { descendants, parseXml, type XmlElement } from './xml-check.ts';
import { emptyRecord, healthyRecord, hostileRecord, troubledRecord, HOSTILE } from './fixtures.ts';

const suites = (root: XmlElement) => root.children.filter((c) => c.name === 'testsuite');
const cases = (suite: XmlElement) => suite.children.filter((c) => c.name === 'testcase');
const failure = (c: XmlElement) => c.children.find((x) => x.name === 'failure');

test('JUnit: well-formed for every fixture, counts consistent with the test cases', () => {
  for (const make of [healthyRecord, troubledRecord, hostileRecord, emptyRecord]) {
    const root = parseXml(renderJUnit(make()));
    assert.equal(root.name, 'testsuites');
    let tests = 0;
    let failures = 0;
    for (const s of suites(root)) {
      const cs = cases(s);
      assert.equal(Number(s.attrs.tests), cs.length, s.attrs.name);
      assert.equal(Number(s.attrs.failures), cs.filter(failure).length, s.attrs.name);
      assert.equal(Number(s.attrs.skipped), cs.filter((c) => c.children.some((x) => x.name === 'skipped')).length);
      assert.match(s.attrs.timestamp!, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d$/);
      tests += cs.length;
      failures += cs.filter(failure).length;
    }
    assert.equal(Number(root.attrs.tests), tests);
    assert.equal(Number(root.attrs.failures), failures);
  }
});

test('JUnit: a suite per phase with its verdict and thresholds; a findings suite at or above medium', () => {
  const root = parseXml(renderJUnit(troubledRecord()));
  assert.deepEqual(
    suites(root).map((s) => s.attrs.name),
    ['phase: baseline', 'phase: stress', 'phase: sustained', 'findings'],
  );
  const [baseline, stress, sustained, findings] = suites(root) as [XmlElement, XmlElement, XmlElement, XmlElement];
  assert.deepEqual(
    cases(baseline).map((c) => [c.attrs.name, Boolean(failure(c))]),
    [
      ['phase verdict', true],
      ['http_req_duration: p(95)<200', true],
      ['http_req_failed: rate<0.1', false],
    ],
  );
  assert.equal(failure(cases(baseline)[1]!)!.attrs.message, 'http_req_duration p(95)<200: actual 900.25');
  assert.match(failure(cases(baseline)[1]!)!.text, /first breach at 3 s/);
  assert.match(failure(cases(baseline)[0]!)!.text, /p95 900 ms > 200 ms\nrequests 400, 40 req\/s/);
  assert.equal(cases(baseline)[0]!.attrs.time, '10.000');
  // Degraded passes with the reason in system-out; skipped is <skipped/>.
  assert.equal(failure(cases(stress)[0]!), undefined);
  assert.match(cases(stress)[0]!.children.find((x) => x.name === 'system-out')!.text, /^degraded: broke at 250 req\/s/);
  assert.equal(cases(sustained)[0]!.children[0]!.name, 'skipped');
  assert.equal(cases(sustained)[0]!.children[0]!.attrs.message, 'not in --suite');

  assert.deepEqual(
    cases(findings).map((c) => c.attrs.name),
    ['PERF-001 [P0] p95 far above the SLO', 'PERF-002 [P1] Errors under load', 'PERF-003 [P2] Finding PERF-003'],
  );
  const f1 = failure(cases(findings)[0]!)!;
  assert.equal(f1.attrs.type, 'critical');
  assert.match(f1.text, /Evidence:\n {2}- p95 latency: 813 ms \(baseline\)\n {2}- error rate: 3\.20 % \(stress\)/);
  assert.match(failure(cases(findings)[1]!)!.text, /Location: src\/db\.ts:42, query/);
  assert.equal(cases(findings)[1]!.attrs.classname, 'speedguard.findings.database');
});

test('JUnit: the minimum severity is configurable; info findings are never failures', () => {
  const high = suites(parseXml(renderJUnit(troubledRecord(), { minSeverity: 'high' }))).at(-1)!;
  assert.deepEqual(
    cases(high).map((c) => c.attrs.name!.slice(0, 8)),
    ['PERF-001', 'PERF-002'],
  );
  const all = suites(parseXml(renderJUnit(troubledRecord(), { minSeverity: 'info' }))).at(-1)!;
  assert.equal(cases(all).length, 5);
  assert.equal(cases(all).filter(failure).length, 4);
  const healthy = suites(parseXml(renderJUnit(healthyRecord()))).at(-1)!;
  assert.equal(cases(healthy).length, 0);
});

test('JUnit: hostile strings are escaped and come back intact (minus characters XML forbids)', () => {
  const xml = renderJUnit(hostileRecord());
  assert.doesNotMatch(xml, /<script/);
  assert.doesNotMatch(xml, /[\x00-\x08\x0b\x0c\x0e-\x1f]/);
  const root = parseXml(xml);
  const cleaned = HOSTILE.replace(/[\x00-\x08\x0b\x0c\x0e-\x1f]/g, '');
  assert.equal(root.attrs.name, `speedguard assess http://127.0.0.1:3000/${cleaned}`);
  const finding = descendants(root, 'testcase').find((c) => c.attrs.classname === 'speedguard.findings.application')!;
  assert.equal(finding.attrs.name, `PERF-001 [P0] ${cleaned}`);
  assert.ok(failure(finding)!.text.includes(`Root cause: ${cleaned}`));
});
