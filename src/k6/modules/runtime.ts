// What the transformed k6 code and the k6 modules share in one thread: the sequential array
// helpers the transform calls, k6's globals (__ENV, __VU, __ITER, open), the script's options,
// and per-VU state (cookie jar).
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { iterationStore, vuInitStore, type ScriptScenarioEnv } from '../../engine/script/context.ts';
import type { VirtualUser } from '../../engine/vu.ts';

type Callback = (...args: unknown[]) => unknown;

/**
 * `arr.map(fn)` with a callback that became async, run one element at a time as k6 runs it.
 * Arrays (and array-likes with the method) get the order-keeping version; anything else calls its
 * own method and awaits what it returns.
 */
export async function seq(target: unknown, method: string, fn: Callback, ...rest: unknown[]): Promise<unknown> {
  if (!Array.isArray(target) && !ArrayBuffer.isView(target)) {
    if (method === 'forEach' && target !== null && typeof (target as { forEach?: unknown }).forEach === 'function') {
      // Map, Set, NodeList …: collect the calls, then make them in order.
      const calls: unknown[][] = [];
      (target as { forEach(cb: Callback): void }).forEach((...args: unknown[]) => void calls.push(args));
      for (const args of calls) await fn.apply(rest[0], args);
      return undefined;
    }
    return await (target as Record<string, Callback>)[method]!(fn, ...rest);
  }
  const arr = target as unknown[];
  const thisArg = rest[0];
  const call = (v: unknown, i: number) => fn.call(thisArg, v, i, arr);
  switch (method) {
    case 'forEach':
      for (let i = 0; i < arr.length; i++) if (i in arr) await call(arr[i], i);
      return undefined;
    case 'map': {
      const out = new Array<unknown>(arr.length);
      for (let i = 0; i < arr.length; i++) if (i in arr) out[i] = await call(arr[i], i);
      return out;
    }
    case 'flatMap': {
      const out: unknown[] = [];
      for (let i = 0; i < arr.length; i++) {
        const v = await call(arr[i], i);
        if (Array.isArray(v)) out.push(...(v as unknown[]));
        else out.push(v);
      }
      return out;
    }
    case 'filter': {
      const out: unknown[] = [];
      for (let i = 0; i < arr.length; i++) if (await call(arr[i], i)) out.push(arr[i]);
      return out;
    }
    case 'some':
      for (let i = 0; i < arr.length; i++) if (await call(arr[i], i)) return true;
      return false;
    case 'every':
      for (let i = 0; i < arr.length; i++) if (!(await call(arr[i], i))) return false;
      return true;
    case 'find':
    case 'findIndex':
      for (let i = 0; i < arr.length; i++) if (await call(arr[i], i)) return method === 'find' ? arr[i] : i;
      return method === 'find' ? undefined : -1;
    case 'findLast':
    case 'findLastIndex':
      for (let i = arr.length - 1; i >= 0; i--) if (await call(arr[i], i)) return method === 'findLast' ? arr[i] : i;
      return method === 'findLast' ? undefined : -1;
    case 'reduce':
    case 'reduceRight': {
      const idx = [...arr.keys()];
      if (method === 'reduceRight') idx.reverse();
      let acc: unknown;
      let start = 0;
      if (rest.length > 0) acc = rest[0];
      else {
        if (idx.length === 0) throw new TypeError('Reduce of empty array with no initial value');
        acc = arr[idx[0]!];
        start = 1;
      }
      for (let k = start; k < idx.length; k++) acc = await fn(acc, arr[idx[k]!], idx[k], arr);
      return acc;
    }
    default:
      return await (arr as unknown as Record<string, Callback>)[method]!(fn, ...rest);
  }
}

// ---- the script's options, as the entry module exports them (every thread evaluates it) ----

export interface K6Options {
  maxRedirects?: number;
  userAgent?: string;
  noConnectionReuse?: boolean;
  discardResponseBodies?: boolean;
  insecureSkipTLSVerify?: boolean;
  summaryTrendStats?: string[];
  noCookiesReset?: boolean;
  [key: string]: unknown;
}

let entryOptions: K6Options = {};
let entryUrl: string | null = null;

/** Called by the line the transform appends to a module exporting `options` or a default function. */
export function entry(url: string, namespace: Record<string, unknown>): void {
  entryUrl = url;
  const o = namespace.options;
  if (o && typeof o === 'object') entryOptions = o as K6Options;
}

export function scriptOptions(): K6Options {
  return entryOptions;
}

// ---- per-VU state ----

const vuState = new WeakMap<VirtualUser, Map<string, unknown>>();

/** A per-VU value if it was made (undefined otherwise). */
export function perVuIfAny<T>(vu: VirtualUser, key: string): T | undefined {
  return vuState.get(vu)?.get(key) as T | undefined;
}

/** A per-VU value, created on first use (each k6 VU has its own runtime, so its own state). */
export function perVu<T>(vu: VirtualUser, key: string, make: () => T): T {
  let m = vuState.get(vu);
  if (!m) vuState.set(vu, (m = new Map()));
  if (!m.has(key)) m.set(key, make());
  return m.get(key) as T;
}

// ---- globals ----

const envCache = new WeakMap<ScriptScenarioEnv, Record<string, string | undefined>>();

function currentEnv(): Record<string, string | undefined> {
  const ctx = iterationStore.getStore();
  if (!ctx) return process.env;
  let env = envCache.get(ctx.scenario);
  if (!env) envCache.set(ctx.scenario, (env = { ...process.env, ...ctx.scenario.env }));
  return env;
}

/** k6's open(path, mode): init context only, path relative to the script that calls it. */
function open(path: string, mode?: string): string | ArrayBuffer {
  if (iterationStore.getStore())
    throw new Error('open() can only be called in the init context (at the top level of the script), as in k6');
  const base = callerDir() ?? (entryUrl ? dirname(fileURLToPath(entryUrl)) : process.cwd());
  const full = resolve(base, path);
  const buf = readFileSync(full);
  if (mode === 'b') return buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength);
  return buf.toString('utf8');
}

/** The directory of the user's module that called open() (k6 resolves relative to it). */
function callerDir(): string | null {
  const stack = new Error().stack ?? '';
  for (const line of stack.split('\n').slice(2)) {
    const m = /(file:\/\/[^\s)]+?):\d+:\d+/.exec(line);
    if (m && !m[1]!.includes('/src/k6/')) return dirname(fileURLToPath(m[1]!));
  }
  return null;
}

function defineGlobal(name: string, get: () => unknown): void {
  Object.defineProperty(globalThis, name, { get, configurable: true, enumerable: false });
}

defineGlobal('__ENV', currentEnv);
// In a VU's own init (Plan.scriptPerVu), __VU is that VU's id, as in k6; 0 in setup/teardown.
defineGlobal('__VU', () => iterationStore.getStore()?.vu.id ?? vuInitStore.getStore()?.vuId ?? 0);
defineGlobal('__ITER', () => iterationStore.getStore()?.iteration ?? 0);
Object.defineProperty(globalThis, 'open', { value: open, configurable: true, writable: true, enumerable: false });
