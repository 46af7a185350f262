// k6's exec.vu.metrics.tags (and the older exec.vu.tags): a VU's own tags, read and written by the
// script. A tag set here marks every sample the VU emits afterwards (requests, checks, groups,
// custom metrics, iterations): the engine merges VirtualUser.tags into them. Reading also shows
// the tags the VU already has (the scenario's and the test's), as in k6.
import type { IterationContext } from '../../engine/script/context.ts';
import { perVu } from './runtime.ts';

let warned = false;

function tagValue(key: string, value: unknown): string | undefined {
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return String(value);
  // k6 refuses the same values (an object or an array is not a tag) and says so.
  if (!warned) {
    warned = true;
    process.stderr.write(
      `speedguard: exec.vu.metrics.tags["${key}"]: only strings, numbers and booleans can be tags; the value was ignored\n`,
    );
  }
  return undefined;
}

export function vuTags(ctx: IterationContext): Record<string, unknown> {
  const vu = ctx.vu;
  return perVu(vu, 'tags', () => {
    const own = vu.tags;
    const inherited = () => ctx.scenario.baseTags;
    return new Proxy(own, {
      get: (_t, key) => (typeof key === 'string' ? (own[key] ?? inherited()[key]) : undefined),
      has: (_t, key) => typeof key === 'string' && (key in own || key in inherited()),
      set: (_t, key, value) => {
        if (typeof key !== 'string') return true;
        const v = tagValue(key, value);
        if (v !== undefined) {
          if (!(key in own)) vu.vuTagCount++;
          own[key] = v;
        }
        return true;
      },
      deleteProperty: (_t, key) => {
        if (typeof key === 'string' && key in own) {
          delete own[key];
          vu.vuTagCount--;
        }
        return true;
      },
      ownKeys: () => [...new Set([...Object.keys(inherited()), ...Object.keys(own)])],
      getOwnPropertyDescriptor: (_t, key) => {
        if (typeof key !== 'string') return undefined;
        const value = own[key] ?? inherited()[key];
        return value === undefined ? undefined : { value, writable: true, enumerable: true, configurable: true };
      },
    });
  });
}
