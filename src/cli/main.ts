// The speedguard command line: one file per command, registered here. Only the command being run is
// imported (its file pulls in the engine, plan validation, PostgreSQL, reports…): `speedguard --help`
// and the others list the rest by name and description alone, so starting costs little more than
// Node itself (BENCHMARKS.md, cold start).
import { Command, CommanderError } from 'commander';
import { VERSION } from '../version.ts';
import { EXIT, InputError, RuntimeFailure } from '../errors.ts';
import type { RunCliOptions } from './run.ts';
import { redactStderr } from './redacted-stderr.ts';

const EXAMPLES = `
Examples:
  speedguard run http://127.0.0.1:3000/api --rate 2000 -d 30s     open model, 2000 req/s
  speedguard run http://127.0.0.1:3000/api -u 50 -d 30s           50 VUs, closed model
  speedguard run plan.yaml --summary-export summary.json
  speedguard run script.ts --out json=metrics.ndjson
  speedguard demo                                                 load-test the built-in demo service
  speedguard convert script.js -o script.ts                       a k6 script as a native TypeScript script

Exit codes: 0 ok · 1 runtime failure · 2 bad input · 99 a threshold failed · 130 interrupted
(k6 scripts: k6's codes — 99 thresholds, 100/101 setup/teardown timeout, 105 interrupted, 107 script exception, 108 aborted, 110 failed)`;

type Runner = (fn: () => Promise<number>) => void;
type Register = (program: Command, run: Runner, passthrough: string[]) => void;

/** The commands, in the order help lists them; `load` imports one's implementation and registers it. */
const COMMANDS: ReadonlyArray<{ name: string; description: string; load: () => Promise<Register> }> = [
  {
    name: 'run',
    description: 'run a load test: a URL, a YAML/JSON plan, or a TS/JS script',
    load: async () => {
      const { addRunOptions, runCommand } = await import('./run.ts');
      return (program, run) => {
        addRunOptions(program.command('run <target>').addHelpText('after', EXAMPLES)).action((target: string, o: RunCliOptions) =>
          run(() => runCommand(target, o)),
        );
      };
    },
  },
  {
    name: 'assess',
    description: 'assess a service: baseline, stress to breaking point, spike, sustained, recovery → findings, capacity, reports',
    load: async () => (await import('./assess.ts')).registerAssessCommand,
  },
  {
    name: 'history',
    description: 'list stored runs and assessments, newest first',
    load: async () => {
      const m = await import('./history.ts');
      return (p) => m.registerHistoryCommand(p);
    },
  },
  {
    name: 'report',
    description: 're-render a stored run or assessment (no load is sent)',
    load: async () => {
      const m = await import('./report.ts');
      return (p) => m.registerReportCommand(p);
    },
  },
  {
    name: 'compare',
    description: 'compare a run with a baseline: direction-aware thresholds, significance, confidence intervals',
    load: async () => (await import('./compare.ts')).registerCompareCommand,
  },
  {
    name: 'demo',
    description: 'start the bundled demo shop (real bottlenecks), assess it, and write the reports (about 2 minutes)',
    load: async () => (await import('./demo.ts')).registerDemoCommand,
  },
  {
    name: 'profile',
    description:
      'start a service, load it, measure it from inside (CPU profile, event loop, GC, memory, downstreams, /proc) and name the bottleneck',
    load: async () => (await import('./profile.ts')).registerProfileCommand,
  },
  {
    name: 'convert',
    description: 'write a k6 script as a native speedguard TypeScript script (async/await, typed)',
    load: async () => (await import('./convert.ts')).registerConvertCommand,
  },
  {
    name: 'db',
    description:
      'analyse a PostgreSQL database: slow statements, plans, measured index advice, unused/duplicate/invalid indexes, cache, connections',
    load: async () => (await import('./db.ts')).registerDbCommand,
  },
];

/** The command the arguments name: the first operand (`help X` names X). Global options take no value. */
function commandNamed(args: string[]): string | undefined {
  const operands = args.filter((a) => !a.startsWith('-'));
  return operands[0] === 'help' ? operands[1] : operands[0];
}

export async function main(argv: string[]): Promise<number> {
  // Before anything can print: messages quote what the user typed, secrets included.
  redactStderr(argv);
  const program = new Command('speedguard')
    .description('Load-test a service correctly, measure it, and name its bottleneck.')
    .version(VERSION)
    .option('--verbose', 'print stack traces of internal errors')
    .exitOverride()
    .configureOutput({
      // Commander puts its suggestion on a second line: one line per error, as every other one.
      writeErr: (s) => process.stderr.write(s.replace(/\n\((Did you mean [^)\n]*)\)/, ' ($1)')),
    })
    .addHelpText('after', EXAMPLES);

  let code: number = EXIT.OK;
  // Commands registered from their own files run through this, so their exit code reaches main().
  const pending: Array<Promise<void>> = [];
  const runner: Runner = (fn) => {
    pending.push(
      fn().then((c) => {
        code = c;
      }),
    );
  };
  // What follows "--" is a command to start (assess --profile), never options or a target.
  const dd = argv.indexOf('--');
  const passthrough = dd >= 0 ? argv.slice(dd + 1) : [];
  const selected = commandNamed(argv.slice(0, dd >= 0 ? dd : argv.length));
  for (const c of COMMANDS) {
    if (c.name === selected) (await c.load())(program, runner, passthrough);
    else program.command(c.name);
    program.commands.at(-1)!.description(c.description);
  }

  try {
    await program.parseAsync(argv, { from: 'user' });
    await Promise.all(pending);
    return code;
  } catch (e) {
    if (e instanceof CommanderError) {
      // --help and --version end here with exitCode 0; usage errors were already printed.
      return e.exitCode === 0 ? EXIT.OK : EXIT.BAD_INPUT;
    }
    // Input the user can fix (exit 2) and failures of the service or its database (exit 1): one line each.
    if (e instanceof InputError || e instanceof RuntimeFailure) {
      process.stderr.write(`speedguard: ${e.message}\n`);
      return e.exitCode;
    }
    const verbose = argv.includes('--verbose');
    process.stderr.write(`speedguard: internal error: ${(e as Error)?.message ?? String(e)}\n`);
    process.stderr.write(verbose ? `${(e as Error)?.stack}\n` : 'Re-run with --verbose for the stack trace, and please report it.\n');
    return EXIT.RUNTIME;
  }
}
