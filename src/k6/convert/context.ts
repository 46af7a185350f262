// What the convert passes share while they edit one k6 module: the source, its edits (position edits
// only, via magic-string), the notes for what could not be converted, and what the header must import.
import MagicString from 'magic-string';
import type { Node } from '../transform/ast.ts';

export interface ConvertNote {
  /** 1-based line in the k6 script. */
  line: number;
  message: string;
}

export class ConvertContext {
  readonly source: string;
  readonly s: MagicString;
  readonly notes: ConvertNote[] = [];
  /** Names imported from 'speedguard' (`type Options` included as written). */
  readonly imports = new Set<string>();
  /** Lines placed after the imports (`const ENV = …`). */
  readonly prelude = new Set<string>();
  /** Helper functions appended at the end of the file, by name. */
  readonly helpers = new Set<string>();
  /** The local name the converted code uses for speedguard's `exec`. */
  execName = 'exec';
  private readonly lineStarts: number[] = [0];
  private readonly commented = new Set<number>();

  constructor(source: string) {
    this.source = source;
    this.s = new MagicString(source);
    for (let i = 0; i < source.length; i++) if (source[i] === '\n') this.lineStarts.push(i + 1);
  }

  line(n: Node): number {
    return (n.loc as { start: { line: number } }).start.line;
  }

  /** A note on stderr and as a comment line above the node's line, in the output. */
  note(n: Node, message: string): void {
    const line = this.line(n);
    this.notes.push({ line, message });
    const at = this.lineStarts[line - 1]!;
    const indent = /^[ \t]*/.exec(this.source.slice(at))![0];
    this.s.appendLeft(at, `${indent}// speedguard convert: ${message}\n`);
  }

  /** Comments out the whole lines the node spans (kept for the reader, not run). */
  commentOut(n: Node): void {
    const loc = n.loc as { start: { line: number }; end: { line: number } };
    for (let l = loc.start.line; l <= loc.end.line; l++) {
      if (this.commented.has(l)) continue;
      this.commented.add(l);
      this.s.appendRight(this.lineStarts[l - 1]!, '// ');
    }
  }
}
