// Value parsers for commander options, shared by every command: a bad value is a UsageError that
// names the option and quotes the value (exit 2, one line). Every command parses numbers, durations,
// rates, ports and worker counts with these, so the same flag means the same thing everywhere.
import { Option, type Command } from 'commander';
import { UsageError } from '../errors.ts';
import { parseDuration } from '../plan/duration.ts';
import { durationAboveLimit } from '../plan/limits.ts';
import { GATE_SEVERITIES, type GateSeverity } from '../record/findings.ts';

/** Repeatable option: -H a -H b → ['a', 'b']. */
export const collect = (v: string, prev: string[]): string[] => [...prev, v];

/** A whole number ≥ 0. */
export const wholeNumber =
  (name: string) =>
  (v: string): number => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < 0) throw new UsageError(`${name}: expected a whole number, got ${JSON.stringify(v)}`);
    return n;
  };

/** A whole number > 0. */
export const positiveInt =
  (name: string) =>
  (v: string): number => {
    const n = Number(v);
    if (!Number.isInteger(n) || n <= 0) throw new UsageError(`${name}: expected a whole number > 0, got ${JSON.stringify(v)}`);
    return n;
  };

/** Any number > 0. */
export const positiveNumber =
  (name: string) =>
  (v: string): number => {
    const n = Number(v);
    if (!Number.isFinite(n) || n <= 0) throw new UsageError(`${name}: expected a number > 0, got ${JSON.stringify(v)}`);
    return n;
  };

/** Requests per second (open model): any number > 0, e.g. 2000 or 0.5. */
export const rateNumber = positiveNumber;

/** A TCP port, 1–65535. */
export const portNumber =
  (name: string) =>
  (v: string): number => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < 1 || n > 65_535)
      throw new UsageError(`${name}: expected a port number 1–65535, got ${JSON.stringify(v)}`);
    return n;
  };

/**
 * A duration with its unit ("30s", "1m30s", "500ms"), kept as written. A bare number is refused, as
 * k6 does on its command line: "-d 30" would otherwise run 30 milliseconds.
 */
export const durationFlag =
  (name: string) =>
  (v: string): string => {
    const text = v.trim();
    if (/^\d+(\.\d+)?$/.test(text))
      throw new UsageError(`${name}: ${JSON.stringify(v)} has no unit; write it with one, e.g. "${text}s" or "${text}ms"`);
    let ms: number;
    try {
      ms = parseDuration(text);
    } catch {
      throw new UsageError(`${name}: expected a duration such as 30s, 1m30s or 500ms, got ${JSON.stringify(v)}`);
    }
    // Always refused, --no-limits or not: a timer would fire at once (the 7-day soft limit is the plan's).
    const problem = durationAboveLimit(ms, false);
    if (problem) throw new UsageError(`${name}: ${problem}`);
    return text;
  };

/** --fail-on with its values checked by commander (a typo is exit 2, not a gate that always fails). */
export function failOnOption(description: string): Option {
  return new Option('--fail-on <severity>', description).choices([...GATE_SEVERITIES].reverse());
}

/** The options every command that writes an assessment record shares: where, history, JSON, quiet. */
/** The flags addRecordOutputOptions declares, as Commander hands them to an action. */
export interface RecordOutputCliOptions {
  outDir: string;
  /** A path with --history PATH, false with --no-history, else true/undefined. */
  history?: string | boolean;
  json?: boolean;
  quiet?: boolean;
}

/** The flags of a command that ends in a quality gate: severity thresholds and the severity that fails it. */
export interface GateCliOptions {
  config?: string;
  failOn?: GateSeverity;
}

export function addGateOptions(cmd: Command, configHelp = 'severity thresholds (JSON or YAML)'): Command {
  return cmd.option('--config <file>', configHelp).addOption(failOnOption('exit 99 on a finding at or above this severity'));
}

export function addRecordOutputOptions(cmd: Command, o: { outDir: string; record: string }): Command {
  return cmd
    .option('--out-dir <dir>', o.outDir, 'PERFORMANCE')
    .option('--history <path>', 'history database (default .speedguard/history.db)')
    .option('--no-history', `do not store ${o.record}`)
    .option('--json', `print ${o.record} as JSON on stdout`)
    .option('-q, --quiet', 'no progress lines');
}
