import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { Ajv } from 'ajv';
import schema from '../../schema/assessment-envelope.schema.json' with { type: 'json' };
import type { TargetProbes } from '../../src/record/target-probes.ts';
import { fakeTargetProbes } from '../helpers/fake-probes.ts';
import { buildEnvelope } from '../../src/report/envelope.ts';
import { decideVerdict } from '../../src/assess/verdict.ts';
import type { Finding } from '../../src/record/findings.ts';
import type { PhaseRecord } from '../../src/record/assessment-record.ts';
import type { Comparison } from '../../src/record/comparison.ts';
import { ALL_RECORDS, comparison, emptyRecord, finding, healthyRecord, hostileRecord, troubledRecord, HOSTILE } from './fixtures.ts';

type Node = Record<string, any>;
const validate = new Ajv({ allowUnionTypes: true, allErrors: true }).compile(schema);

test('schema/assessment-envelope.schema.json is a draft-07 schema ajv compiles in strict mode', () => {
  const ajv = new Ajv({ strict: true, allowUnionTypes: true });
  assert.equal(ajv.validateSchema(schema), true, JSON.stringify(ajv.errors));
  assert.equal(typeof ajv.compile(schema), 'function');
  assert.equal((schema as Node).$schema, 'http://json-schema.org/draft-07/schema#');
});

test('every property of the schema is described and every object is closed (additionalProperties false)', () => {
  const problems: string[] = [];
  const walk = (node: Node, path: string) => {
    if (!node || typeof node !== 'object') return;
    const types = [node.type].flat();
    if (types.includes('object')) {
      if (node.additionalProperties !== false) problems.push(`${path}: additionalProperties is not false`);
      for (const [k, v] of Object.entries<Node>(node.properties ?? {})) {
        if (typeof v.description !== 'string' || v.description.length < 3) problems.push(`${path}.${k}: no description`);
        walk(v, `${path}.${k}`);
      }
      for (const r of node.required ?? []) if (!(r in (node.properties ?? {}))) problems.push(`${path}: required ${r} is not a property`);
    }
    if (node.items) walk(node.items, `${path}[]`);
  };
  walk(schema as Node, '$');
  assert.deepEqual(problems, []);
});

test('envelopes built from every fixture record validate against the schema', () => {
  for (const [name, make] of Object.entries(ALL_RECORDS)) {
    const env = buildEnvelope(make());
    assert.equal(validate(env), true, `${name}: ${JSON.stringify(validate.errors, null, 1)}`);
    // JSON round trip: nothing but JSON values (no NaN/Infinity turned into null silently, no undefined).
    assert.deepEqual(JSON.parse(JSON.stringify(env)), env, name);
  }
});

test('the schema rejects unknown fields, capacity as a string and a bad status', () => {
  const env = buildEnvelope(troubledRecord()) as Node;
  assert.equal(validate({ ...env, extra: 1 }), false);
  assert.equal(validate({ ...env, capacity_planning: { ...env.capacity_planning, current_capacity: '150 req/s' } }), false);
  assert.equal(validate({ ...env, performance_status: 'fine' }), false);
  assert.equal(validate({ ...env, overall_score: 11 }), false);
  assert.equal(validate({ ...env, bottlenecks: [{ ...env.bottlenecks[0], id: 'BUG-1' }] }), false);
});

