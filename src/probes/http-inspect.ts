// Before the load, look at each endpoint once as a browser would (offering gzip and br): the
// headers that decide caching, compression and keep-alive, and the body size on the wire and decoded.
// The HTTP caching, compression and payload audits read these records.
import { brotliDecompressSync, gunzipSync, inflateSync } from 'node:zlib';
import { clientOptionsFor, createHttpClient } from '../engine/http/client.ts';
import { prepareRequest } from '../engine/http/encode.ts';
import { normaliseUrlName } from '../metrics/tags.ts';
import { compileTemplate } from '../plan/template.ts';
import type { Plan, Step } from '../plan/types.ts';
import type { HttpInspection } from '../record/assessment-record.ts';
import { redactUrl } from '../record/redact.ts';

const KEEP = [
  'cache-control',
  'etag',
  'last-modified',
  'expires',
  'vary',
  'content-encoding',
  'content-type',
  'content-length',
  'connection',
  'keep-alive',
  'transfer-encoding',
  'age',
];

function requestSteps(steps: readonly Step[]): Array<Extract<Step, { kind: 'request' }>> {
  return steps.flatMap((s) => (s.kind === 'request' ? [s] : s.kind === 'group' ? requestSteps(s.steps) : []));
}

function decodedLength(body: Buffer, encoding: string | null): number {
  try {
    switch (encoding) {
      case 'gzip':
      case 'x-gzip':
        return gunzipSync(body).length;
      case 'br':
        return brotliDecompressSync(body).length;
      case 'deflate':
        return inflateSync(body).length;
      default:
        return body.length;
    }
  } catch {
    return body.length;
  }
}

export async function inspectEndpoints(plan: Plan, timeoutMs = 10_000): Promise<HttpInspection[]> {
  const flow = Object.values(plan.scenarios)[0]?.flow;
  if (!flow) return [];
  const client = createHttpClient({ ...clientOptionsFor(plan.http), keepAlive: true, pipelining: 1 });
  const seen = new Set<string>();
  const out: HttpInspection[] = [];
  const vars = { env: plan.env, __VU: '1', __ITER: '0', __SCENARIO: 'inspect' };
  try {
    for (const step of requestSteps(flow)) {
      if (step.method !== 'GET') continue;
      let url: string;
      const headers: Record<string, string> = {};
      try {
        url = compileTemplate(step.url)(vars);
        for (const [k, v] of Object.entries(step.headers)) headers[k] = compileTemplate(v)(vars);
      } catch {
        continue; // needs a captured value or feeder row: only known mid-flow
      }
      if (seen.has(url)) continue;
      seen.add(url);
      headers['accept-encoding'] = 'gzip, br';
      const req = prepareRequest('GET', url, headers, null);
      const res = await client.send(req, { keepBody: true, requestTimeoutMs: timeoutMs });
      const kept: Record<string, string> = {};
      for (const h of KEEP) if (res.headers[h] !== undefined) kept[h] = res.headers[h]!;
      const encoding = res.headers['content-encoding']?.toLowerCase() ?? null;
      const body = res.body ?? Buffer.alloc(0);
      out.push({
        method: 'GET',
        url: redactUrl(url),
        name: step.name ?? normaliseUrlName(req.url),
        status: res.status,
        headers: kept,
        transferBytes: res.bodyBytes,
        bodyBytes: decodedLength(body, encoding && encoding !== 'identity' ? encoding : null),
        encoding: encoding && encoding !== 'identity' ? encoding : null,
        error: res.error ? `${res.error.kind}: ${res.error.message}` : null,
      });
    }
  } finally {
    client.close();
  }
  return out;
}
