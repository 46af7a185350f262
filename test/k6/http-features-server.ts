// The endpoints of the k6/http feature scripts (batch, digest and NTLM auth, compression), each
// played for real by one loopback server: it counts concurrent requests per Host, issues and
// verifies digest (RFC 7616) and NTLMv2 challenges, and decompresses bodies.
import { createHash, createHmac, randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import type { IncomingMessage, ServerResponse } from 'node:http';
import zlib from 'node:zlib';
import { startServer, type TestServer } from '../helpers/servers.ts';

const ntlmLib = createRequire(import.meta.url)('httpntlm/ntlm.js') as { create_NT_hashed_password(p: string): Buffer };

export const USER = 'alice';
export const PASSWORD = 'Secret#1';
export const NTLM_DOMAIN = 'CORP';

export interface FeatureServer extends TestServer {
  /** Most requests in flight at once, overall and per Host header (for /slow). */
  peak: { all: number; byHost: Record<string, number> };
  /** Sockets that carried /slow requests, per Host header. */
  sockets: Record<string, number>;
  /** Arrival times (ms) of /tick requests. */
  ticks: number[];
  /** Host headers seen on /echo. */
  hosts: string[];
  reset(): void;
}

// ---- digest (RFC 7616): the server side, to check the client's answer ----
const HASH: Record<string, string> = { MD5: 'md5', 'SHA-256': 'sha256' };

function digestOk(header: string, method: string, algorithm: string, nonces: Set<string>): boolean {
  if (!header.startsWith('Digest ')) return false;
  const p: Record<string, string> = {};
  for (const m of header.slice(7).matchAll(/(\w+)=(?:"([^"]*)"|([^\s,]+))/g)) p[m[1]!] = m[2] ?? m[3]!;
  if (!nonces.has(p.nonce ?? '') || p.algorithm !== algorithm || p.qop !== 'auth' || p.opaque !== 'op4que') return false;
  const H = (s: string) => createHash(HASH[algorithm]!).update(s).digest('hex');
  const ha1 = H(`${USER}:speedguard:${PASSWORD}`);
  const ha2 = H(`${method}:${p.uri}`);
  return p.username === USER && p.response === H(`${ha1}:${p.nonce}:${p.nc}:${p.cnonce}:auth:${ha2}`);
}

// ---- NTLM: a type 2 challenge with target info, and the NTLMv2 check of the type 3 answer ----
function type2(challenge: Buffer): string {
  const target = Buffer.from(NTLM_DOMAIN, 'utf16le');
  const info = Buffer.concat([Buffer.from([2, 0, target.length, 0]), target, Buffer.from([0, 0, 0, 0])]);
  const head = Buffer.alloc(48);
  head.write('NTLMSSP\0', 0, 'latin1');
  head.writeUInt32LE(2, 8);
  head.writeUInt16LE(target.length, 12);
  head.writeUInt16LE(target.length, 14);
  head.writeUInt32LE(48, 16);
  // Unicode | RequestTarget | NTLM | ExtendedSecurity | TargetInfo
  head.writeUInt32LE(0x1 | 0x4 | 0x200 | 0x80000 | 0x800000, 20);
  challenge.copy(head, 24);
  head.writeUInt16LE(info.length, 40);
  head.writeUInt16LE(info.length, 42);
  head.writeUInt32LE(48 + target.length, 44);
  return `NTLM ${Buffer.concat([head, target, info]).toString('base64')}`;
}

function field(msg: Buffer, at: number): Buffer {
  const len = msg.readUInt16LE(at);
  const off = msg.readUInt32LE(at + 4);
  return msg.subarray(off, off + len);
}

function ntlmOk(msg: Buffer, challenge: Buffer): boolean {
  if (msg.readUInt32LE(8) !== 3) return false;
  const nt = field(msg, 20);
  const domain = field(msg, 28).toString('utf16le');
  const user = field(msg, 36).toString('utf16le');
  if (user !== USER || domain !== NTLM_DOMAIN || nt.length <= 16) return false;
  const hmac = (key: Buffer, data: Buffer) => createHmac('md5', key).update(data).digest();
  const v2 = hmac(ntlmLib.create_NT_hashed_password(PASSWORD), Buffer.from(user.toUpperCase() + domain, 'utf16le'));
  const proof = hmac(v2, Buffer.concat([challenge, nt.subarray(16)]));
  return proof.equals(nt.subarray(0, 16));
}

function decode(body: Buffer, encoding: string): Buffer {
  let out = body;
  for (const e of encoding
    .split(',')
    .map((s) => s.trim())
    .reverse()) {
    if (e === 'gzip') out = zlib.gunzipSync(out);
    else if (e === 'deflate') out = zlib.inflateSync(out);
    else if (e === 'br') out = zlib.brotliDecompressSync(out);
    else if (e === 'zstd') out = zlib.zstdDecompressSync(out);
    else if (e !== '') throw new Error(`unknown encoding ${e}`);
  }
  return out;
}

export async function startFeatureServer(): Promise<FeatureServer> {
  let inFlight = 0;
  const byHost: Record<string, number> = {};
  const nonces = new Set<string>();
  const socketIds = new WeakMap<object, number>();
  const socketsByHost: Record<string, Set<number>> = {};
  let nextSocket = 0;
  const ntlmChallenges = new WeakMap<object, Buffer>();
  const handler = (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://x');
      const host = req.headers.host ?? '';
      if (url.pathname === '/slow') {
        inFlight++;
        byHost[host] = (byHost[host] ?? 0) + 1;
        s.peak.all = Math.max(s.peak.all, inFlight);
        s.peak.byHost[host] = Math.max(s.peak.byHost[host] ?? 0, byHost[host]);
        if (!socketIds.has(req.socket)) socketIds.set(req.socket, nextSocket++);
        (socketsByHost[host] ??= new Set()).add(socketIds.get(req.socket)!);
        s.sockets[host] = socketsByHost[host].size;
        setTimeout(
          () => {
            inFlight--;
            byHost[host]!--;
            res.end('slow');
          },
          Number(url.searchParams.get('ms') ?? 500),
        );
        return;
      }
      if (url.pathname === '/tick') {
        s.ticks.push(performance.now());
        return res.end('tick');
      }
      if (url.pathname === '/echo') {
        s.hosts.push(host);
        return res.end(host);
      }
      const digest = /^\/digest\/(MD5|SHA-256)$/.exec(url.pathname);
      if (digest) {
        const algorithm = digest[1]!;
        if (digestOk(req.headers.authorization ?? '', req.method ?? '', algorithm, nonces)) return res.end(`welcome ${USER}`);
        const nonce = randomBytes(12).toString('hex');
        nonces.add(nonce);
        res.writeHead(401, {
          'www-authenticate': `Digest realm="speedguard", qop="auth, auth-int", algorithm=${algorithm}, nonce="${nonce}", opaque="op4que"`,
        });
        return res.end();
      }
      if (url.pathname === '/ntlm') {
        const auth = req.headers.authorization ?? '';
        const msg = auth.startsWith('NTLM ') ? Buffer.from(auth.slice(5), 'base64') : null;
        const challenge = ntlmChallenges.get(req.socket);
        if (msg && msg.readUInt32LE(8) === 3 && challenge && ntlmOk(msg, challenge)) return res.end(`welcome ${NTLM_DOMAIN}\\${USER}`);
        if (msg && msg.readUInt32LE(8) === 1) {
          // The challenge belongs to this connection: NTLM authenticates connections, not requests.
          const c = randomBytes(8);
          ntlmChallenges.set(req.socket, c);
          res.writeHead(401, { 'www-authenticate': type2(c) });
          return res.end();
        }
        res.writeHead(401, { 'www-authenticate': 'NTLM' });
        return res.end();
      }
      if (url.pathname === '/compressed') {
        const encoding = req.headers['content-encoding'] ?? '';
        try {
          const plain = decode(Buffer.concat(chunks), encoding).toString('utf8');
          res.writeHead(200, { 'content-type': 'application/json' });
          return res.end(JSON.stringify({ encoding, plain, length: Number(req.headers['content-length']) }));
        } catch (e) {
          res.writeHead(400);
          return res.end(String(e));
        }
      }
      res.writeHead(404);
      res.end();
    });
  };
  const s = (await startServer(handler)) as FeatureServer;
  s.reset = () => {
    s.peak = { all: 0, byHost: {} };
    s.sockets = {};
    s.ticks = [];
    s.hosts = [];
    for (const k of Object.keys(socketsByHost)) delete socketsByHost[k];
  };
  s.reset();
  return s;
}
