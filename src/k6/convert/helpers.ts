// Small functions the converted script gets when it used a k6 call speedguard has no export for.
// Each is plain TypeScript that type-checks under `strict`, written once here.
export const HELPERS: Record<string, string> = {
  fail: `/** k6's fail(): ends the iteration with an error. */
function fail(message?: string): never {
  throw new Error(message ?? 'fail() called');
}`,
  batch: `/** k6's http.batch(): every request at once, answers in the shape given (array or object). */
async function batch(requests: any): Promise<any> {
  const one = (r: any) =>
    typeof r === 'string'
      ? http.get(r)
      : Array.isArray(r)
        ? http.request(r[0], r[1], r[2], r[3])
        : http.request(r.method ?? 'GET', r.url, r.body, r.params);
  if (Array.isArray(requests)) return Promise.all(requests.map(one));
  const keys = Object.keys(requests);
  const answers = await Promise.all(keys.map((k) => one(requests[k])));
  return Object.fromEntries(keys.map((k, i) => [k, answers[i]]));
}`,
  inOrder: `/** An array method with an async callback, one element after the other (as k6 runs it). */
async function inOrder(items: any, method: string, fn: (...args: any[]) => any, ...rest: any[]): Promise<any> {
  const list: any[] = Array.from(items);
  const out: any[] = [];
  let acc = rest[0];
  for (let i = 0; i < list.length; i++) {
    if (method === 'reduce') {
      acc = i === 0 && rest.length === 0 ? list[0] : await fn(acc, list[i], i, list);
      continue;
    }
    const v = await fn(list[i], i, list);
    if (method === 'map') out.push(v);
    else if (method === 'flatMap') out.push(...(Array.isArray(v) ? v : [v]));
    else if (method === 'filter' && v) out.push(list[i]);
    else if (method === 'some' && v) return true;
    else if (method === 'every' && !v) return false;
    else if (method === 'find' && v) return list[i];
    else if (method === 'findIndex' && v) return i;
  }
  if (method === 'reduce') return acc;
  if (method === 'some') return false;
  if (method === 'every') return true;
  if (method === 'findIndex') return -1;
  return method === 'forEach' || method === 'find' ? undefined : out;
}`,
  b64encode: `/** k6/encoding's b64encode (std or url alphabet). */
function b64encode(input: string | ArrayBuffer, encoding: 'std' | 'rawstd' | 'url' | 'rawurl' = 'std'): string {
  const buf = typeof input === 'string' ? Buffer.from(input) : Buffer.from(input);
  const text = buf.toString(encoding.endsWith('url') ? 'base64url' : 'base64');
  if (encoding.startsWith('raw')) return text.replace(/=+$/, '');
  return encoding === 'url' ? text.padEnd(Math.ceil(text.length / 4) * 4, '=') : text;
}`,
  b64decode: `/** k6/encoding's b64decode: an ArrayBuffer, or a string with format 's'. */
function b64decode(input: string, encoding: 'std' | 'rawstd' | 'url' | 'rawurl' = 'std', format?: 's'): any {
  const buf = Buffer.from(input, encoding.endsWith('url') ? 'base64url' : 'base64');
  return format === 's' ? buf.toString('utf8') : buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength);
}`,
};
