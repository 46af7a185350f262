// The line of a Python function (issue 12): CPython 3.12+'s perf map names a function by its
// qualified name and file only ("py::Handler.do_GET:/srv/app.py", Python/perf_trampoline.c writes
// co_qualname and co_filename), so the hot function gets the line of its `def` (or `class`) read
// from the source file. The qualified name is rebuilt for every def/class from the indentation, as
// PEP 3155 defines it: a class's members are "Class.name", a function's nested defs
// "func.<locals>.name". Ambiguous (defined twice, e.g. under an if/else) or unreadable → null.
import { readFileSync } from 'node:fs';

const DEF = /^([ \t]*)(?:async[ \t]+)?(def|class)[ \t]+([A-Za-z_]\w*)/;
const MAX_FILE_BYTES = 4 * 1024 * 1024;

/** qualname → 1-based line of its def/class; a qualname defined more than once maps to null. */
export function pythonDefLines(source: string): Map<string, number | null> {
  const lines = new Map<string, number | null>();
  const scopes: { indent: number; qualname: string; kind: string }[] = [];
  let string: string | null = null; // the triple quote of a string that spans lines
  const text = source.split('\n');
  for (let i = 0; i < text.length; i++) {
    const line = text[i]!;
    const opened = string;
    for (const q of line.match(/"""|'''/g) ?? []) if (string === null || q === string) string = string === null ? q : null;
    // Inside a multi-line string, or blank, or a comment: says nothing about the scopes.
    if (opened !== null || !line.trim() || /^\s*#/.test(line)) continue;
    // Tabs count as one column each: a file mixing them is ambiguous to Python itself.
    const indent = line.length - line.trimStart().length;
    // Any statement at or left of a scope's def is outside that scope's body (an if/else that holds defs too).
    while (scopes.length && scopes[scopes.length - 1]!.indent >= indent) scopes.pop();
    const m = DEF.exec(line);
    if (!m) continue;
    const parent = scopes[scopes.length - 1];
    const qualname = parent ? `${parent.qualname}${parent.kind === 'def' ? '.<locals>' : ''}.${m[3]}` : m[3]!;
    lines.set(qualname, lines.has(qualname) ? null : i + 1);
    scopes.push({ indent, qualname, kind: m[2]! });
  }
  return lines;
}

/** A reader with a cache per file: the line of `qualname` in `file`, or null. */
export function pythonLineReader(): (file: string, qualname: string) => number | null {
  const files = new Map<string, Map<string, number | null> | null>();
  return (file, qualname) => {
    let lines = files.get(file);
    if (lines === undefined) {
      try {
        const source = readFileSync(file, 'utf8');
        lines = source.length <= MAX_FILE_BYTES ? pythonDefLines(source) : null;
      } catch {
        lines = null;
      }
      files.set(file, lines);
    }
    return lines?.get(qualname) ?? null;
  };
}
