// Property tests: a valid response parses the same whatever the split; garbage never throws or spins.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { ParseState } from '../../../src/engine/http/parser.ts';
import { isDeepStrictEqual } from 'node:util';
import { parsePieces, splitAt } from './parse-helpers.ts';

// Shrinking large counterexamples can take minutes: stop it and report what was found so far.
const LIMITS = { interruptAfterTimeLimit: 8000, markInterruptAsFailure: true };

interface Spec {
  status: number;
  reason: string;
  headers: [string, string][];
  body: Uint8Array;
  framing: 'length' | 'chunked';
  chunkCuts: number[];
  extensions: boolean;
  trailers: [string, string][];
}

const charsOf = (codes: number[]) => fc.constantFrom(...codes.map((c) => String.fromCharCode(c)));
const range = (a: number, z: number) => Array.from({ length: z - a + 1 }, (_, i) => a + i);
const tokenChars = charsOf([
  ...range(48, 57),
  ...range(65, 90),
  ...range(97, 122),
  ..."!#$%&'*+-.^_`|~".split('').map((c) => c.charCodeAt(0)),
]);
// Visible ASCII and obs-text (0x80-0xff); inner spaces allowed.
const valueChars = charsOf([...range(0x21, 0x7e), ...range(0x80, 0xff), 0x20, 0x09]);

const reserved = new Set(['content-length', 'transfer-encoding', 'connection']);
const headerName = fc.string({ unit: tokenChars, minLength: 1, maxLength: 12 }).filter((n) => !reserved.has(n.toLowerCase()));
const headerValue = fc.string({ unit: valueChars, maxLength: 30 }).map((v) => v.replace(/^[ \t]+|[ \t]+$/g, ''));

const specArb: fc.Arbitrary<Spec> = fc.record({
  status: fc.integer({ min: 200, max: 599 }).filter((s) => s !== 204 && s !== 304),
  reason: fc.string({ unit: charsOf([...range(0x20, 0x7e)]), maxLength: 20 }),
  headers: fc.array(fc.tuple(headerName, headerValue), { maxLength: 8 }),
  body: fc.uint8Array({ maxLength: 3000, size: 'large' }),
  framing: fc.constantFrom('length' as const, 'chunked' as const),
  chunkCuts: fc.array(fc.nat(3000), { maxLength: 10 }),
  extensions: fc.boolean(),
  trailers: fc.array(fc.tuple(headerName, headerValue), { maxLength: 3 }),
});

function serialise(s: Spec): Buffer {
  let head = `HTTP/1.1 ${s.status} ${s.reason}`.replace(/ $/, '') + '\r\n';
  for (const [n, v] of s.headers) head += `${n}: ${v}\r\n`;
  const body = Buffer.from(s.body);
  if (s.framing === 'length') {
    head += `Content-Length: ${body.length}\r\n\r\n`;
    return Buffer.concat([Buffer.from(head, 'latin1'), body]);
  }
  head += 'Transfer-Encoding: chunked\r\n\r\n';
  const parts: Buffer[] = [Buffer.from(head, 'latin1')];
  for (const piece of splitAt(body, s.chunkCuts)) {
    if (piece.length === 0) continue;
    parts.push(Buffer.from(`${piece.length.toString(16)}${s.extensions ? ';x="y"' : ''}\r\n`, 'latin1'), piece, Buffer.from('\r\n'));
  }
  let tail = '0\r\n';
  for (const [n, v] of s.trailers) tail += `${n}: ${v}\r\n`;
  parts.push(Buffer.from(tail + '\r\n', 'latin1'));
  return Buffer.concat(parts);
}

function expectedHeaders(s: Spec): Record<string, string> {
  const h: Record<string, string> = {};
  const add = (n: string, v: string) => {
    if (Object.hasOwn(h, n)) h[n] += (n === 'set-cookie' ? '\n' : ', ') + v;
    else Object.defineProperty(h, n, { value: v, enumerable: true, writable: true, configurable: true });
  };
  for (const [n, v] of s.headers) add(n.toLowerCase(), v);
  add(s.framing === 'length' ? 'content-length' : 'transfer-encoding', s.framing === 'length' ? String(s.body.length) : 'chunked');
  return h;
}

test('any valid response parses the same split at random points as unsplit', () => {
  fc.assert(
    fc.property(specArb, fc.array(fc.nat(10_000), { maxLength: 40 }), (spec, cuts) => {
      const raw = serialise(spec);
      const whole = parsePieces([raw]);
      const split = parsePieces(splitAt(raw, cuts));
      assert.equal(whole.responses.length, 1, whole.errorMessage);
      // Boolean checks with short messages: assert's diff of long strings makes shrinking crawl.
      assert.ok(isDeepStrictEqual(split.responses, whole.responses), `split parse differs: ${split.errorMessage}`);
      const r = whole.responses[0]!;
      assert.equal(r.status, spec.status);
      assert.ok(isDeepStrictEqual(r.headers, expectedHeaders(spec)), 'headers differ');
      assert.ok(r.body === Buffer.from(spec.body).toString('latin1'), 'body differs');
      assert.equal(r.bodyBytes, spec.body.length);
      assert.equal(r.bytesRead, raw.length);
    }),
    { ...LIMITS, numRuns: 300 },
  );
});

