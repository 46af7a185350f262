// A native script that sends nothing (a port that half works): not a success.
import { check } from '../../../src/index.ts';

export const options = { vus: 1, iterations: 2 };

export default async function () {
  check(1, { 'one is one': (v) => v === 1 });
}
