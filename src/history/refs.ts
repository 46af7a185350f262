// Run references as users type them: a full id, a unique id prefix (≥ 6 characters), `latest`, or
// `latest~N` — the run N before the latest, like git's HEAD~N.
import { HistoryError } from './errors.ts';

export const MIN_PREFIX = 6;

export type ParsedRef = { type: 'latest'; back: number } | { type: 'id'; id: string };

export function parseRef(ref: string): ParsedRef {
  const r = ref.trim();
  const latest = /^latest(?:~(\d*))?$/i.exec(r);
  if (latest) {
    // git accepts HEAD~ for HEAD~1; so do we.
    const back = latest[1] === undefined ? 0 : latest[1] === '' ? 1 : Number(latest[1]);
    if (!Number.isSafeInteger(back)) throw new HistoryError('bad_ref', `run reference ${JSON.stringify(ref)}: N in latest~N is too large`);
    return { type: 'latest', back };
  }
  if (/^latest/i.test(r)) {
    throw new HistoryError('bad_ref', `run reference ${JSON.stringify(ref)}: expected latest or latest~N with N a whole number`);
  }
  if (r === '') throw new HistoryError('bad_ref', 'empty run reference: give a run id (or its first 6+ characters), latest or latest~N');
  if (/[\s\x00-\x1f]/.test(r))
    throw new HistoryError('bad_ref', `run reference ${JSON.stringify(ref)}: ids contain no spaces or control characters`);
  return { type: 'id', id: r };
}