test('troubled record: status, score, metrics with units, bottlenecks most severe first, OPT ids', () => {
  const env = buildEnvelope(troubledRecord(), { taskId: 'task-42', from: 'ci' }) as Node;
  assert.equal(env.from, 'ci');
  assert.equal(env.task_id, 'task-42');
  assert.equal(env.assessment_id, 'assess-troubled-0002');
  assert.equal(env.assessment_type, 'capacity_planning');
  assert.equal(env.performance_status, 'critical');
  assert.ok(env.overall_score >= 0 && env.overall_score < 3, String(env.overall_score));
  assert.deepEqual(env.findings_by_severity, { critical: 1, high: 1, medium: 1, low: 1, info: 1 });

  const rt = env.metrics.response_time;
  assert.equal(rt.unit, 'ms');
  assert.equal(rt.phase, 'baseline');
  assert.equal(rt.target, 200);
  assert.equal(rt.percentile, 95);
  assert.ok(Math.abs(rt.p95 - 900) < 2, `p95 ${rt.p95}`);
  assert.ok(Math.abs(rt.p99 - 6000) < 10, `p99 ${rt.p99}`);
  assert.equal(rt.current, rt.p95);
  assert.equal(env.metrics.throughput.unit, 'req/s');
  assert.equal(env.metrics.throughput.current, 40);
  assert.equal(env.metrics.throughput.target, 40);
  assert.equal(env.metrics.throughput.peak_capacity, 150);
  assert.equal(env.metrics.error_rate.current, 0.075);
  assert.equal(env.metrics.resource_utilization.cpu_average, null);
  assert.equal(env.metrics.database_performance.query_time_avg, null);

  assert.deepEqual(
    env.bottlenecks.map((b: Node) => [b.id, b.severity, b.priority]),
    [
      ['PERF-001', 'critical', 'P0'],
      ['PERF-002', 'high', 'P1'],
      ['PERF-003', 'medium', 'P2'],
      ['PERF-004', 'low', 'P3'],
    ],
  );
  assert.deepEqual(env.bottlenecks[1].location, { file: 'src/db.ts', line: 42, function: 'query', endpoint: null });
  assert.equal(env.bottlenecks[0].optimization.rollback_plan, 'Revert the commit');
  assert.deepEqual(
    env.observations.map((o: Node) => o.id),
    ['PERF-005'],
  );
  assert.deepEqual(
    env.optimizations.map((o: Node) => [o.id, o.finding_id, o.priority]),
    [
      ['OPT-001', 'PERF-001', 'P0'],
      ['OPT-002', 'PERF-002', 'P1'],
      ['OPT-003', 'PERF-003', 'P2'],
      ['OPT-004', 'PERF-004', 'P3'],
    ],
  );
  assert.deepEqual(
    env.next_actions.map((a: Node) => [a.priority, a.respond_within_hours, a.blocks_deployment]),
    [
      ['P0', 4, true],
      ['P1', 24, false],
      ['P2', 72, false],
      ['P3', null, false],
    ],
  );

  const sc = env.load_testing.scenarios;
  assert.deepEqual(
    sc.map((s: Node) => [s.name, s.result, s.concurrent_users]),
    [
      ['baseline', 'failed', 30],
      ['stress', 'degraded', 10],
    ],
  );
  assert.equal(sc[0].duration, 10);
  assert.equal(sc[0].error_rate, 0.075);
  assert.equal(sc[0].units.avg_response_time, 'ms');
  assert.deepEqual(env.load_testing.skipped_scenarios, [{ name: 'sustained', reason: 'not in --suite' }]);

  const cap = env.capacity_planning;
  assert.equal(cap.current_capacity, 150);
  assert.equal(typeof cap.current_capacity, 'number');
  assert.equal(cap.current_capacity_unit, 'req/s');
  assert.equal(cap.max_concurrency, 3.3);
  assert.equal(cap.scaling_needed, true);
  assert.equal(cap.scaling_needed_by, '2027-05-25');
  assert.equal(cap.instances_needed, 4);
  assert.equal(cap.model.sigma, 0.031);
  assert.match(cap.infrastructure_recommendations.join(' '), /2027-05-25/);
  assert.ok(env.monitoring_recommendations.some((m: Node) => m.unit === 'req/s' && m.threshold === 120));
  assert.equal(env.performance_budget.response_time.limit, 200);
});

test('healthy record: optimal, no bottlenecks, load_testing type, info finding kept as an observation', () => {
  const env = buildEnvelope(healthyRecord()) as Node;
  assert.equal(env.performance_status, 'optimal');
  assert.ok(env.overall_score >= 9);
  assert.equal(env.assessment_type, 'load_testing');
  assert.deepEqual(env.bottlenecks, []);
  assert.deepEqual(env.optimizations, []);
  assert.equal(env.observations[0].title, 'No bottleneck at this load');
  assert.match(env.summary, /No bottleneck found/);
  assert.equal(env.capacity_planning.scaling_needed, null);
  assert.equal(env.metrics.throughput.peak_measured, 250);
});

test('empty record: nulls, never zeros, for what was not measured', () => {
  const env = buildEnvelope(emptyRecord()) as Node;
  assert.equal(env.run_status, 'failed');
  assert.equal(env.metrics.response_time.current, null);
  assert.equal(env.metrics.response_time.phase, null);
  assert.equal(env.metrics.throughput.current, null);
  assert.equal(env.metrics.throughput.peak_measured, null);
  assert.equal(env.capacity_planning.current_capacity, null);
  assert.deepEqual(env.load_testing.scenarios, []);
  assert.match(env.summary, /FAILED \(connection refused\)/);
});

test('hostile strings pass through the JSON unchanged (JSON.stringify escapes; nothing is lost)', () => {
  const env = buildEnvelope(hostileRecord()) as Node;
  assert.equal(env.bottlenecks[0].title, HOSTILE);
  assert.equal(env.target.endsWith(HOSTILE), true);
});

const phase = (name: PhaseRecord['name'], verdict: PhaseRecord['verdict']) => ({ name, verdict }) as PhaseRecord;

