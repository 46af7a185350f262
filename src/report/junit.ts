// JUnit XML for CI (LOAD_TESTS/TEST-<timestamp>.xml): a <testsuite> per phase with a test case for the
// phase's verdict and one per threshold of the phase's run, and a <testsuite name="findings"> with a
// test case per finding at or above a chosen severity (default medium) — each such finding is a
// failure whose body carries its evidence. A degraded phase passes (with the reason in
// <system-out>); a failed one fails; a skipped one is <skipped/>. Everything is XML-escaped.
import type { Finding, Severity } from '../record/findings.ts';
import type { AssessmentRecord, PhaseRecord } from '../record/assessment-record.ts';
import { xml, xmlText } from './escape.ts';
import { asRanked, priorityLabel, severityRank } from '../record/findings.ts';
import { fmtValue, phaseFigures } from './phase-figures.ts';
import { percent } from '../analysis/format.ts';

export interface JUnitOptions {
  /** Findings at or above this severity become test cases (default "medium"). */
  minSeverity?: Severity;
}

interface Case {
  name: string;
  classname: string;
  timeS: number;
  failure?: { message: string; type: string; body: string };
  skipped?: string;
  systemOut?: string;
}

const attr = (name: string, value: unknown) => ` ${name}="${xml(value)}"`;
/** Attributes in the order given. */
const attrs = (values: Record<string, unknown>) =>
  Object.entries(values)
    .map(([name, value]) => attr(name, value))
    .join('');
const secs = (s: number) => (Number.isFinite(s) ? Math.max(0, s) : 0).toFixed(3);

function caseXml(c: Case): string {
  const open = `    <testcase${attr('name', c.name)}${attr('classname', c.classname)}${attr('time', secs(c.timeS))}`;
  const inner: string[] = [];
  if (c.failure)
    inner.push(`      <failure${attr('message', c.failure.message)}${attr('type', c.failure.type)}>${xmlText(c.failure.body)}</failure>`);
  if (c.skipped !== undefined) inner.push(`      <skipped${attr('message', c.skipped)}/>`);
  if (c.systemOut) inner.push(`      <system-out>${xmlText(c.systemOut)}</system-out>`);
  return inner.length ? `${open}>\n${inner.join('\n')}\n    </testcase>` : `${open}/>`;
}

function suiteXml(name: string, cases: Case[], timestamp: string, properties: Array<[string, string]>): string {
  const failures = cases.filter((c) => c.failure).length;
  const skipped = cases.filter((c) => c.skipped !== undefined).length;
  const time = cases.reduce((t, c) => t + c.timeS, 0);
  const propertyLines = properties.map(([k, v]) => `      <property${attr('name', k)}${attr('value', v)}/>`).join('\n');
  const props = properties.length ? `\n    <properties>\n${propertyLines}\n    </properties>` : '';
  const body = cases.map(caseXml).join('\n');
  const counts = attrs({ name, tests: cases.length, failures, errors: 0, skipped, time: secs(time), timestamp: timestamp.slice(0, 19) });
  return `  <testsuite${counts}>${props}${body ? `\n${body}` : ''}\n  </testsuite>`;
}

