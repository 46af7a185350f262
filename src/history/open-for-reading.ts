// Opening the history database for reading (`speedguard history`, `speedguard report`), with the
// errors users can act on: a missing database or a wrong ref is one line, exit 2.
import { resolve } from 'node:path';
import { UsageError } from '../errors.ts';
import { HistoryError } from './errors.ts';
import { DEFAULT_HISTORY_PATH, openHistory, type HistoryStore } from './store.ts';

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
