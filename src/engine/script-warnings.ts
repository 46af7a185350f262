// A script mistake that throws nothing is said on stderr, once per worker and scenario: an iteration
// that ended with requests still in flight (an `http.*` call that was not awaited). Thrown errors
// are collected with their stack by script-errors.ts and shown in the summary.
const warned = new Set<string>();

function write(line: string): void {
  process.stderr.write(`speedguard: ${line}\n`);
}

/** Said once per worker and scenario: requests outlived the iteration that sent them. */
export function warnPendingRequests(scenario: string, pending: number, hint: string): void {
  if (warned.has(scenario)) return;
  warned.add(scenario);
  write(`an iteration of scenario "${scenario}" ended with ${pending} request(s) still in flight: ${hint}`);
}