function phaseCases(p: PhaseRecord): Case[] {
  const classname = `speedguard.phase.${p.name}`;
  if (p.verdict === 'skipped') return [{ name: 'phase verdict', classname, timeS: 0, skipped: p.verdictReason }];
  const f = phaseFigures(p);
  const verdict: Case = { name: 'phase verdict', classname, timeS: f.durationS };
  const figures = [
    `requests ${f.requests}`,
    fmtValue(f.rps, 'req/s'),
    `p50 ${fmtValue(f.p50Ms ?? NaN, 'ms')}`,
    `p95 ${fmtValue(f.p95Ms ?? NaN, 'ms')}`,
    `p99 ${fmtValue(f.p99Ms ?? NaN, 'ms')}`,
    `error rate ${percent(f.errorRate)}`,
    `dropped iterations ${f.droppedIterations}`,
  ].join(', ');
  if (p.verdict === 'failed')
    verdict.failure = {
      message: `${p.name} failed: ${p.verdictReason}`,
      type: 'phase-verdict',
      body: `${p.description}\n${p.verdictReason}\n${figures}`,
    };
  else verdict.systemOut = `${p.verdict}: ${p.verdictReason}\n${p.description}\n${figures}`;
  const thresholds = p.run.thresholds.map((t): Case => {
    const actual = t.actual === null ? 'no data' : String(Number(t.actual.toPrecision(6)));
    const c: Case = { name: `${t.selector}: ${t.expression}`, classname: `${classname}.thresholds`, timeS: 0 };
    if (!t.ok) {
      const breach = t.firstBreachSeconds !== null ? `, first breach at ${t.firstBreachSeconds} s` : '';
      c.failure = {
        message: `${t.selector} ${t.expression}: actual ${actual}`,
        type: 'threshold',
        body: `threshold ${t.expression} on ${t.selector} failed: actual ${actual}${breach}${t.aborted ? ' (aborted the run)' : ''}`,
      };
    } else c.systemOut = `actual ${actual}`;
    return c;
  });
  return [verdict, ...thresholds];
}

function findingBody(f: Finding): string {
  const lines = [
    `${f.id} ${priorityLabel(f.severity)} ${f.severity}, confidence ${Math.round(f.confidence * 100)} %, ` +
      `${f.type}, component: ${f.component}`,
    f.description,
    'Evidence:',
    ...f.evidence.map((e) => `  - ${e.label}: ${fmtValue(e.value, e.unit)}${e.phase ? ` (${e.phase})` : ''}`),
  ];
  const loc = f.location;
  if (loc) {
    const file = loc.file && `${loc.file}${loc.line != null ? `:${loc.line}` : ''}`;
    lines.push(`Location: ${[loc.endpoint, file, loc.function].filter(Boolean).join(', ')}`);
  }
  lines.push(
    `Root cause: ${f.rootCause}`,
    `Recommendation: ${f.recommendation.approach}`,
    `Expected improvement: ${f.recommendation.expectedImprovement}`,
  );
  return lines.join('\n');
}

export function renderJUnit(record: AssessmentRecord, opts: JUnitOptions = {}): string {
  const min = severityRank(opts.minSeverity ?? 'medium');
  const suites: string[] = [];
  let tests = 0;
  let failures = 0;
  let skipped = 0;
  const count = (cases: Case[]) => {
    tests += cases.length;
    failures += cases.filter((c) => c.failure).length;
    skipped += cases.filter((c) => c.skipped !== undefined).length;
  };
  for (const p of record.phases) {
    const cases = phaseCases(p);
    count(cases);
    suites.push(
      suiteXml(`phase: ${p.name}`, cases, p.run.startedAt, [
        ['verdict', p.verdict],
        ['description', p.description],
        ['offered_rate_rps', String(p.offeredRate)],
      ]),
    );
  }
  const findingCases = asRanked(record.findings)
    .filter((f) => severityRank(f.severity) <= min)
    .map((f): Case => {
      const c: Case = { name: `${f.id} [${priorityLabel(f.severity)}] ${f.title}`, classname: `speedguard.findings.${f.type}`, timeS: 0 };
      // An info finding ("no bottleneck at this load") is reported, never a failure.
      if (f.severity === 'info') c.systemOut = findingBody(f);
      else c.failure = { message: `${f.id} ${f.severity}: ${f.title}`, type: f.severity, body: findingBody(f) };
      return c;
    });
  count(findingCases);
  suites.push(
    suiteXml('findings', findingCases, record.startedAt, [
      ['min_severity', opts.minSeverity ?? 'medium'],
      ['assessment_id', record.id],
      ['target', record.target],
    ]),
  );
  const totals = attrs({
    name: `speedguard assess ${record.target}`,
    tests,
    failures,
    errors: 0,
    skipped,
    time: secs(record.durationMs / 1000),
  });
  return ['<?xml version="1.0" encoding="UTF-8"?>', `<testsuites${totals}>`, ...suites, '</testsuites>', ''].join('\n');
}
