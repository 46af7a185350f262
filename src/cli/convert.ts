// `speedguard convert script.js [-o out.ts]`: writes a k6 script as a native speedguard TypeScript
// script (k6/convert/), on stdout or to a file; what could not be converted is named on stderr.
import { writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { convertK6Script } from '../k6/convert/convert.ts';
import { EXIT } from '../errors.ts';
import { checkOutputFile } from './output-paths.ts';

const HELP = `
Examples:
  speedguard convert script.js -o script.ts     then: speedguard run script.ts
  speedguard convert script.js > script.ts

Exit codes: 0 converted (notes on stderr name the lines that need a look; -q leaves them out) · 2 bad input`;

export function registerConvertCommand(program: Command, run: (fn: () => Promise<number>) => void): void {
  program
    .command('convert <script>')
    .option('-o, --out <file>', 'write the TypeScript script here (default: stdout)')
    .option('-q, --quiet', 'no notes on stderr (the "speedguard convert:" comments stay in the output)')
    .addHelpText('after', HELP)
    .action((script: string, o: ConvertCliOptions) => run(async () => convertCommand(script, o)));
}

interface ConvertCliOptions {
  out?: string;
  quiet?: boolean;
}

export function convertCommand(script: string, o: ConvertCliOptions): number {
  if (o.out !== undefined) checkOutputFile(o.out, '--out');
  const { code, notes } = convertK6Script(script, o.out);
  if (o.out !== undefined) writeFileSync(o.out, code);
  else process.stdout.write(code);
  if (!o.quiet) for (const n of notes) process.stderr.write(`speedguard: ${script}:${n.line}: ${n.message}\n`);
  return EXIT.OK;
}
