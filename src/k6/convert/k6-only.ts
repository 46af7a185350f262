// k6's globals and the k6 APIs native scripts do not have: __ENV → process.env, __VU/__ITER → exec,
// open() → readFileSync, SharedArray → a plain array, http.batch → a local helper, handleSummary and
// the rest (cookie jars, html(), redirects …) → a note where the user must decide.
import { relative, resolve } from 'node:path';
import { keyName, memberName, walk, type Node } from '../transform/ast.ts';
import type { ConvertContext } from './context.ts';
import type { K6Names } from './imports.ts';

/** What speedguard's exec has: `exec.vu.idInTest`, `exec.vu.iterationInScenario`, `exec.scenario.name`. */
const EXEC_FIELDS: Record<string, ReadonlySet<string>> = {
  vu: new Set(['idInTest', 'iterationInScenario']),
  scenario: new Set(['name']),
};
/** Response members k6 has and speedguard's Response does not. */
const K6_RESPONSE_ONLY = new Set([
  'html',
  'cookies',
  'status_text',
  'proto',
  'error_code',
  'clickLink',
  'submitForm',
  'request',
  'remote_ip',
  'tls_version',
]);
/** Request params k6 has and speedguard's RequestParams does not. */
const K6_PARAMS_ONLY = new Set(['redirects', 'cookies', 'jar', 'auth', 'compression', 'responseCallback']);

export function convertK6Only(ast: Node, cx: ConvertContext, names: K6Names, paths: { scriptDir: string; outDir: string }): void {
  walk(ast, (n, parent, fn) => {
    if (n.type === 'Identifier' && isReference(n, parent)) return global(n, cx, fn === null);
    if (n.type === 'CallExpression') return call(n, cx, names, paths);
    if (
      n.type === 'NewExpression' &&
      (n.callee as Node).type === 'Identifier' &&
      names.sharedArray.has((n.callee as Node).name as string)
    ) {
      // new SharedArray(name, fn) → (fn)(): one array per worker thread instead of one shared by all.
      const args = n.arguments as Node[];
      if (args[1]) {
        cx.s.overwrite(n.start, args[1].start, '(', { contentOnly: true });
        cx.s.overwrite(args[1].end, n.end, ')()', { contentOnly: true });
      }
      return;
    }
    if (n.type === 'MemberExpression') return member(n, parent, cx, names);
    if (
      (n.type === 'ExportNamedDeclaration' && exportsFunction(n, 'handleSummary')) ||
      (n.type === 'Property' && parent?.type === 'ObjectExpression')
    )
      return summaryOrParam(n, parent, cx);
  });
}

function isReference(n: Node, parent: Node | null): boolean {
  if (!parent) return true;
  if (parent.type === 'MemberExpression' && parent.property === n && !parent.computed) return false;
  if (parent.type === 'Property' && parent.key === n && !parent.computed && !parent.shorthand) return false;
  return true;
}

function global(n: Node, cx: ConvertContext, initContext: boolean): void {
  const name = n.name as string;
  if (name === '__ENV') {
    cx.prelude.add('const ENV = process.env as Record<string, string>;');
    cx.s.overwrite(n.start, n.end, 'ENV', { contentOnly: true });
  } else if (name === '__VU' || name === '__ITER') {
    cx.imports.add(cx.execName === 'exec' ? 'exec' : `exec as ${cx.execName}`);
    cx.s.overwrite(n.start, n.end, `${cx.execName}.vu.${name === '__VU' ? 'idInTest' : 'iterationInScenario'}`, { contentOnly: true });
    if (initContext) cx.note(n, `${name} at the top level: speedguard scripts have no VU outside an iteration (this throws)`);
  }
}

