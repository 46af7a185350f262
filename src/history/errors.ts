// Everything that can go wrong with the history database or a run reference, as one error class
// with a code, so commands can map it to a one-line message and exit 2.
import { InputError } from '../errors.ts';

export type HistoryErrorCode =
  | 'missing_database'
  | 'not_a_database'
  | 'newer_schema'
  | 'bad_ref'
  | 'not_found'
  | 'ambiguous'
  | 'bad_record';

export class HistoryError extends InputError {
  override name = 'HistoryError';
  readonly code: HistoryErrorCode;
  constructor(code: HistoryErrorCode, message: string) {
    super(message);
    this.code = code;
  }
}
