// The `k6/data` module: SharedArray. k6 builds it once and shares it read-only between VUs; here
// it is built once per worker thread (its VUs share it) and frozen.
import { iterationStore } from '../../engine/script/context.ts';
import './runtime.ts';

const built = new Map<string, readonly unknown[]>();

export class SharedArray {
  constructor(name: string, make: () => unknown[]) {
    if (iterationStore.getStore())
      throw new Error('new SharedArray must be called in the init context (at the top level of the script), as in k6');
    if (typeof make !== 'function') throw new TypeError('SharedArray needs a function that returns an array');
    let arr = built.get(name);
    if (!arr) {
      const out = make();
      if (!Array.isArray(out)) throw new TypeError(`SharedArray "${name}": the function must return an array`);
      // Each element is stored as JSON, as k6 does: only data crosses, and nothing can change it.
      arr = Object.freeze(out.map((v) => deepFreeze(structuredClone(v))));
      built.set(name, arr);
    }
    // An array, not a subclass: length, index, iteration and array methods as on k6's.
    return arr as unknown as SharedArray;
  }
}

function deepFreeze<T>(v: T): T {
  if (v && typeof v === 'object') {
    for (const k of Object.keys(v)) deepFreeze((v as Record<string, unknown>)[k]);
    Object.freeze(v);
  }
  return v;
}

export default { SharedArray };
