// k6 imports → speedguard's: the names native scripts have (http, check, group, sleep, the metric
// classes, exec) are imported from 'speedguard'; the rest becomes a small helper in the output, a
// plain expression, or a note when nothing native does the same.
import type { Node } from '../transform/ast.ts';
import type { ConvertContext } from './context.ts';

/** What the other passes must know about the k6 names the script imported. */
export interface K6Names {
  /** Local names bound to k6/http (default or namespace). */
  http: Set<string>;
  /** Local names bound to k6/execution's default. */
  exec: Set<string>;
  /** Local names of SharedArray. */
  sharedArray: Set<string>;
  /** Local names of named http functions (get, post …) → the http function. */
  httpFunctions: Map<string, string>;
}

const SAME_NAME: Record<string, ReadonlySet<string>> = {
  k6: new Set(['check', 'group', 'sleep']),
  'k6/metrics': new Set(['Trend', 'Counter', 'Rate', 'Gauge']),
};
const HTTP_FUNCTIONS = new Set(['get', 'post', 'put', 'patch', 'del', 'head', 'options', 'request']);
/** Modules whose names are Node globals already. */
const GLOBAL_MODULES = new Set(['k6/timers']);

export function convertImports(ast: Node, cx: ConvertContext): K6Names {
  const names: K6Names = { http: new Set(), exec: new Set(), sharedArray: new Set(), httpFunctions: new Map() };
  for (const stmt of ast.body as Node[]) {
    if (stmt.type !== 'ImportDeclaration') continue;
    const from = (stmt.source as Node).value as string;
    if (/^https?:\/\//.test(from)) {
      cx.note(stmt, `remote module ${from}: download it next to the script and import it by a relative path`);
      continue;
    }
    if (from !== 'k6' && !from.startsWith('k6/')) continue;
    removeStatement(cx, stmt);
    for (const spec of stmt.specifiers as Node[]) importOne(cx, names, from, spec, stmt);
  }
  return names;
}

function importOne(cx: ConvertContext, names: K6Names, from: string, spec: Node, stmt: Node): void {
  const local = (spec.local as Node).name as string;
  const whole = spec.type !== 'ImportSpecifier';
  const imported = whole ? 'default' : (((spec.imported as Node).name ?? (spec.imported as Node).value) as string);
  const alias = (name: string) => (local === name ? name : `${name} as ${local}`);
  if (GLOBAL_MODULES.has(from)) return;
  if (!whole && SAME_NAME[from]?.has(imported)) return void cx.imports.add(alias(imported));
  switch (from) {
    case 'k6':
      if (imported === 'fail') return void cx.helpers.add('fail');
      break;
    case 'k6/http':
      if (whole) {
        names.http.add(local);
        return void cx.imports.add(alias('http'));
      }
      if (HTTP_FUNCTIONS.has(imported)) {
        cx.imports.add('http');
        names.httpFunctions.set(local, imported);
        return void cx.prelude.add(`const ${local} = http.${imported};`);
      }
      if (imported === 'batch') {
        cx.imports.add('http');
        return void cx.helpers.add('batch');
      }
      break;
    case 'k6/execution':
      if (whole) {
        names.exec.add(local);
        cx.execName = local;
        return void cx.imports.add(alias('exec'));
      }
      break;
    case 'k6/data':
      if (imported === 'SharedArray') return void names.sharedArray.add(local);
      break;
    case 'k6/encoding':
      if (imported === 'b64encode' || imported === 'b64decode') return void cx.helpers.add(imported);
      break;
  }
  cx.note(
    stmt,
    `${whole ? `the ${from} module as a whole` : `${imported} from ${from}`} has no native speedguard equivalent: rewrite the code ` +
      `that uses ${local}`,
  );
}

/** Removes an import statement with its line break, so the line count shrinks by what it took. */
function removeStatement(cx: ConvertContext, stmt: Node): void {
  let end = stmt.end;
  while (cx.source[end] === ' ' || cx.source[end] === '\t') end++;
  if (cx.source[end] === '\r') end++;
  if (cx.source[end] === '\n') end++;
  cx.s.remove(stmt.start, end);
}
