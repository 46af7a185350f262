// Test data: rows from CSV (header row; .tsv for tabs) or JSON (array of objects) files, and the
// cursors VUs take rows from. A row is exposed to templates as ${<feeder name>.<column>}.
//
// Modes (FeederSpec.mode): "shared" — all VUs of a worker take rows from one cursor;
// "per-vu" — each VU has its own cursor starting at row (vuId − 1) mod rows (VU ids are 1-based,
// as k6's __VU), so VU n uses row n first: the usual "one user account per VU".
// Across worker threads a shared cursor cannot be shared; partitionRows gives each worker its own
// slice so that sequential rows are still not reused by two workers at once.

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
  const where = { file: spec.path, path: `data.${spec.name}` };
  let text: string;
  try {
    text = await readFile(spec.path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new PlanError(code === 'ENOENT' ? 'file not found' : `cannot read: ${(error as Error).message}`, where);
  }
  const ext = extname(spec.path).toLowerCase();
  let rows: FeederRow[];
  if (ext === '.json') rows = parseJsonRows(text, where);
  else if (ext === '.csv' || ext === '.tsv') rows = parseCsvRows((await import('csv-parse/sync')).parse, text, ext === '.tsv' ? '\t' : ',', where);
  else throw new PlanError(`unsupported feeder file type "${ext}" (use .csv, .tsv or .json)`, where);
  if (rows.length === 0) throw new PlanError('has no data rows', where);
  return rows;
}

// csv-parse is imported by loadFeeder for CSV/TSV feeders only: load workers start without it.
function parseCsvRows(parseCsv: typeof import('csv-parse/sync').parse, text: string, delimiter: string, where: { file: string; path: string }): FeederRow[] {
  try {
    const records = parseCsv(text, { columns: true, bom: true, skip_empty_lines: true, delimiter }) as Array<
      Record<string, unknown>
    >;
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
