// The package version, read once from package.json (shown in records and --version).
import { readFileSync } from 'node:fs';
import { packageFile } from './own-files.ts';

export const VERSION: string = (JSON.parse(readFileSync(packageFile('package.json'), 'utf8')) as { version: string }).version;
