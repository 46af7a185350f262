// Where a profiled function lives: file:// URLs become paths (relative to the project root when
// inside it), and compiled scripts that end with a `//# sourceMappingURL=` comment (inline data:
// URL or a file next to them) are mapped back to their original source through node:module's
// SourceMap, so a TypeScript target compiled with tsc/esbuild reports its .ts file and line.
// Targets run with Node's own type stripping need nothing: their URLs already name the .ts files.
//
// Conventions: CDP call frames are 0-based; SourceMap.findEntry takes and returns 0-based offsets
// (findOrigin would take 1-based ones); everything this module returns is 1-based, 0 = unknown.
import { readFileSync, statSync } from 'node:fs';
import { SourceMap, type SourceMapPayload } from 'node:module';
import { dirname, isAbsolute, relative, resolve, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { type FunctionRange, functionRanges } from './function-ranges.ts';

export interface SourceLocation {
  file: string;
  line: number;
  column: number;
}

/** Scripts (and maps) larger than this are not read: a profile analysis must not stall on a bundle. */
const MAX_FILE_BYTES = 32 * 1024 * 1024;
/** Scripts above this size (a bundle) are not parsed for their functions: parsing would cost seconds. */
const MAX_PARSE_CHARS = 4 * 1024 * 1024;
/** Columns probed per generated line to list its mappings (a minified line is one long line). */
const MAP_PROBES = 256;

interface ScriptInfo {
  /** Local path of the generated script, or null when the URL is not a local file. */
  path: string | null;
  lines: string[] | null;
  map: SourceMap | null;
  /** Directory (or URL) the map's sources are relative to. */
  mapBase: string | null;
  sourceRoot: string;
  /** Its functions and their lines, parsed on first use (undefined: not yet). */
  functions?: FunctionRange[] | null;
}

function readSmall(path: string): string | null {
  try {
    const st = statSync(path);
    if (!st.isFile() || st.size > MAX_FILE_BYTES) return null;
    return readFileSync(path, 'utf8');
  } catch {
    return null;
  }
}

/** file:///x → /x; a bare absolute path (old CommonJS profiles) as is; anything else (node:, http:) → null. */
export function localPath(url: string): string | null {
  if (url.startsWith('file:')) {
    try {
      return fileURLToPath(url);
    } catch {
      return null;
    }
  }
  return isAbsolute(url) ? url : null;
}

const MAPPING_COMMENT = /\/\/[#@][ \t]*sourceMappingURL=([^\s'"]+)\s*$/;

function loadMap(path: string, text: string): { map: SourceMap; base: string; sourceRoot: string } | null {
  // Only the last line(s) count: the comment must end the file (a string literal elsewhere that
  // contains the text must not be taken for it).
  const at = text.lastIndexOf('sourceMappingURL=');
  if (at < 0) return null;
  const lineStart = text.lastIndexOf('\n', at) + 1;
  const m = MAPPING_COMMENT.exec(text.slice(lineStart));
  if (!m) return null;
  const ref = m[1]!;
  let json: string | null;
  let base = dirname(path);
  if (ref.startsWith('data:')) {
    const comma = ref.indexOf(',');
    if (comma < 0) return null;
    const meta = ref.slice(5, comma);
    const body = ref.slice(comma + 1);
    try {
      json = /;base64$/i.test(meta) ? Buffer.from(body, 'base64').toString('utf8') : decodeURIComponent(body);
    } catch {
      return null;
    }
  } else {
    let mapPath: string | null;
    try {
      mapPath = ref.startsWith('file:')
        ? fileURLToPath(ref)
        : /^[a-z][a-z0-9+.-]*:/i.test(ref)
          ? null
          : resolve(dirname(path), decodeURIComponent(ref));
    } catch {
      mapPath = null;
    }
    if (!mapPath) return null;
    json = readSmall(mapPath);
    base = dirname(mapPath);
  }
  if (!json) return null;
  try {
    const payload = JSON.parse(json) as SourceMapPayload & { sourceRoot?: unknown };
    return { map: new SourceMap(payload), base, sourceRoot: typeof payload.sourceRoot === 'string' ? payload.sourceRoot : '' };
  } catch {
    return null;
  }
}

export class Locator {
  readonly #root: string | null;
  readonly #scripts = new Map<string, ScriptInfo>();

  constructor(projectRoot?: string) {
    this.#root = projectRoot ? resolve(projectRoot) : null;
  }

  #script(url: string): ScriptInfo {
    let s = this.#scripts.get(url);
    if (s) return s;
    const path = localPath(url);
    const text = path ? readSmall(path) : null;
    const loaded = path && text ? loadMap(path, text) : null;
    s = {
      path,
      lines: text === null ? null : text.split(/\r?\n/),
      map: loaded?.map ?? null,
      mapBase: loaded?.base ?? null,
      sourceRoot: loaded?.sourceRoot ?? '',
    };
    this.#scripts.set(url, s);
    return s;
  }

  /** A path for display: relative to the project root when inside it. */
  display(path: string): string {
    if (!this.#root) return path;
    const rel = relative(this.#root, path);
    return rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel.split(sep).join('/') : path;
  }

  #original(s: ScriptInfo, source: string): string {
    const joined = s.sourceRoot ? (s.sourceRoot.endsWith('/') ? s.sourceRoot : s.sourceRoot + '/') + source : source;
    if (joined.startsWith('file:')) {
      const p = localPath(joined);
      return p ? this.display(p) : joined;
    }
    if (/^[a-z][a-z0-9+.-]*:/i.test(joined)) return joined; // webpack://, http:// … shown as written
    return this.display(resolve(s.mapBase ?? '.', joined));
  }

  /** 0-based generated position → 1-based location, through the script's source map if it has one. */
  locate(url: string, line0: number, column0: number): SourceLocation {
    if (!url) return { file: '', line: 0, column: 0 };
    const s = this.#script(url);
    if (s.map && line0 >= 0) {
      const e = s.map.findEntry(line0, Math.max(0, column0)) as Partial<{
        generatedLine: number;
        originalSource: string;
        originalLine: number;
        originalColumn: number;
      }>;
      // Only an entry on the same generated line: the nearest earlier one may belong to other code.
      if (e.originalSource !== undefined && e.generatedLine === line0 && typeof e.originalLine === 'number') {
        return { file: this.#original(s, e.originalSource), line: e.originalLine + 1, column: (e.originalColumn ?? 0) + 1 };
      }
    }
    const file = this.#generatedName(s, url);
    return { file, line: line0 >= 0 ? line0 + 1 : 0, column: column0 >= 0 ? column0 + 1 : 0 };
  }

  /**
   * A 1-based line of the generated script (positionTicks lines) in the file `fn` (the function's
   * location from locate()), or null when the line cannot be placed there. V8 counts ticks per
   * generated line, so a generated line maps only when all its mappings point to one line of the
   * function's own source: on a minified or bundled line (code of many lines, often of other files)
   * the last mapping gave lines of other files ("hot line 13258" in a 272-line file).
   */
  mapLine(url: string, line1: number, fn: SourceLocation): number | null {
    const s = this.#script(url);
    if (!s.map) return line1;
    const places = new Set<string>();
    let only: { file: string; line: number } | null = null;
    const width = s.lines?.[line1 - 1]?.length ?? 0;
    // Probe the line's mappings at up to MAP_PROBES columns (and its end): SourceMap has no per-line listing.
    const step = Math.max(1, Math.ceil(width / MAP_PROBES));
    for (let col = 0; col <= width + step; col += step) {
      const e = s.map.findEntry(line1 - 1, col) as Partial<{ generatedLine: number; originalSource: string; originalLine: number }>;
      if (e.generatedLine !== line1 - 1 || e.originalSource === undefined || typeof e.originalLine !== 'number') continue;
      only = { file: this.#original(s, e.originalSource), line: e.originalLine + 1 };
      places.add(`${only.file}\n${only.line}`);
    }
    if (!only) return fn.file === this.#generatedName(s, url) ? line1 : null;
    return places.size === 1 && only.file === fn.file ? only.line : null;
  }

  #generatedName(s: ScriptInfo, url: string): string {
    return s.path ? this.display(s.path) : url;
  }

  /** The functions of the generated script (what V8 ran) and their lines, or null when it cannot be read or parsed. */
  functions(url: string): FunctionRange[] | null {
    const s = this.#script(url);
    if (s.functions === undefined) {
      const text = s.lines && s.path ? s.lines.join('\n') : null;
      s.functions = text !== null && text.length <= MAX_PARSE_CHARS ? functionRanges(text, s.path!) : null;
    }
    return s.functions;
  }

  /** The text of a 1-based line of the generated script (what V8 ran), or null. */
  sourceLine(url: string, line1: number): string | null {
    return this.#script(url).lines?.[line1 - 1] ?? null;
  }
}

/** For tests and callers holding a path: the file:// URL V8 would report. */
export function fileUrl(path: string): string {
  return pathToFileURL(path).href;
}
