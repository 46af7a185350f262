import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { payloadSize } from '../../src/audits/payload-size.ts';
import { fakeAssessment, fakePhase, fakeRun, steady } from '../helpers/fake-records.ts';
import { API, ORDERS, ctx, healthyAssessment, inspection, multiRun } from './helpers.ts';

describe('payload-size', () => {
  it('> 100 KB per response from the inspection is low, with the bandwidth at the measured rate', () => {
    const phase = fakePhase(
      'baseline',
      multiRun([
        { seconds: steady(20, 10, 30), name: API },
        { seconds: steady(20, 10, 30), name: ORDERS },
      ]),
    );
    const rec = fakeAssessment([phase], { inspection: [inspection({ name: API, transferBytes: 300_000, bodyBytes: 1_200_000 })] });
    const [f, ...rest] = payloadSize.run(ctx(rec));
    assert.equal(rest.length, 0);
    assert.equal(f!.severity, 'low');
    assert.deepEqual(f!.location, { endpoint: API });
    assert.equal(f!.evidence.find((e) => e.label === 'mean bytes per response')!.value, 300_000);
    assert.ok(f!.evidence.some((e) => e.label === 'bandwidth at the measured rate' && e.unit === 'Mbit/s' && e.value === 24));
  });

  it('over 1 MB, or over 100 Mbit/s at the measured rate, is medium; from the run when not inspected', () => {
    const huge = payloadSize.run(ctx(fakeAssessment([], { inspection: [inspection({ name: API, transferBytes: 2_000_000 })] })));
    assert.equal(huge[0]!.severity, 'medium');
    const busy = fakePhase('baseline', fakeRun({ seconds: steady(20, 100, 30), name: API, bytesPerResponse: 200_000 }));
    const [f] = payloadSize.run(ctx(fakeAssessment([busy])));
    assert.equal(f!.severity, 'medium', '200 KB × 100 req/s = 160 Mbit/s');
    assert.match(f!.evidence.find((e) => e.label === 'measured by')!.value as string, /data_received/);
    assert.equal(f!.evidence.find((e) => e.label === 'mean bytes per response')!.phase, 'baseline');
  });

  it('stays silent for ordinary sizes and a healthy service; run bytes are not guessed across endpoints', () => {
    assert.deepEqual(payloadSize.run(ctx(healthyAssessment())), []);
    const mixed = fakePhase(
      'baseline',
      multiRun([
        { seconds: steady(20, 10, 30), name: API, bytesPerResponse: 500_000 },
        { seconds: steady(20, 10, 30), name: ORDERS },
      ]),
    );
    assert.deepEqual(payloadSize.run(ctx(fakeAssessment([mixed]))), []);
  });
});
