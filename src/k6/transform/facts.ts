// What one module tells the async analysis: its k6 imports, its local imports and exports, the
// functions it defines (by the names they can be called through) and every call it makes.
import { stripTypesQuietly } from '../../analysis/source/strip-types.ts';
import { isFunction, keyName, parseModule, walk, type FunctionNode, type Node } from './ast.ts';

/** k6/http functions that block in k6 (they send requests): awaited after the transform. */
export const HTTP_BLOCKING = new Set(['get', 'post', 'put', 'patch', 'del', 'head', 'options', 'request', 'batch']);
/** `k6` functions that block: sleep waits; group runs a callback that may block. */
export const K6_BLOCKING = new Set(['sleep', 'group']);
/** Response methods that send a request (k6's Response.clickLink / submitForm). */
export const RESPONSE_BLOCKING = new Set(['clickLink', 'submitForm']);

export interface LocalImport {
  local: string;
  /** The exported name, 'default', or '*' for a namespace import. */
  imported: string;
  path: string;
}

export interface CallInfo {
  node: Node;
  /** Nearest enclosing function; null at module level (k6's init context). */
  fn: FunctionNode | null;
  /** Already the operand of an `await` the user wrote. */
  awaited: boolean;
}

export interface ModuleFacts {
  path: string;
  source: string;
  ast: Node;
  importsK6: boolean;
  /** Local names of `import http from 'k6/http'` / `import * as http from 'k6/http'`. */
  httpNames: Set<string>;
  /** Local names of `import k6 from 'k6'` / `import * as k6 from 'k6'`. */
  k6Names: Set<string>;
  /** Local names of named imports that block: sleep, group, get, post … */
  blockingIds: Set<string>;
  localImports: LocalImport[];
  /** `export { a as b } from './x.js'` and `export * from './x.js'` (exported '*'). */
  reexports: Array<{ exported: string; imported: string; path: string }>;
  /** Exported name → local binding name; '#default' for an anonymous default function. */
  exportsLocal: Map<string, string>;
  /** Functions reachable by a plain identifier (declarations, `const f = () => …`). */
  byName: Map<string, FunctionNode[]>;
  /** Functions reachable as a property/method (`{ login() {} }`, `class { login() {} }`, `o.f = …`). */
  byMember: Map<string, FunctionNode[]>;
  /** `{ login }` shorthand and `{ login: doLogin }`: member name → identifier it refers to. */
  memberRefs: Map<string, string[]>;
  defaultFunction: FunctionNode | null;
  functions: FunctionNode[];
  /** Functions that cannot be made async (getters, setters, constructors, generators). */
  fixedSync: Set<FunctionNode>;
  /** Method functions: where `async ` goes (before the key) instead of at the function's start. */
  asyncInsertAt: Map<FunctionNode, number>;
  /** Each function's enclosing function, for parameter lookups from nested callbacks. */
  parentFn: Map<FunctionNode, FunctionNode | null>;
  calls: CallInfo[];
}

function push<K, V>(m: Map<K, V[]>, k: K, v: V): void {
  const list = m.get(k);
  if (list) list.push(v);
  else m.set(k, [v]);
}

/** Source as JavaScript with the same positions: TypeScript types become blanks (Node's own stripper). */
export function asJavaScript(source: string, path: string): string {
  if (!/\.(m|c)?ts$/.test(path)) return source;
  const js = stripTypesQuietly(source);
  if (js === null)
    throw new Error(`${path}: this Node cannot strip TypeScript types (it needs Node ≥ 22.13); write the script in JavaScript`);
  return js;
}

