// The `k6/crypto` module on node:crypto: hashes, HMAC, random bytes, with k6's output encodings.
import { createHash as nodeHash, createHmac, randomBytes as nodeRandom, type BinaryToTextEncoding } from 'node:crypto';
import './runtime.ts';

type Input = string | ArrayBuffer | ArrayBufferView;
const ALGORITHMS: Record<string, string> = {
  md4: 'md4',
  md5: 'md5',
  sha1: 'sha1',
  sha256: 'sha256',
  sha384: 'sha384',
  sha512: 'sha512',
  sha512_224: 'sha512-224',
  sha512_256: 'sha512-256',
  ripemd160: 'ripemd160',
};

function algorithm(name: string): string {
  const a = ALGORITHMS[name];
  if (!a) throw new Error(`k6/crypto: unsupported algorithm ${JSON.stringify(name)} (supported: ${Object.keys(ALGORITHMS).join(', ')})`);
  return a;
}

function data(input: Input): string | Buffer {
  if (typeof input === 'string') return input;
  if (input instanceof ArrayBuffer) return Buffer.from(input);
  return Buffer.from(input.buffer, input.byteOffset, input.byteLength);
}

function output(buf: Buffer, encoding?: string): string | ArrayBuffer {
  if (encoding === 'hex' || encoding === 'base64' || encoding === 'base64url') return buf.toString(encoding as BinaryToTextEncoding);
  if (encoding === 'base64rawurl') return buf.toString('base64url');
  if (encoding === 'base64raw') return buf.toString('base64').replace(/=+$/, '');
  return buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength) as ArrayBuffer;
}

class Hasher {
  private readonly h: ReturnType<typeof nodeHash>;
  constructor(h: ReturnType<typeof nodeHash>) {
    this.h = h;
  }
  update(input: Input): void {
    this.h.update(data(input));
  }
  digest(encoding?: string): string | ArrayBuffer {
    return output(this.h.digest(), encoding);
  }
}

export const createHash = (alg: string) => new Hasher(nodeHash(algorithm(alg)));
export const createHMAC = (alg: string, secret: Input) =>
  new Hasher(createHmac(algorithm(alg), data(secret)) as unknown as ReturnType<typeof nodeHash>);
export const hmac = (alg: string, secret: Input, input: Input, encoding: string) => {
  const h = createHMAC(alg, secret);
  h.update(input);
  return h.digest(encoding);
};
const hashWith = (alg: string) => (input: Input, encoding: string) => {
  const h = createHash(alg);
  h.update(input);
  return h.digest(encoding);
};
export const md4 = hashWith('md4');
export const md5 = hashWith('md5');
export const sha1 = hashWith('sha1');
export const sha256 = hashWith('sha256');
export const sha384 = hashWith('sha384');
export const sha512 = hashWith('sha512');
export const sha512_224 = hashWith('sha512_224');
export const sha512_256 = hashWith('sha512_256');
export const ripemd160 = hashWith('ripemd160');
export const randomBytes = (n: number): ArrayBuffer => output(nodeRandom(n)) as ArrayBuffer;

export default { createHash, createHMAC, hmac, md4, md5, sha1, sha256, sha384, sha512, sha512_224, sha512_256, ripemd160, randomBytes };
