// Output paths are checked before any load starts (issue 11 §2): a run of minutes must not end in
// "cannot write" because of a typo. A file path needs an existing, writable parent directory and must
// not be a directory; an output directory must be a writable directory or creatable under one.
// What can still fail at the end (a full disk, /dev/full) is handled by reportWriteFailure: the
// record is stored and printed first, the failed export is one line naming the path.
import { accessSync, constants, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { UsageError } from '../errors.ts';

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
  const where = `${flag} ${dir}`;
  let probe = resolve(dir);
  for (;;) {
    const s = stat(probe);
    if (s !== null) {
      if (!s.isDirectory())
        throw new UsageError(
          `${where}: ${probe === resolve(dir) ? 'is a file, expected a directory' : `${probe} is a file, not a directory`}`,
        );
      if (!writable(probe)) throw new UsageError(`${where}: directory ${probe} is not writable`);
      return;
    }
    const up = dirname(probe);
    if (up === probe) return;
    probe = up;
  }
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
