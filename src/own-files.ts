// speedguard's own files at run time, found the same way from src/ (the repository: TypeScript run by
// Node's type stripping) and from dist/src/ (the published build: JavaScript emitted by tsc, whose
// import specifiers were rewritten from .ts to .js). Specifiers built at run time (worker entry,
// modules imported on demand, files handed to child processes) are not rewritten by tsc: they go
// through here.

/** True in the published build (this file is dist/src/own-files.js). */
export const BUILT: boolean = import.meta.url.endsWith('.js');

/** A module of speedguard by its source specifier relative to `base` ('./worker-main.ts'): its .js twin in the build. */
export function ownModule(specifier: string, base: string): URL {
  return new URL(BUILT ? specifier.replace(/\.ts$/, '.js') : specifier, base);
}

/** A file shipped with the package (package.json, examples/demo/plan.yaml) by its path from the package root. */
export function packageFile(path: string): URL {
  return new URL((BUILT ? '../../' : '../') + path, import.meta.url);
}
