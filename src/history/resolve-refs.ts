// A ref as users give it to `compare` and `assess --baseline`: a history ref (an id, a unique prefix
// of 6 or more characters, latest, latest~N) or the path of a .json file — a RunRecord, an
// AssessmentRecord (e.g. from --json), or the ANALYSIS/*.json envelope an assessment wrote, whose
// record is then read from the history. Every problem is the user's to fix: a UsageError naming the ref.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { UsageError } from '../errors.ts';
import { ASSESSMENT_SCHEMA, ENVELOPE_SCHEMA } from '../record/assessment-record.ts';
import { RUN_RECORD_SCHEMA } from '../record/run-record.ts';
import { HistoryError } from './errors.ts';
import { DEFAULT_HISTORY_PATH, openHistory, type HistoryStore, type StoredRecord } from './store.ts';

/**
 * The records the refs name, in order: .json files directly; anything else through the history
 * database (opened once, only when needed). `what` names the ref in errors ("baseline", "--baseline").
 */
export function resolveRefs(refs: ReadonlyArray<{ ref: string; what: string }>, historyPath: string | undefined): StoredRecord[] {
  let store: HistoryStore | null = null;
  try {
    return refs.map(({ ref: given, what: named }) => {
      let what = named;
      let ref = given;
      if (isFileRef(given)) {
        const file = readRecordFile(given, what);
        if (!('recordId' in file)) return file;
        // An assessment's ANALYSIS/*.json envelope holds figures, not the measurements a comparison
        // needs: read the record it was rendered from in the history.
        ref = file.recordId;
        what = `${what} ${given} (an assessment envelope; its record)`;
      }
      if (!store) {
        try {
          store = openHistory(resolve(process.cwd(), historyPath ?? DEFAULT_HISTORY_PATH), { create: false });
        } catch (e) {
          if (e instanceof HistoryError) throw new UsageError(`${what} ${JSON.stringify(ref)}: ${e.message}`);
          throw e;
        }
      }
      try {
        return store.get(ref);
      } catch (e) {
        if (e instanceof HistoryError) throw new UsageError(`${what} ${JSON.stringify(ref)}: ${e.message}`);
        throw e;
      }
    });
  } finally {
    (store as HistoryStore | null)?.close();
  }
}

function isFileRef(ref: string): boolean {
  if (/\.json$/i.test(ref)) return true;
  try {
    return existsSync(ref) && statSync(ref).isFile();
  } catch {
    return false;
  }
}

function readRecordFile(path: string, what: string): StoredRecord | { recordId: string } {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new UsageError(`${what} ${path}: cannot read the file (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    throw new UsageError(`${what} ${path}: not valid JSON (${(e as Error).message})`);
  }
  const schema = (data as { schema?: unknown } | null)?.schema;
  const assessmentId = (data as { assessment_id?: unknown } | null)?.assessment_id;
  if (schema === ENVELOPE_SCHEMA && typeof assessmentId === 'string') return { recordId: assessmentId };
  if (schema !== RUN_RECORD_SCHEMA && schema !== ASSESSMENT_SCHEMA) {
    throw new UsageError(
      `${what} ${path}: not a speedguard run or assessment record (schema ${JSON.stringify(schema ?? null)}; expected ` +
        `${RUN_RECORD_SCHEMA}, ${ASSESSMENT_SCHEMA} or an assessment envelope)`,
    );
  }
  return data as StoredRecord;
}
