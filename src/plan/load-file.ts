// YAML/JSON plan files → Plan. Both are parsed with the `yaml` library's document API (JSON is
// YAML 1.2), which keeps node positions: schema errors then point at file:line:col too.

import { readFile } from 'node:fs/promises';
import { dirname, extname, resolve } from 'node:path';
import { LineCounter, isMap, isScalar, isSeq, parseDocument, type Document, type Node } from 'yaml';
import { PlanError, type PathSegment } from './errors.ts';
import { normalisePlan } from './normalise.ts';
import { applyOverrides } from './overrides.ts';
import type { Plan } from './types.ts';
import type { PlanOptions } from './user-types.ts';
import { validateUserPlan } from './validate.ts';

/** `overrides`: options from command-line flags (overrides.ts), applied with k6's precedence. */
export async function loadPlanFile(path: string, overrides?: PlanOptions): Promise<Plan> {
  const ext = extname(path).toLowerCase();
  if (ext !== '.yaml' && ext !== '.yml' && ext !== '.json') {
    throw new PlanError(`unsupported plan file type "${ext}" (use .yaml, .yml, .json, or a .ts/.js script)`, { file: path });
  }
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new PlanError(code === 'ENOENT' ? 'file not found' : `cannot read: ${(error as Error).message}`, { file: path });
  }
  // Editors on Windows save UTF-8 with a byte-order mark; JSON.parse and YAML reject it.
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  const absolute = resolve(path);
  const { value, locate } = parsePlanText(text, path, ext === '.json' ? 'JSON' : 'YAML');
  const ctx = { file: path, locate, source: absolute, baseDir: dirname(absolute), mode: 'flow' as const };
  let input: unknown = value;
  if (overrides !== undefined) {
    validateUserPlan(value, ctx);
    input = applyOverrides(value, overrides);
  }
  return normalisePlan(input, ctx);
}

type Locate = (path: readonly PathSegment[]) => { line: number; column: number } | undefined;

/** Parses YAML or JSON text; syntax errors become PlanErrors with line:col. */
export function parsePlanText(text: string, file: string, kind: 'YAML' | 'JSON'): { value: unknown; locate: Locate } {
  if (kind === 'JSON') checkJsonSyntax(text, file);
  const lineCounter = new LineCounter();
  // uniqueKeys (default) rejects duplicate keys, a common copy-paste slip in plans.
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, strict: true });
  const problem = doc.errors[0];
  if (problem !== undefined) {
    const pos = lineCounter.linePos(problem.pos[0]);
    const message = problem.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
    throw new PlanError(`invalid ${kind}: ${message}`, { file, line: pos.line, column: pos.col });
  }
  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: 1000 });
  } catch (error) {
    throw new PlanError(`invalid ${kind}: ${(error as Error).message}`, { file });
  }
  if (value === null || value === undefined) throw new PlanError('the plan is empty', { file });
  if (typeof value !== 'object' || Array.isArray(value)) {
    throw new PlanError(`the plan must be a mapping of options (got ${Array.isArray(value) ? 'a list' : typeof value})`, {
      file,
      line: 1,
      column: 1,
    });
  }
  return { value, locate: (path) => locateNode(doc, lineCounter, path) };
}

/** JSON.parse is the judge of JSON syntax (YAML would accept trailing commas, comments…). */
function checkJsonSyntax(text: string, file: string): void {
  try {
    JSON.parse(text);
  } catch (error) {
    const message = (error as Error).message;
    const at = /\(line (\d+) column (\d+)\)/.exec(message);
    const clean = message.replace(/\s*\(line \d+ column \d+\)/, '').replace(/ in JSON at position \d+/, '');
    throw new PlanError(`invalid JSON: ${clean}`, { file, line: at ? Number(at[1]) : undefined, column: at ? Number(at[2]) : undefined });
  }
}

/** Position of the value at `path`, or of its key when the path ends at a key the value lacks. */
function locateNode(doc: Document, lines: LineCounter, path: readonly PathSegment[]) {
  let node: Node | null | undefined = doc.contents;
  let keyNode: Node | null = null;
  for (const segment of path) {
    if (isMap(node)) {
      const pair = node.items.find((item) => isScalar(item.key) && String(item.key.value) === String(segment));
      if (pair === undefined) break;
      keyNode = pair.key as Node;
      node = pair.value as Node | null;
    } else if (isSeq(node) && typeof segment === 'number') {
      keyNode = null;
      node = node.items[segment] as Node | undefined;
    } else {
      break;
    }
  }
  const target = keyNode ?? node;
  const offset = target?.range?.[0];
  if (offset === undefined) return undefined;
  const pos = lines.linePos(offset);
  return { line: pos.line, column: pos.col };
}
