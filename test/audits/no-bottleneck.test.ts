import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { summaryContext } from '../../src/audits/index.ts';
import { compression } from '../../src/audits/compression.ts';
import { noBottleneck } from '../../src/audits/no-bottleneck.ts';
import type { AuditContext } from '../../src/audits/types.ts';
import { fakeAssessment, fakePhase, fakeRun, steady } from '../helpers/fake-records.ts';
import { API, ctx, healthyAssessment, inspection } from './helpers.ts';

/** What runAudits gives it: the record and the first pass's findings. */
const judge = (c: AuditContext) => noBottleneck.summarise(summaryContext(c));

describe('no-bottleneck', () => {
  it('a healthy service gets an info finding with the headroom figures', () => {
    const [f, ...rest] = judge(ctx(healthyAssessment()));
    assert.equal(rest.length, 0);
    assert.equal(f!.severity, 'info');
    assert.match(f!.title, /No bottleneck at 100 req\/s/);
    const p95 = f!.evidence.find((e) => e.label.startsWith('p95 latency') && e.phase === 'baseline')!;
    assert.ok((p95.value as number) > 20 && (p95.value as number) < 100, `p95 ${p95.value}`);
    assert.equal(f!.evidence.find((e) => e.label === 'sustainable / expected rate')!.value, 8);
    assert.match(f!.description, /capacity 800 req\/s, 8× the expected 100 req\/s/);
    assert.match(f!.description, /4× spike absorbed/);
  });

  it('stays silent when another audit found something at medium or above', () => {
    const rec = healthyAssessment();
    rec.inspection.push(
      inspection({
        name: API + '/big',
        headers: { 'content-type': 'application/json' },
        encoding: null,
        bodyBytes: 80_000,
        transferBytes: 80_000,
      }),
    );
    assert.equal(compression.run(ctx(rec)).find((f) => f.location?.endpoint === API + '/big')?.severity, 'medium');
    assert.deepEqual(judge(ctx(rec)), []);
  });

  it('low findings do not contradict it, but an SLO miss (even marginal) does', () => {
    const tip = { ...judge(ctx(healthyAssessment()))[0]!, audit: 'tip', severity: 'low' as const };
    const [f] = noBottleneck.summarise({ ...ctx(healthyAssessment()), findings: [tip], failedAudits: [] });
    assert.match(f!.description, /minor: tip/);
    const marginal = fakeAssessment([fakePhase('baseline', fakeRun({ seconds: steady(20, 50, 220), name: API }))]);
    assert.deepEqual(judge(ctx(marginal)), []);
  });

  it('says nothing about a failed assessment or one without measurements, nor when an audit crashed', () => {
    const failed = healthyAssessment();
    failed.status = 'failed';
    assert.deepEqual(judge(ctx(failed)), []);
    assert.deepEqual(judge(ctx(fakeAssessment([]))), []);
    assert.deepEqual(noBottleneck.summarise({ ...ctx(healthyAssessment()), findings: [], failedAudits: ['broken'] }), []);
  });
});
