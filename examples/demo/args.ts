// Command-line parsing shared by server.ts and downstream.ts.
import { parseArgs } from 'node:util';

/** `--port N` from argv; a usage error exits 2 with one line on stderr. */
export function portFromArgs(argv: string[], program: string): number {
  try {
    const { values } = parseArgs({ args: argv, options: { port: { type: 'string', default: '0' } } });
    const n = Number(values.port);
    if (!/^\d+$/.test(values.port) || n > 65535)
      throw new Error(`--port must be an integer from 0 to 65535 (got ${JSON.stringify(values.port)})`);
    return n;
  } catch (error) {
    process.stderr.write(`${program}: ${(error as Error).message}\n`);
    process.exit(2);
  }
}
