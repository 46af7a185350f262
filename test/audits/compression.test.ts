import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { compression } from '../../src/audits/compression.ts';
import { fakeAssessment, fakePhase, fakeRun, steady } from '../helpers/fake-records.ts';
import { API, ctx, healthyAssessment, inspection } from './helpers.ts';

const plain = (bodyBytes: number, type = 'application/json') =>
  inspection({ name: API, headers: { 'content-type': type }, encoding: null, bodyBytes, transferBytes: bodyBytes });

describe('compression', () => {
  it('a 50 KB JSON body served uncompressed: medium, with the expected saving and its bandwidth', () => {
    const phase = fakePhase('baseline', fakeRun({ seconds: steady(20, 100, 20), name: API }));
    const [f, ...rest] = compression.run(ctx(fakeAssessment([phase], { inspection: [plain(50_000)] })));
    assert.equal(rest.length, 0);
    assert.equal(f!.severity, 'medium');
    assert.equal(f!.type, 'network');
    const get = (l: string) => f!.evidence.find((e) => e.label === l)?.value;
    assert.equal(get('expected saving per response'), 37_500);
    assert.equal(get('transfer time saved per response on a 1.6 Mbit/s mobile link'), 188);
    assert.equal(get('measured rate'), 100);
    assert.equal(get('bandwidth saved at the measured rate'), 3_750_000);
    assert.match(f!.title, /48\.8 KB of JSON served uncompressed \(~75 % saving with gzip\)/);
  });

  it('a 2 KB HTML body is low (saving well under 100 ms on mobile)', () => {
    const [f] = compression.run(ctx(fakeAssessment([], { inspection: [plain(2000, 'text/html')] })));
    assert.equal(f!.severity, 'low');
    assert.ok(!f!.evidence.some((e) => e.label === 'measured rate'), 'no rate without a phase');
  });

  it('stays silent for compressed, small, binary or failed responses, and a healthy service', () => {
    assert.deepEqual(
      compression.run(
        ctx(
          fakeAssessment([], {
            inspection: [
              inspection({ name: API, bodyBytes: 50_000, transferBytes: 9000 }),
              plain(900),
              plain(500_000, 'image/png'),
              { ...plain(50_000), status: 500 },
            ],
          }),
        ),
      ),
      [],
    );
    assert.deepEqual(compression.run(ctx(healthyAssessment())), []);
  });
});
