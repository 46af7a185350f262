// The package version, read once from package.json (shown in records and --version). This file is
// src/version.ts in the repository and dist/src/version.js in the build: package.json is one or two
// folders up (own-files.ts sits on the same layer, so the rule is spelled out here).
import { readFileSync } from 'node:fs';

const PACKAGE_JSON = new URL(import.meta.url.endsWith('.js') ? '../../package.json' : '../package.json', import.meta.url);

export const VERSION: string = (JSON.parse(readFileSync(PACKAGE_JSON, 'utf8')) as { version: string }).version;
