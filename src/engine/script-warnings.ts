// What a script does wrong at run time is said on stderr, a bounded number of times per worker:
// a thrown exception (k6 prints each one; thousands of identical lines help nobody) and an
// iteration that ended with requests still in flight (an `http.*` call that was not awaited).
const MAX_ERRORS_SHOWN = 10;
let errorsShown = 0;
let errorsHidden = 0;
const warned = new Set<string>();

function write(line: string): void {
  process.stderr.write(`speedguard: ${line}\n`);
}

/** An exception that ended an iteration: its message and the first frame in the user's code. */
export function reportScriptError(scenario: string, e: unknown): void {
  // An error its thrower already explained (k6's test.abort()) is counted, not printed again.
  if ((e as { alreadyReported?: boolean } | null)?.alreadyReported === true) return;
  if (errorsShown >= MAX_ERRORS_SHOWN) {
    if (errorsHidden++ === 0) write(`more script errors in this worker are counted (iteration_errors) but not shown`);
    return;
  }
  errorsShown++;
  const err = e instanceof Error ? e : new Error(String(e));
  const frame = (err.stack ?? '').split('\n').find((l) => /^\s+at /.test(l) && !l.includes('/node_modules/') && !l.includes('node:internal') && !/\/src\/(engine|script|k6)\//.test(l));
  write(`script error in scenario "${scenario}": ${err.name}: ${err.message}${frame ? `\n  ${frame.trim()}` : ''}`);
}

/** Said once per worker and scenario: requests outlived the iteration that sent them. */
export function warnPendingRequests(scenario: string, pending: number, hint: string): void {
  if (warned.has(scenario)) return;
  warned.add(scenario);
  write(`an iteration of scenario "${scenario}" ended with ${pending} request(s) still in flight: ${hint}`);
}
