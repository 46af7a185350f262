// What this worker thread has running and has run, for scripts that ask (k6's exec.instance):
// VUs in use and allocated, iterations completed and interrupted. Kept as plain counters updated
// where the engine already knows the figure (executors report their VUs; the iteration runner ends
// iterations), so reading them costs the hot path one increment. One worker thread's share of the
// run, as exec.scenario.iterationInTest is (README, k6 scripts).
export const instanceCounters = {
  vusActive: 0,
  vusInitialized: 0,
  iterationsCompleted: 0,
  iterationsInterrupted: 0,
};
