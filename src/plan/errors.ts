// Bad plan input, reported as one line: `<file>[:line:col]: <path>: <problem>`.
// The CLI maps it to exit code 2 (CONVENTIONS §3).
import { InputError } from '../errors.ts';

export interface PlanErrorLocation {
  /** The file as the user named it (null for command-line input). */
  file?: string | null;
  /** JSON-style path of the offending field, e.g. "scenarios.browse.rate" (null for the whole plan). */
  path?: string | null;
  /** 1-based position in the file, when known (YAML/JSON files). */
  line?: number;
  column?: number;
}

export class PlanError extends InputError {
  override name = 'PlanError';
  readonly file: string | null;
  readonly path: string | null;
  readonly line: number | null;
  readonly column: number | null;
  /** The problem alone, without file and path. */
  readonly problem: string;

  constructor(problem: string, where: PlanErrorLocation = {}) {
    const file = where.file ?? null;
    const path = where.path ?? null;
    const line = where.line ?? null;
    const column = where.column ?? null;
    const oneLine = problem.replace(/\s*\n\s*/g, ' ');
    let prefix = '';
    if (file !== null) prefix += line !== null ? `${file}:${line}:${column ?? 1}: ` : `${file}: `;
    if (path !== null && path !== '') prefix += `${path}: `;
    super(prefix + oneLine);
    this.file = file;
    this.path = path;
    this.line = line;
    this.column = column;
    this.problem = oneLine;
  }
}

export type PathSegment = string | number;

const IDENTIFIER = /^[A-Za-z_$][\w$-]*$/;

/** ["scenarios", "browse", "flow", 0, "request"] → "scenarios.browse.flow[0].request". */
export function formatPath(segments: readonly PathSegment[]): string {
  let out = '';
  for (const seg of segments) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else if (IDENTIFIER.test(seg)) out += out === '' ? seg : `.${seg}`;
    else out += `[${JSON.stringify(seg)}]`;
  }
  return out;
}
