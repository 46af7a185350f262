// Shared by `speedguard history` and `speedguard report`: where output goes (injectable for tests),
// opening the database for reading with the errors users can act on, and terminal-safe text.
import { resolve } from 'node:path';
import { UsageError } from '../errors.ts';
import { HistoryError } from './errors.ts';
import { DEFAULT_HISTORY_PATH, openHistory, type HistoryStore } from './store.ts';

export interface CliIo {
  out(text: string): void;
  err(text: string): void;
  colour: boolean;
}

export function processIo(): CliIo {
  return {
    out: (t) => process.stdout.write(t),
    err: (t) => process.stderr.write(t),
    colour: Boolean(process.stdout.isTTY) && !process.env.NO_COLOR,
  };
}

/** History problems are the user's to fix (wrong path, wrong ref): one line, exit 2. */
export function asUsageError(e: unknown): unknown {
  return e instanceof HistoryError ? new UsageError(e.message) : e;
}

export function openForReading(path: string | undefined): HistoryStore {
  try {
    return openHistory(resolve(process.cwd(), path ?? DEFAULT_HISTORY_PATH), { create: false });
  } catch (e) {
    throw asUsageError(e);
  }
}

/** Stored targets come from users' plans and URLs: never let them drive the terminal. */
export function terminalSafe(s: string): string {
  return s.replace(/[\x00-\x1f\x7f-\x9f]/g, '?');
}
