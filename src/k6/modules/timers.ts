// The `k6/timers` module: Node's own timers.
import './runtime.ts';

export const { setTimeout, clearTimeout, setInterval, clearInterval } = globalThis;
export default { setTimeout, clearTimeout, setInterval, clearInterval };