export function collectFacts(path: string, source: string, resolveLocal: (spec: string) => string | null): ModuleFacts {
  const ast = parseModule(source);
  const f: ModuleFacts = {
    path,
    source,
    ast,
    importsK6: false,
    httpNames: new Set(),
    k6Names: new Set(),
    blockingIds: new Set(),
    localImports: [],
    reexports: [],
    exportsLocal: new Map(),
    byName: new Map(),
    byMember: new Map(),
    memberRefs: new Map(),
    defaultFunction: null,
    functions: [],
    fixedSync: new Set(),
    asyncInsertAt: new Map(),
    parentFn: new Map(),
    calls: [],
  };

  for (const stmt of ast.body as Node[]) {
    if (stmt.type === 'ImportDeclaration') importFacts(f, stmt, resolveLocal);
    else if (stmt.type === 'ExportNamedDeclaration') exportFacts(f, stmt, resolveLocal);
    else if (stmt.type === 'ExportAllDeclaration') {
      const p = resolveLocal((stmt.source as Node).value as string);
      if (p) f.reexports.push({ exported: ((stmt.exported as Node | null)?.name as string) ?? '*', imported: '*', path: p });
    } else if (stmt.type === 'ExportDefaultDeclaration') {
      const d = stmt.declaration as Node;
      if (isFunction(d)) {
        f.defaultFunction = d;
        f.exportsLocal.set('default', d.id ? (d.id.name as string) : '#default');
      } else if (d.type === 'Identifier') f.exportsLocal.set('default', d.name as string);
    }
  }

  walk(ast, (n, parent, fn) => {
    if (isFunction(n)) {
      f.functions.push(n);
      f.parentFn.set(n, fn);
      if (n.generator) f.fixedSync.add(n);
      if (n.type === 'FunctionDeclaration' && n.id) push(f.byName, n.id.name as string, n);
      return;
    }
    switch (n.type) {
      case 'VariableDeclarator': {
        const init = n.init as Node | null;
        if (init && isFunction(init) && (n.id as Node).type === 'Identifier') push(f.byName, (n.id as Node).name as string, init);
        break;
      }
      case 'AssignmentExpression': {
        const right = n.right as Node;
        const left = n.left as Node;
        if (!isFunction(right)) break;
        if (left.type === 'Identifier') push(f.byName, left.name as string, right);
        else if (left.type === 'MemberExpression') {
          const p = left.property as Node;
          const name = keyName(p, left.computed as boolean);
          if (name) push(f.byMember, name, right);
        }
        break;
      }
      case 'Property':
      case 'MethodDefinition':
      case 'PropertyDefinition': {
        const name = keyName(n.key as Node, n.computed as boolean);
        const value = n.value as Node | null;
        if (!value) break;
        if (isFunction(value)) {
          if (name) push(f.byMember, name, value);
          const kind = n.kind as string | undefined;
          if (kind === 'get' || kind === 'set' || kind === 'constructor') f.fixedSync.add(value);
          if (n.method || n.type === 'MethodDefinition') f.asyncInsertAt.set(value, methodKeyStart(f.source, n));
        } else if (value.type === 'Identifier' && name) push(f.memberRefs, name, value.name as string);
        break;
      }
      case 'CallExpression':
        f.calls.push({ node: n, fn, awaited: parent?.type === 'AwaitExpression' });
        break;
    }
  });
  return f;
}

/** Where `async` goes for a method: before its key, or before the `[` of a computed key. */
function methodKeyStart(source: string, def: Node): number {
  const key = def.key as Node;
  if (!def.computed) return key.start;
  let i = key.start - 1;
  while (i > def.start && source[i] !== '[') i--;
  return i;
}

function importFacts(f: ModuleFacts, stmt: Node, resolveLocal: (spec: string) => string | null): void {
  const spec = (stmt.source as Node).value as string;
  const specifiers = stmt.specifiers as Node[];
  if (spec === 'k6' || spec.startsWith('k6/')) {
    f.importsK6 = true;
    const names = spec === 'k6/http' ? HTTP_BLOCKING : spec === 'k6' ? K6_BLOCKING : null;
    if (!names) return;
    for (const s of specifiers) {
      const local = (s.local as Node).name as string;
      if (s.type === 'ImportSpecifier') {
        const imported = importedName(s.imported as Node);
        if (names.has(imported)) f.blockingIds.add(local);
      } else (spec === 'k6/http' ? f.httpNames : f.k6Names).add(local);
    }
    return;
  }
  const path = resolveLocal(spec);
  if (!path) return;
  for (const s of specifiers) {
    const local = (s.local as Node).name as string;
    const imported =
      s.type === 'ImportDefaultSpecifier' ? 'default' : s.type === 'ImportNamespaceSpecifier' ? '*' : importedName(s.imported as Node);
    f.localImports.push({ local, imported, path });
  }
}

function exportFacts(f: ModuleFacts, stmt: Node, resolveLocal: (spec: string) => string | null): void {
  const decl = stmt.declaration as Node | null;
  if (decl) {
    if (decl.type === 'FunctionDeclaration' && decl.id)
      f.exportsLocal.set((decl.id as Node).name as string, (decl.id as Node).name as string);
    if (decl.type === 'VariableDeclaration') {
      for (const d of decl.declarations as Node[]) {
        if ((d.id as Node).type === 'Identifier') f.exportsLocal.set((d.id as Node).name as string, (d.id as Node).name as string);
      }
    }
    if (decl.type === 'ClassDeclaration' && decl.id) f.exportsLocal.set((decl.id as Node).name as string, (decl.id as Node).name as string);
    return;
  }
  const from = stmt.source ? resolveLocal((stmt.source as Node).value as string) : null;
  for (const s of stmt.specifiers as Node[]) {
    const exported = importedName(s.exported as Node);
    const local = importedName(s.local as Node);
    if (stmt.source) {
      if (from) f.reexports.push({ exported, imported: local, path: from });
    } else f.exportsLocal.set(exported, local);
  }
}

function importedName(n: Node): string {
  return n.type === 'Identifier' ? (n.name as string) : String(n.value);
}
