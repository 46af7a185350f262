// The ground floor of every error the user sees (docs/ARCHITECTURE.md): the exit codes CI pipelines
// rely on (docs/ASSESSMENT-RULES.md §5) and one base class for input the user can fix. Every layer throws its own
// subclass (PlanError, DurationError, ThresholdSyntaxError…); the CLI maps them with one `instanceof`,
// so no list of class names has to be kept in step with the code.

export const EXIT = {
  OK: 0,
  RUNTIME: 1,
  BAD_INPUT: 2,
  GATE_FAILED: 99,
  INTERRUPTED: 130,
} as const;
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** Bad input the user can fix (a flag, a plan, a file, a reference): one line, exit 2, no stack trace. */
export class InputError extends Error {
  override name = 'InputError';
  readonly exitCode: ExitCode = EXIT.BAD_INPUT;
}

/** A command-line usage problem (a flag's value, a missing operand). */
export class UsageError extends InputError {
  override name = 'UsageError';
}

/**
 * The service under test or a system it depends on failed (did not start, died, refused the
 * database connection): a runtime failure said in one line, exit 1, no stack trace.
 */
export class RuntimeFailure extends Error {
  override name = 'RuntimeFailure';
  readonly exitCode: ExitCode = EXIT.RUNTIME;
}
