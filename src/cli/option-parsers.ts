// Value parsers for commander options, shared by every command: a bad value is a UsageError that
// names the option and quotes the value (exit 2, one line).
import { UsageError } from './exit-codes.ts';

/** Repeatable option: -H a -H b → ['a', 'b']. */
export const collect = (v: string, prev: string[]): string[] => [...prev, v];

/** A whole number ≥ 0. */
export const wholeNumber = (name: string) => (v: string): number => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new UsageError(`${name}: expected a whole number, got ${JSON.stringify(v)}`);
  return n;
};

/** A whole number > 0. */
export const positiveInt = (name: string) => (v: string): number => {
  const n = Number(v);
  if (!Number.isInteger(n) || n <= 0) throw new UsageError(`${name}: expected a whole number > 0, got ${JSON.stringify(v)}`);
  return n;
};

/** Any number > 0. */
export const positiveNumber = (name: string) => (v: string): number => {
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0) throw new UsageError(`${name}: expected a number > 0, got ${JSON.stringify(v)}`);
  return n;
};
