// Test data: rows from CSV (header row; .tsv for tabs) or JSON (array of objects) files, and the
// cursors VUs take rows from. A row is exposed to templates as ${<feeder name>.<column>}.
//
// Modes (FeederSpec.mode): "shared" — all VUs of a worker take rows from one cursor;
// "per-vu" — each VU has its own cursor starting at row (vuId − 1) mod rows (VU ids are 1-based,
// as k6's __VU), so VU n uses row n first: the usual "one user account per VU".
// Across worker threads a shared cursor cannot be shared; partitionRows gives each worker its own
// slice so that sequential rows are still not reused by two workers at once.

import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { readFile } from 'node:fs/promises';
import { extname } from 'node:path';
import { PlanError } from './errors.ts';
import type { FeederSpec } from './types.ts';

export type FeederRow = Record<string, string>;

function cell(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

/** Reads and parses a feeder file. Throws PlanError naming the file (and line for CSV). */
export async function loadFeeder(spec: Pick<FeederSpec, 'name' | 'path'>): Promise<FeederRow[]> {
  let text: string;
  try {
    text = await readFile(spec.path, 'utf8');
  } catch (error) {
    throw readError(spec, error);
  }
  return parseFeeder(spec, text, ext(spec) === '.json' ? null : (await import('csv-parse/sync')).parse);
}

/** The same, synchronously: the plan loader checks every feeder (syntax, columns) before any load. */
export function loadFeederSync(spec: Pick<FeederSpec, 'name' | 'path'>): FeederRow[] {
  let text: string;
  try {
    text = readFileSync(spec.path, 'utf8');
  } catch (error) {
    throw readError(spec, error);
  }
  // The plan loader runs once, in the main thread: a synchronous require of csv-parse costs nothing there.
  const csv = ext(spec) === '.json' ? null : (createRequire(import.meta.url)('csv-parse/sync') as typeof import('csv-parse/sync')).parse;
  return parseFeeder(spec, text, csv);
}

/** The column names of a feeder's rows (the union: JSON rows may differ). */
export function feederColumns(rows: FeederRow[]): Set<string> {
  const columns = new Set<string>();
  for (const row of rows) for (const k of Object.keys(row)) columns.add(k);
  return columns;
}

function readError(spec: Pick<FeederSpec, 'name' | 'path'>, error: unknown): PlanError {
  const code = (error as NodeJS.ErrnoException).code;
  return new PlanError(code === 'ENOENT' ? 'file not found' : `cannot read: ${(error as Error).message}`, {
    file: spec.path,
    path: `data.${spec.name}`,
  });
}

const ext = (spec: Pick<FeederSpec, 'path'>) => extname(spec.path).toLowerCase();

function parseFeeder(
  spec: Pick<FeederSpec, 'name' | 'path'>,
  text: string,
  parseCsv: typeof import('csv-parse/sync').parse | null,
): FeederRow[] {
  const where = { file: spec.path, path: `data.${spec.name}` };
  const kind = ext(spec);
  let rows: FeederRow[];
  if (kind === '.json') rows = parseJsonRows(text, where);
  else if ((kind === '.csv' || kind === '.tsv') && parseCsv) rows = parseCsvRows(parseCsv, text, kind === '.tsv' ? '\t' : ',', where);
  else throw new PlanError(`unsupported feeder file type "${kind}" (use .csv, .tsv or .json)`, where);
  if (rows.length === 0) throw new PlanError('has no data rows', where);
  return rows;
}

// csv-parse is imported by loadFeeder for CSV/TSV feeders only: load workers start without it.
function parseCsvRows(
  parseCsv: typeof import('csv-parse/sync').parse,
  text: string,
  delimiter: string,
  where: { file: string; path: string },
): FeederRow[] {
  try {
    const records = parseCsv(text, { columns: true, bom: true, skip_empty_lines: true, delimiter }) as Array<Record<string, unknown>>;
    return records.map((record) => Object.fromEntries(Object.entries(record).map(([k, v]) => [k, cell(v)])));
  } catch (error) {
    const line = (error as { lines?: number }).lines;
    throw new PlanError(`invalid CSV: ${(error as Error).message}`, { ...where, line });
  }
}

function parseJsonRows(text: string, where: { file: string; path: string }): FeederRow[] {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw new PlanError(`invalid JSON: ${(error as Error).message}`, where);
  }
  if (!Array.isArray(data)) throw new PlanError('must hold a JSON array of objects', where);
  return data.map((item, index) => {
    if (item === null || typeof item !== 'object' || Array.isArray(item)) {
      throw new PlanError(`item ${index} is not an object (a feeder is an array of objects)`, where);
    }
    return Object.fromEntries(Object.entries(item).map(([k, v]) => [k, cell(v)]));
  });
}

export interface FeederCursor {
  next(): FeederRow;
}

/** One cursor over rows. sequential: from `start`, wrapping around; random: a uniform pick each time. */
export function createCursor(
  rows: readonly FeederRow[],
  order: FeederSpec['order'],
  start = 0,
  random: () => number = Math.random,
): FeederCursor {
  if (rows.length === 0) throw new RangeError('a feeder cursor needs at least one row');
  const count = rows.length;
  if (order === 'random') return { next: () => rows[Math.floor(random() * count)]! };
  let index = ((start % count) + count) % count;
  return {
    next() {
      const row = rows[index]!;
      index = index + 1 === count ? 0 : index + 1;
      return row;
    },
  };
}

export interface FeederPool {
  /** The cursor a VU (1-based id) takes rows from: the same one for all VUs in "shared" mode. */
  cursorFor(vuId: number): FeederCursor;
}

export function createFeederPool(
  rows: readonly FeederRow[],
  spec: Pick<FeederSpec, 'mode' | 'order'>,
  random: () => number = Math.random,
): FeederPool {
  if (spec.mode === 'shared') {
    const cursor = createCursor(rows, spec.order, 0, random);
    return { cursorFor: () => cursor };
  }
  const cursors = new Map<number, FeederCursor>();
  return {
    cursorFor(vuId) {
      let cursor = cursors.get(vuId);
      if (cursor === undefined) {
        cursor = createCursor(rows, spec.order, vuId - 1, random);
        cursors.set(vuId, cursor);
      }
      return cursor;
    },
  };
}

/** Rows for worker `index` of `count` (every count-th row); all rows if there are fewer rows than workers. */
export function partitionRows(rows: readonly FeederRow[], index: number, count: number): FeederRow[] {
  if (count <= 1 || rows.length < count) return [...rows];
  return rows.filter((_, i) => i % count === index);
}
