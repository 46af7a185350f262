// Value parsers for commander options, shared by every command: a bad value is a UsageError that
// names the option and quotes the value (exit 2, one line).
import { Option, type Command } from 'commander';
import { UsageError } from '../errors.ts';
import { GATE_SEVERITIES } from '../record/findings.ts';

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


/** --fail-on with its values checked by commander (a typo is exit 2, not a gate that always fails). */
export function failOnOption(description: string): Option {
  return new Option('--fail-on <severity>', description).choices([...GATE_SEVERITIES].reverse());
}

/** The options every command that writes an assessment record shares: where, history, JSON, quiet. */
export function addRecordOutputOptions(cmd: Command, o: { outDir: string; record: string }): Command {
  return cmd
    .option('--out-dir <dir>', o.outDir, 'PERFORMANCE')
    .option('--history <path>', 'history database (default .speedguard/history.db)')
    .option('--no-history', `do not store ${o.record}`)
    .option('--json', `print ${o.record} as JSON on stdout`)
    .option('-q, --quiet', 'no progress lines');
}
