import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { httpCaching } from '../../src/audits/http-caching.ts';
import { fakeAssessment, fakePhase, fakeRun, steady } from '../helpers/fake-records.ts';
import { API, ctx, healthyAssessment, inspection } from './helpers.ts';

const run = (inspections: ReturnType<typeof inspection>[], phases = [] as ReturnType<typeof fakePhase>[]) =>
  httpCaching.run(ctx(fakeAssessment(phases, { inspection: inspections })));

describe('http-caching', () => {
  it('a 200 GET with no caching headers at all is low; the evidence shows the headers', () => {
    const [f, ...rest] = run([inspection({ name: API, headers: { 'content-type': 'application/json' } })]);
    assert.equal(rest.length, 0);
    assert.equal(f!.severity, 'low');
    assert.deepEqual(f!.location, { endpoint: API });
    assert.match(f!.title, /GET \/api\/products: cacheable GET without Cache-Control, ETag or Last-Modified/);
    assert.equal(f!.evidence.find((e) => e.label === 'Cache-Control')!.value, '(none)');
  });

  it('medium when the endpoint misses the SLO at the expected load', () => {
    const slow = fakePhase('baseline', fakeRun({ seconds: steady(20, 50, 450), name: API }));
    const [f] = run([inspection({ name: API, headers: { 'content-type': 'application/json' } })], [slow]);
    assert.equal(f!.severity, 'medium');
    assert.ok(f!.evidence.some((e) => e.label === 'p95 latency at the expected load' && e.phase === 'baseline' && e.value === 450));
  });

  it('static assets: no headers or no-store is medium (frontend)', () => {
    const css = 'http://127.0.0.1:3000/static/app.css';
    const [a] = run([inspection({ name: css, headers: { 'content-type': 'text/css' } })]);
    assert.equal(a!.severity, 'medium');
    assert.equal(a!.type, 'frontend');
    const [b] = run([
      inspection({ name: 'http://127.0.0.1:3000/logo', headers: { 'content-type': 'image/png', 'cache-control': 'no-store' } }),
    ]);
    assert.match(b!.title, /static content served with Cache-Control: no-store/);
  });

  it('stays silent when a policy is stated, for non-200s and errors, and for a healthy service', () => {
    assert.deepEqual(
      run([
        inspection({ name: API }),
        inspection({ name: API + '/me', headers: { 'content-type': 'application/json', 'cache-control': 'private, no-store' } }),
        inspection({ name: API + '/x', headers: { 'content-type': 'application/json', etag: '"1"' } }),
        inspection({ name: API + '/y', headers: { 'content-type': 'application/json', 'last-modified': 'Tue, 24 Nov 2026 10:00:00 GMT' } }),
        inspection({ name: API + '/missing', status: 404, headers: {} }),
        inspection({ name: API + '/down', status: 0, headers: {}, error: 'connect_refused: refused' }),
      ]),
      [],
    );
    assert.deepEqual(httpCaching.run(ctx(healthyAssessment())), []);
  });
});