test('decideVerdict: the documented rules', () => {
  const st = (sev: Finding['severity'][], phases: PhaseRecord[]) =>
    decideVerdict({ findings: sev.map((s, i) => finding(`PERF-00${i + 1}`, s)), phases }).status;
  assert.equal(st([], [phase('baseline', 'passed')]), 'optimal');
  assert.equal(st(['info'], [phase('baseline', 'passed'), phase('stress', 'skipped')]), 'optimal');
  assert.equal(st(['low'], [phase('baseline', 'passed')]), 'acceptable');
  assert.equal(st([], [phase('spike', 'degraded')]), 'acceptable');
  assert.equal(st(['medium'], []), 'acceptable');
  assert.equal(st(['high'], []), 'degraded');
  assert.equal(st([], [phase('baseline', 'passed'), phase('stress', 'failed')]), 'degraded');
  assert.equal(st([], [phase('baseline', 'failed')]), 'critical');
  assert.equal(st(['critical'], [phase('baseline', 'passed')]), 'critical');
});

test('decideVerdict: property — score lies in its status band, and a worse finding never raises it', () => {
  const sev = fc.constantFrom<Finding['severity']>('critical', 'high', 'medium', 'low', 'info');
  const ph = fc.record({
    name: fc.constantFrom<PhaseRecord['name']>('baseline', 'stress', 'spike', 'sustained', 'recovery'),
    verdict: fc.constantFrom<PhaseRecord['verdict']>('passed', 'degraded', 'failed', 'skipped'),
  });
  const bands = { optimal: [9, 10], acceptable: [6, 8.9], degraded: [3, 5.9], critical: [0, 2.9] } as const;
  fc.assert(
    fc.property(fc.array(sev, { maxLength: 12 }), fc.array(ph, { maxLength: 6 }), sev, (sevs, phases, extra) => {
      const findings = sevs.map((s, i) => finding(`PERF-${String(i + 1).padStart(3, '0')}`, s));
      const a = decideVerdict({ findings, phases: phases as PhaseRecord[] });
      const [lo, hi] = bands[a.status];
      assert.ok(a.score >= lo && a.score <= hi, JSON.stringify(a));
      const b = decideVerdict({ findings: [...findings, finding('PERF-999', extra)], phases: phases as PhaseRecord[] });
      assert.ok(b.score <= a.score, `${JSON.stringify(a)} → ${JSON.stringify(b)} after adding ${extra}`);
    }),
    { numRuns: 300 },
  );
});

test('regression_check: null without a comparison, the brief outcome with one (schema-valid)', () => {
  const record = troubledRecord();
  assert.equal((buildEnvelope(record) as Node).regression_check, null);
  record.comparison = comparison();
  const env = buildEnvelope(record) as Node;
  assert.equal(validate(env), true, JSON.stringify(validate.errors));
  assert.deepEqual(
    { ...env.regression_check, metrics: undefined },
    {
      baseline_id: 'assess-before-0009',
      verdict: 'regressed',
      regressions: 1,
      improvements: 0,
      worst_severity: 'critical',
      metrics: undefined,
    },
  );
  assert.deepEqual(env.regression_check.metrics[0], {
    id: 'latency_p95',
    unit: 'ms',
    baseline: 180,
    current: 900.1,
    change_ratio: 4.001,
    p_value: 0.00002,
    significant: true,
    verdict: 'regression',
    severity: 'critical',
  });
  // Something that is not a stored Comparison is ignored rather than mis-rendered.
  record.comparison = { regressions: 3 } as unknown as Comparison;
  assert.equal((buildEnvelope(record) as Node).regression_check, null);
});

test('a profiled record carries its observer effect, validated by the schema; an unprofiled one says null', () => {
  const rec = troubledRecord();
  assert.equal((buildEnvelope(rec) as Node).observer_effect, null);
  const step = (rps: number, p50Ms: number) => ({ durationMs: 6000, requests: rps * 6, rps, p50Ms, p95Ms: p50Ms * 2 });
  const target: TargetProbes = {
    ...fakeTargetProbes({}),
    observer: {
      reference: step(100, 10),
      profiled: step(90, 11),
      throughputCost: 0.1,
      latencyCost: 0.1,
      samplingIntervalUs: 1000,
      model: 'closed',
      profilerThreadCpuPercent: 1.8,
    },
  };
  rec.probes = { ...rec.probes, target };
  const env = buildEnvelope(rec) as Node;
  assert.equal(validate(env), true, JSON.stringify(validate.errors, null, 1));
  const o = env.observer_effect;
  assert.equal(o.model, 'closed');
  assert.equal(o.phase, null);
  assert.equal(o.throughput_cost, 0.1);
  assert.deepEqual(o.profiled, { duration_ms: 6000, requests: 540, rps: 90, p50_ms: 11 });
  assert.match(o.summary, /^Profiling cost 10 % of the throughput \(90 vs 100 req\/s without the profilers/);
  assert.equal(validate({ ...env, observer_effect: { ...o, model: 'sometimes' } }), false);
});
