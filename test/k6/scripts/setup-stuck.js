// setupTimeout over a setup() stuck in a synchronous loop: no timer of its thread can fire, so the
// main thread terminates the thread (exit 100, as a setup() that awaits past its limit).
import { sleep } from 'k6';

export const options = { vus: 1, iterations: 1, setupTimeout: '1s' };

export function setup() {
  for (;;) {}
}

export default function () {
  sleep(0);
}
