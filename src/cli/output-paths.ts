// Output paths are checked before any load starts (issue 11 §2): a run of minutes must not end in
// "cannot write" because of a typo. A file path needs an existing, writable parent directory and must
// not be a directory; an output directory must be a writable directory or creatable under one.
// What can still fail at the end (a full disk, /dev/full) is handled by reportWriteFailure: the
// record is stored and printed first, the failed export is one line naming the path.
import { accessSync, constants, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { UsageError } from '../errors.ts';
import { DEFAULT_HISTORY_PATH } from '../history/store.ts';

function stat(path: string) {
  try {
    return statSync(path);
  } catch {
    return null;
  }
}

function writable(path: string): boolean {
  try {
    accessSync(path, constants.W_OK);
    return true;
  } catch {
    return false;
  }
}

/** A file the command will write (`--summary-export`, `--out json=`). */
export function checkOutputFile(path: string, flag: string): void {
  const where = `${flag} ${path}`;
  if (path === '') throw new UsageError(`${flag}: the file name is empty`);
  const s = stat(path);
  if (s?.isDirectory()) throw new UsageError(`${where}: is a directory, expected a file name`);
  if (s !== null) {
    if (!writable(path)) throw new UsageError(`${where}: the file is not writable`);
    return;
  }
  const parent = dirname(resolve(path));
  const p = stat(parent);
  if (p === null) throw new UsageError(`${where}: directory ${parent} does not exist`);
  if (!p.isDirectory()) throw new UsageError(`${where}: ${parent} is not a directory`);
  if (!writable(parent)) throw new UsageError(`${where}: directory ${parent} is not writable`);
}

/** A directory the command writes reports under (`--out-dir`); created if missing, like mkdir -p. */
export function checkOutputDir(dir: string, flag: string): void {
  checkCreatableDir(dir, `${flag} ${dir}`, true);
}

/** The nearest existing ancestor of `dir` (itself included) must be a writable directory. */
function checkCreatableDir(dir: string, where: string, named: boolean): void {
  let probe = resolve(dir);
  for (;;) {
    const s = stat(probe);
    if (s !== null) {
      if (!s.isDirectory())
        throw new UsageError(
          `${where}: ${named && probe === resolve(dir) ? 'is a file, expected a directory' : `${probe} is a file, not a directory`}`,
        );
      if (!writable(probe)) throw new UsageError(`${where}: directory ${probe} is not writable`);
      return;
    }
    const up = dirname(probe);
    if (up === probe) return;
    probe = up;
  }
}

/**
 * The history database the record will be stored in (`--history PATH`, else the default under the
 * working directory; nothing with --no-history). Its directory is created when missing, so only a
 * path that can never be written is refused: a directory, an unwritable file, a file in the way.
 */
export function checkHistoryPath(option: string | boolean | undefined): void {
  if (option === false) return;
  const history = typeof option === 'string' ? option : undefined;
  const path = history ?? DEFAULT_HISTORY_PATH;
  const where = history === undefined ? `the history database ${path}` : `--history ${path}`;
  const s = stat(path);
  if (s?.isDirectory()) throw new UsageError(`${where}: is a directory, expected a database file`);
  if (s !== null) {
    if (!writable(path)) throw new UsageError(`${where}: the file is not writable`);
    return;
  }
  checkCreatableDir(dirname(path), where, false);
}

/** One line naming what could not be written, after the result was stored and printed. */
export function reportWriteFailure(what: string, path: string, error: unknown, storedInHistory: boolean): void {
  const reason = error instanceof Error ? ((error as NodeJS.ErrnoException).code ?? error.message) : String(error);
  const message = error instanceof Error ? error.message : String(error);
  const why = reason === message ? message : `${reason} (${message})`;
  const kept = storedInHistory
    ? 'the run is stored in history (re-render it with `speedguard report`)'
    : 'the summary above is all that was kept';
  process.stderr.write(`speedguard: could not write ${what} ${path}: ${why}; ${kept}\n`);
}
