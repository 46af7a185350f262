// The `k6/encoding` module: base64 in k6's four variants (std, rawstd, url, rawurl).
import './runtime.ts';

type Variant = 'std' | 'rawstd' | 'url' | 'rawurl';

function bytes(input: string | ArrayBuffer | ArrayBufferView): Buffer {
  if (typeof input === 'string') return Buffer.from(input, 'utf8');
  if (input instanceof ArrayBuffer) return Buffer.from(input);
  return Buffer.from(input.buffer, input.byteOffset, input.byteLength);
}

export function b64encode(input: string | ArrayBuffer | ArrayBufferView, encoding: Variant = 'std'): string {
  const buf = bytes(input);
  const url = encoding === 'url' || encoding === 'rawurl';
  let out = buf.toString(url ? 'base64url' : 'base64');
  // Node's base64url has no padding; k6's "url" has it, "rawstd"/"rawurl" do not.
  if (encoding === 'url') out += '='.repeat((4 - (out.length % 4)) % 4);
  if (encoding === 'rawstd') out = out.replace(/=+$/, '');
  return out;
}

export function b64decode(input: string, encoding: Variant = 'std', format?: string): string | ArrayBuffer {
  const url = encoding === 'url' || encoding === 'rawurl';
  const buf = Buffer.from(input, url ? 'base64url' : 'base64');
  if (format === 's') return buf.toString('utf8');
  return buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength) as ArrayBuffer;
}

export default { b64encode, b64decode };
