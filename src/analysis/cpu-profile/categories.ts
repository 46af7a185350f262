// What kind of work a profiled frame is. V8 names natives with an empty URL: API callbacks such as
// the fs bindings ("read", "writeFileUtf8"), compiled regular expressions ("RegExp: <pattern>"),
// and — on engines that give them a frame — JSON.parse/stringify ("parse"/"stringify"). On the V8
// of Node 20–24, JSON.parse/stringify have *no* frame of their own: their time is the calling
// function's self time (see jsonHotLine in ../cpu-profile.ts for how that is recognised).
import type { CpuHotspot } from '../../record/target-probes.ts';
import type { CallFrame } from './parse.ts';

export type Category = CpuHotspot['category'];

const SYNC_CATEGORIES: ReadonlySet<Category> = new Set(['sync-fs', 'sync-crypto', 'sync-zlib']);

export function isSyncCategory(c: Category): boolean {
  return SYNC_CATEGORIES.has(c);
}

/** Node's own modules: "node:fs", "node:internal/fs/utils"; before Node 16 "fs.js", "internal/…". */
function nodeModuleOf(url: string): string | null {
  if (url.startsWith('node:')) return url.slice(5);
  if (/^internal\//.test(url)) return url;
  return null;
}

/**
 * speedguard's own modules running inside the target: the agent and its SQL hooks, written as .mjs
 * copies into the collector's private temp folder (sg-agent-XXXX/agent.mjs, sql-hooks.mjs …), or
 * loaded from the package itself when they could not be copied (probes/node-agent/*.ts|js).
 * Instrumentation, never the target's work: the CPU profile analysis makes these frames see-through.
 */
const INSTRUMENTATION = /[\\/](?:sg-agent-[^\\/]+[\\/][\w-]+\.mjs|probes[\\/]node-agent[\\/][\w-]+\.[jt]s)$/;

export function isInstrumentationUrl(url: string): boolean {
  return url !== '' && INSTRUMENTATION.test(url);
}

export function frameCategory(cf: CallFrame): Category {
  const name = cf.functionName;
  if (name === '(garbage collector)') return 'gc';
  const url = cf.url;
  if (!url) {
    if (name.startsWith('RegExp:')) return 'regexp';
    if (name === 'parse' || name === 'stringify' || name === 'JSON.parse' || name === 'JSON.stringify') return 'json';
    return 'native';
  }
  // speedguard's own agent runs inside the target: instrumentation, never the target's hotspot.
  if (isInstrumentationUrl(url)) return 'node-internal';
  const mod = nodeModuleOf(url);
  if (mod !== null) {
    if ((mod === 'fs' || mod.startsWith('internal/fs/')) && /Sync$/.test(name)) return 'sync-fs';
    if (mod === 'crypto' || mod.startsWith('internal/crypto/')) {
      if (/Sync$/.test(name)) return 'sync-crypto';
      // Hash/Hmac update and digest run the hashing on the main thread.
      if ((mod === 'internal/crypto/hash' || mod === 'internal/crypto/hmac') && (name === 'update' || name === 'digest'))
        return 'sync-crypto';
    }
    // zlibBufferSync, processChunkSync, syncBufferWrapper: the *Sync convenience functions.
    if (mod === 'zlib' && /sync/i.test(name)) return 'sync-zlib';
    return 'node-internal';
  }
  if (/[\\/]node_modules[\\/]/.test(url)) return 'dependency';
  // Python (perf stacks of -X perf): installed packages and the standard library are not the application.
  if (/[\\/](?:site-packages|dist-packages)[\\/]|[\\/]lib[\\/]python\d+\.\d+[\\/]/.test(url)) return 'dependency';
  return 'user';
}