function call(n: Node, cx: ConvertContext, names: K6Names, paths: { scriptDir: string; outDir: string }): void {
  const callee = n.callee as Node;
  const args = n.arguments as Node[];
  if (callee.type === 'Identifier' && callee.name === 'open') {
    // open() reads relative to the script; the converted file may live elsewhere.
    cx.prelude.add('#fs');
    cx.s.overwrite(callee.start, callee.end, 'readFileSync', { contentOnly: true });
    const file = args[0];
    if (file?.type === 'Literal' && typeof file.value === 'string') {
      let rel = relative(paths.outDir, resolve(paths.scriptDir, file.value)).split('\\').join('/');
      if (!rel.startsWith('.')) rel = `./${rel}`;
      cx.s.overwrite(file.start, file.end, `new URL(${JSON.stringify(rel)}, import.meta.url)`, { contentOnly: true });
    } else if (file) cx.note(n, 'open() with a computed path: make it relative to this file (new URL(path, import.meta.url))');
    const mode = args[1];
    if (mode?.type === 'Literal' && mode.value === 'b') cx.s.remove(args[0]!.end, mode.end);
    else if (!mode && file) cx.s.appendLeft(file.end, ", 'utf8'");
    return;
  }
  if (callee.type !== 'MemberExpression') return;
  const obj = callee.object as Node;
  const method = memberName(callee);
  if (obj.type === 'Identifier' && names.http.has(obj.name as string)) {
    // speedguard's http.request(method, url, body, params) takes the body in place: k6 lets it go.
    if ((method === 'request' || method === 'asyncRequest') && args.length === 2) cx.s.appendLeft(args[1]!.end, ', null');
    if (method === 'batch') {
      cx.helpers.add('batch');
      cx.s.overwrite(callee.start, callee.end, 'batch', { contentOnly: true });
    } else if (method === 'asyncRequest') cx.s.overwrite((callee.property as Node).start, (callee.property as Node).end, 'request');
    else if (method && !['get', 'post', 'put', 'patch', 'del', 'head', 'options', 'request'].includes(method))
      cx.note(n, `http.${method}() has no native speedguard equivalent`);
  } else if (method && K6_RESPONSE_ONLY.has(method))
    cx.note(n, `response.${method}() is k6-only: speedguard's Response has status, body, headers, timings, url, error and json()`);
}

function member(n: Node, parent: Node | null, cx: ConvertContext, names: K6Names): void {
  const obj = n.object as Node;
  const name = memberName(n);
  if (obj.type === 'Identifier' && names.exec.has(obj.name as string) && name) {
    const fields = EXEC_FIELDS[name];
    const sub = parent?.type === 'MemberExpression' && parent.object === n ? memberName(parent) : null;
    if (!fields || (sub !== null && !fields.has(sub)))
      cx.note(n, `exec.${name}${sub ? `.${sub}` : ''} has no native speedguard equivalent`);
  } else if (
    name &&
    !(parent?.type === 'CallExpression' && parent.callee === n) &&
    ['cookies', 'status_text', 'proto', 'error_code'].includes(name) &&
    !n.computed
  ) {
    cx.note(n, `response.${name} is k6-only: speedguard's Response has status, body, headers, timings, url, error and json()`);
  }
}

function exportsFunction(n: Node, name: string): boolean {
  const d = n.declaration as Node | null;
  return d?.type === 'FunctionDeclaration' && (d.id as Node).name === name;
}

function summaryOrParam(n: Node, parent: Node | null, cx: ConvertContext): void {
  if (n.type === 'ExportNamedDeclaration') {
    cx.note(
      n,
      'handleSummary() is k6-only: speedguard prints its own summary (--summary-export FILE writes it as JSON); kept below, commented out',
    );
    cx.commentOut(n);
    return;
  }
  const key = keyName(n.key as Node, Boolean(n.computed));
  if (key !== null && K6_PARAMS_ONLY.has(key) && parent && isParamsObject(parent))
    cx.note(n, `request param ${key} is k6-only: speedguard's params are headers, tags, timeout (ms), responseType, expectedStatuses`);
}

/** An object literal with `headers` or `tags` beside the key: request params, not user data. */
function isParamsObject(obj: Node): boolean {
  return (obj.properties as Node[]).some(
    (p) => p.type === 'Property' && ['headers', 'tags'].includes(keyName(p.key as Node, Boolean(p.computed)) ?? ''),
  );
}
