// The speedguard command line: one file per command, registered here.
import { Command, CommanderError } from 'commander';
import { VERSION } from '../version.ts';
import { EXIT, InputError, RuntimeFailure } from '../errors.ts';
import { addRunOptions, runCommand, type RunCliOptions } from './run.ts';
import { registerDemoCommand } from './demo.ts';
import { registerProfileCommand } from './profile.ts';
import { registerAssessCommand } from './assess.ts';
import { registerHistoryCommand } from './history.ts';
import { registerReportCommand } from './report.ts';
import { registerCompareCommand } from './compare.ts';
import { registerDbCommand } from './db.ts';

const EXAMPLES = `
Examples:
  speedguard run http://127.0.0.1:3000/api --rate 2000 -d 30s     open model, 2000 req/s
  speedguard run http://127.0.0.1:3000/api -u 50 -d 30s           50 VUs, closed model
  speedguard run plan.yaml --summary-export summary.json
  speedguard run script.ts --out json=metrics.ndjson
  speedguard demo                                                 load-test the built-in demo service

Exit codes: 0 ok · 1 runtime failure · 2 bad input · 99 a threshold failed · 130 interrupted`;

export async function main(argv: string[]): Promise<number> {
  const program = new Command('speedguard')
    .description('Load-test a service correctly, measure it, and name its bottleneck.')
    .version(VERSION)
    .option('--verbose', 'print stack traces of internal errors')
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s) })
    .addHelpText('after', EXAMPLES);

  let code: number = EXIT.OK;
  addRunOptions(program.command('run <target>').description('run a load test: a URL, a YAML/JSON plan, or a TS/JS script').addHelpText('after', EXAMPLES))
    .action(async (target: string, o: RunCliOptions) => {
      code = await runCommand(target, o);
    });
  // Commands registered from their own files run through this, so their exit code reaches main().
  const pending: Array<Promise<void>> = [];
  const runner = (fn: () => Promise<number>) => {
    pending.push(fn().then((c) => { code = c; }));
  };
  // What follows "--" is a command to start (assess --profile), never options or a target.
  const dd = argv.indexOf('--');
  registerAssessCommand(program, runner, dd >= 0 ? argv.slice(dd + 1) : []);
  registerHistoryCommand(program);
  registerReportCommand(program);
  registerCompareCommand(program, runner);
  registerDemoCommand(program, runner);
  registerProfileCommand(program, runner);
  registerDbCommand(program, runner);

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
