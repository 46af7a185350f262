// What `run` and `assess` call after they produced their output: store the record, and if that
// fails, say so on stderr and carry on — a broken history must never cost the user the run.
import { resolve } from 'node:path';
import { DEFAULT_HISTORY_PATH, openHistory } from './store.ts';
import type { StoredRecord } from './summary.ts';
import { redactRecord } from '../record/redact.ts';

export interface SaveToHistoryOptions {
  /** A database path, undefined for the default (.speedguard/history.db under the current
   *  directory), or false (--no-history) to store nothing. */
  history?: string | false;
  /** Where warnings go (default process.stderr). */
  warn?: (line: string) => void;
}

/** Returns the database path written, or null when history is off or the write failed (warned). */
export function saveToHistory(record: StoredRecord, opts: SaveToHistoryOptions = {}): string | null {
  if (opts.history === false) return null;
  const path = resolve(process.cwd(), opts.history ?? DEFAULT_HISTORY_PATH);
  const warn = opts.warn ?? ((line: string) => process.stderr.write(line + '\n'));
  try {
    const store = openHistory(path);
    try {
      // The last line of defence: whatever a caller forgot, no secret is written to the database.
      store.save(redactRecord(record));
    } finally {
      store.close();
    }
    return path;
  } catch (e) {
    const msg = ((e as Error)?.message ?? String(e)).split('\n')[0];
    warn(`speedguard: warning: this ${record?.kind === 'assess' ? 'assessment' : 'run'} was not stored in the history (${path}): ${msg}`);
    return null;
  }
}