test('pipelined valid responses split anywhere parse in order', () => {
  fc.assert(
    fc.property(fc.array(specArb, { minLength: 2, maxLength: 4 }), fc.array(fc.nat(20_000), { maxLength: 30 }), (specs, cuts) => {
      const raws = specs.map(serialise);
      const out = parsePieces(splitAt(Buffer.concat(raws), cuts), { keepBody: false });
      assert.equal(out.responses.length, specs.length, out.errorMessage);
      out.responses.forEach((r, i) => {
        assert.equal(r.status, specs[i]!.status);
        assert.equal(r.body, null);
        assert.equal(r.bodyBytes, specs[i]!.body.length);
        assert.equal(r.bytesRead, raws[i]!.length);
      });
    }),
    { ...LIMITS, numRuns: 150 },
  );
});

const settled = new Set<number>([ParseState.COMPLETE, ParseState.ERROR, ParseState.HEAD, ParseState.BODY]);

test('random garbage never throws and ends complete, malformed or incomplete', () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 2000 }), fc.array(fc.nat(2000), { maxLength: 20 }), fc.boolean(), (bytes, cuts, eof) => {
      const out = parsePieces(splitAt(Buffer.from(bytes), cuts), { eof, maxHeaderBytes: 512, maxBodyBytes: 4096 });
      assert.ok(settled.has(out.state));
      if (out.state === ParseState.ERROR) assert.ok(out.errorKind !== null && out.errorMessage !== '');
      if (eof) assert.ok(out.state === ParseState.COMPLETE || out.state === ParseState.ERROR);
    }),
    { ...LIMITS, numRuns: 500 },
  );
});

test('truncated and mutated valid responses never throw and end in a defined state', () => {
  fc.assert(
    fc.property(
      specArb,
      fc.nat(),
      fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 4 }),
      fc.array(fc.nat(5000), { maxLength: 20 }),
      fc.boolean(),
      (spec, cut, flips, cuts, eof) => {
        const raw = Buffer.from(serialise(spec));
        for (const [at, v] of flips) raw[at % raw.length] = v;
        const truncated = raw.subarray(0, cut % (raw.length + 1));
        const out = parsePieces(splitAt(truncated, cuts), { eof, maxBodyBytes: 2000 });
        assert.ok(settled.has(out.state));
        if (out.state === ParseState.ERROR) {
          assert.ok(['malformed', 'body_too_large', 'closed_early'].includes(out.errorKind!));
        }
        if (eof) assert.ok(out.state === ParseState.COMPLETE || out.state === ParseState.ERROR);
      },
    ),
    { ...LIMITS, numRuns: 500 },
  );
});

test('lazy headers: the response object decodes the same headers as the eager model; without keepHeaders, the same framing', async () => {
  const { LazyHeadersResponse } = await import('../../../src/engine/http/response.ts');
  fc.assert(
    fc.property(specArb, fc.array(fc.nat(10_000), { maxLength: 10 }), (spec, cuts) => {
      const raw = serialise(spec);
      const kept = parsePieces(splitAt(raw, cuts));
      const skipped = parsePieces(splitAt(raw, cuts), { keepHeaders: false });
      assert.equal(kept.responses.length, 1, kept.errorMessage);
      const k = kept.responses[0]!;
      const timings = {
        blocked: 0,
        connecting: 0,
        tlsHandshaking: 0,
        sending: 0,
        waiting: 0,
        receiving: 0,
        duration: 0,
        startedAt: 0,
        endedAt: 0,
      };
      const res = new LazyHeadersResponse(
        k.status,
        k.statusText,
        k.httpVersion,
        k.headText,
        null,
        k.bodyBytes,
        raw.length,
        0,
        timings,
        null,
        false,
      );
      assert.ok(isDeepStrictEqual(res.headers, expectedHeaders(spec)), 'lazy headers differ from the eager model');
      assert.equal(res.headers, res.headers, 'decoded once');
      const s = skipped.responses[0]!;
      assert.ok(
        isDeepStrictEqual({ ...s, headers: null, headText: null }, { ...k, headers: null, headText: null }),
        'framing differs without headers',
      );
      assert.deepEqual(s.headers, {});
    }),
    { ...LIMITS, numRuns: 200 },
  );
});
