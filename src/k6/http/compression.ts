// k6's `compression` request param: the body is compressed with each listed algorithm in turn
// ("gzip", "deflate", "br", "zstd", or several: "gzip, br") and Content-Encoding says which.
import zlib from 'node:zlib';

type Compress = (b: Buffer) => Buffer;

const ALGORITHMS: Record<string, Compress | undefined> = {
  gzip: (b) => zlib.gzipSync(b),
  deflate: (b) => zlib.deflateSync(b),
  br: (b) => zlib.brotliCompressSync(b),
  // zstd is in node:zlib from Node 23.8 on.
  zstd: (zlib as { zstdCompressSync?: Compress }).zstdCompressSync,
};

/** Compresses the body and sets Content-Encoding (k6 refuses the param with a Content-Encoding header already set). */
export function compressBody(body: Buffer | string | null, compression: string, headers: Record<string, string>): Buffer | string | null {
  const names = compression
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (names.length === 0) return body;
  if (Object.keys(headers).some((h) => h.toLowerCase() === 'content-encoding'))
    throw new Error(`http: the compression param ("${compression}") cannot be combined with a Content-Encoding header (as in k6)`);
  let out = typeof body === 'string' ? Buffer.from(body, 'utf8') : (body ?? Buffer.alloc(0));
  for (const name of names) {
    const fn = ALGORITHMS[name];
    if (!fn) throw new Error(`http: unknown compression algorithm "${name}" (k6 knows gzip, deflate, br and zstd)`);
    out = fn(out);
  }
  headers['Content-Encoding'] = names.join(', ');
  return out;
}
