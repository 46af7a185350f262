// Runs a checkout's JavaScript build (dist/) the way the installed package's bin runs it:
//   node bench/lib/run-built.mjs <checkout> run URL …
// Inside a checkout, bin/speedguard.js runs the TypeScript sources (type stripping loads Node's
// TypeScript stripper and every module is stripped at load: tens of MB and ~0.3 s more than the
// build). Users run the build, so the benchmarks measure the build. Plain JavaScript on purpose:
// a .ts runner would load the stripper itself.
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const [checkout, ...args] = process.argv.slice(2);
const { main } = await import(pathToFileURL(join(checkout, 'dist', 'src', 'cli', 'main.js')).href);
const code = await main(args);
process.stdout.write('', () => process.exit(code));
