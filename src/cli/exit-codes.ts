// Exit codes (CONVENTIONS.md §3): the contract CI pipelines rely on.
export const EXIT = {
  OK: 0,
  RUNTIME: 1,
  BAD_INPUT: 2,
  GATE_FAILED: 99,
  INTERRUPTED: 130,
} as const;

/** Bad input the user can fix: reported as one line, exit 2, never with a stack trace. */
export class UsageError extends Error {
  override name = 'UsageError';
}
