// The `k6` module: check, group, sleep, fail, randomSeed. check/group/sleep are speedguard's own
// script functions (same metrics); the transform awaits group and sleep.
import { check, group, sleep } from '../../engine/script/functions.ts';
import './runtime.ts';

/** k6's fail(): throws, which ends the iteration (counted in iteration_errors). */
export function fail(message = ''): never {
  throw new Error(message);
}

/** k6's randomSeed(): Math.random becomes a seeded generator (mulberry32) in this thread. */
export function randomSeed(seed: number): void {
  let a = Math.trunc(Number(seed)) >>> 0;
  Math.random = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export { check, group, sleep };
export default { check, group, sleep, fail, randomSeed };
