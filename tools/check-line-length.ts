// Lint step (issue 9): no line of the code Biome checks may be longer than MAX_COLUMNS characters.
// Biome's formatter wraps code at lineWidth 140 but cannot break a long string or template literal or
// a comment, so this check catches what it leaves. Fails with exit 1 and one `file:line: N characters`
// per over-long line.
//   node tools/check-line-length.ts [root]   (npm run lint runs it after biome check; root defaults to the repository)
import { globSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';


/** Same width as biome.json's formatter.lineWidth. */
export const MAX_COLUMNS = 140;

/** The files biome.json includes. */
const CHECKED = ['src/**/*.ts', 'test/**/*.ts', 'bench/**/*.ts', 'examples/**/*.ts', 'bin/**/*.js'];
/** Fixtures are inputs whose line numbers tests refer to: they keep their shape. */
const SKIPPED = ['**/node_modules/**', 'test/fixtures/**'];

export interface LongLine {
  file: string;
  line: number;
  length: number;
}

export function findLongLines(root: string, max = MAX_COLUMNS): LongLine[] {
  const files = globSync(CHECKED, { cwd: root, exclude: SKIPPED }).sort();
  const long: LongLine[] = [];
  for (const file of files) {
    readFileSync(resolve(root, file), 'utf8')
      .split('\n')
      .forEach((text, i) => {
        // Characters, not UTF-16 units: '→' and 'µ' are one column each.
        const length = [...text.replace(/\r$/, '')].length;
        if (length > max) long.push({ file, line: i + 1, length });
      });
  }
  return long;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const root = resolve(process.argv[2] ?? fileURLToPath(new URL('..', import.meta.url)));
  const long = findLongLines(root);
  for (const l of long) console.error(`${l.file}:${l.line}: ${l.length} characters (at most ${MAX_COLUMNS})`);
  if (long.length) {
    console.error(`check-line-length: ${long.length} line(s) longer than ${MAX_COLUMNS} characters: wrap them by hand`);
    process.exit(1);
  }
}
