// Drives ResponseParser the way a connection does: feed pieces, start the next response when one
// completes, optionally signal EOF. Bounded so a parser bug cannot loop forever.

import { ParseState, ResponseParser, type ParserLimits } from '../../../src/engine/http/parser.ts';

export interface Parsed {
  status: number;
  statusText: string;
  httpVersion: string;
  headers: Record<string, string>;
  headText: string;
  body: string | null;
  bodyBytes: number;
  bytesRead: number;
  keepAlive: boolean;
}

export interface ParseOutcome {
  responses: Parsed[];
  /** Final parser state for the response after the last complete one. */
  state: number;
  errorKind: string | null;
  errorMessage: string;
  /** feed() calls made (bounded). */
  steps: number;
}

export interface ParseOptions extends Partial<ParserLimits> {
  keepBody?: boolean;
  /** Keep the header text (default true); false leaves `headers` empty. */
  keepHeaders?: boolean;
  /** isHead for the i-th response (default false). */
  head?: (i: number) => boolean;
  /** Signal EOF after the last piece. */
  eof?: boolean;
  maxResponses?: number;
}

export function parsePieces(pieces: Buffer[], opts: ParseOptions = {}): ParseOutcome {
  const parser = new ResponseParser(opts);
  const keepBody = opts.keepBody ?? true;
  const head = opts.head ?? (() => false);
  const maxResponses = opts.maxResponses ?? 100;
  const responses: Parsed[] = [];
  let steps = 0;
  const bound = 10 * (pieces.reduce((n, p) => n + p.length, 0) + pieces.length) + 100;
  const snapshot = (): Parsed => ({
    status: parser.status,
    statusText: parser.statusText,
    httpVersion: parser.httpVersion,
    headers: parser.headers,
    headText: parser.headText,
    body: parser.body === null ? null : parser.body.toString('latin1'),
    bodyBytes: parser.bodyBytes,
    bytesRead: parser.bytesRead,
    keepAlive: parser.keepAlive,
  });
  parser.start(head(0), keepBody, opts.keepHeaders ?? true);
  outer: for (const piece of pieces) {
    let off = 0;
    while (off < piece.length) {
      if (++steps > bound) throw new Error('parser does not make progress');
      const n = parser.feed(piece, off);
      off += n;
      if (parser.state === ParseState.COMPLETE) {
        responses.push(snapshot());
        if (responses.length >= maxResponses) break outer;
        parser.start(head(responses.length), keepBody, opts.keepHeaders ?? true);
      } else if (parser.state === ParseState.ERROR) {
        break outer;
      } else if (n === 0) {
        throw new Error(`feed consumed nothing in state ${parser.state}`);
      }
    }
  }
  if (opts.eof === true && (parser.state === ParseState.HEAD || parser.state === ParseState.BODY)) {
    parser.finish();
    if ((parser.state as number) === ParseState.COMPLETE) responses.push(snapshot());
  }
  return { responses, state: parser.state, errorKind: parser.errorKind, errorMessage: parser.errorMessage, steps };
}

/** Split buf at the given offsets (any order, duplicates and out-of-range ignored). */
export function splitAt(buf: Buffer, cuts: number[]): Buffer[] {
  const points = [...new Set(cuts.filter((c) => c > 0 && c < buf.length))].sort((a, b) => a - b);
  const out: Buffer[] = [];
  let prev = 0;
  for (const p of points) {
    out.push(buf.subarray(prev, p));
    prev = p;
  }
  out.push(buf.subarray(prev));
  return out;
}

export const b = (s: string): Buffer => Buffer.from(s, 'latin1');
