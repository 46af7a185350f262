// Which functions of a k6 script must become async, and which calls must be awaited.
//
// k6 code blocks (`const res = http.get(u)`); on Node the same call returns a promise. A function
// that reaches a blocking call — directly, through a helper, across the user's local modules, or
// through a callback handed to it — becomes async, and every call that reaches one is awaited.
// Resolution is by name (a function's binding, a property/method name), not by full scope
// analysis: over-awaiting is harmless (awaiting a plain value gives the value), so the analysis
// errs towards awaiting. What it cannot see (a callback handed to a library) is caught at run
// time: an iteration that ends with requests in flight gets a warning.
import { readFileSync } from 'node:fs';
import { extname } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { isFunction, memberName, type FunctionNode, type Node } from './ast.ts';
import { HTTP_BLOCKING, K6_BLOCKING, RESPONSE_BLOCKING, asJavaScript, collectFacts, type CallInfo, type ModuleFacts } from './facts.ts';

/** Array methods whose callback k6 runs synchronously: with an async callback they run in order. */
export const SEQUENTIAL_METHODS = new Set([
  'forEach',
  'map',
  'filter',
  'some',
  'every',
  'find',
  'findIndex',
  'findLast',
  'findLastIndex',
  'flatMap',
  'reduce',
  'reduceRight',
]);

export type CallRewrite = 'await' | 'seq';

export interface Analysis {
  modules: Map<string, ModuleFacts>;
  asyncFns: Set<FunctionNode>;
  rewrites: Map<Node, CallRewrite>;
}

const SCRIPT_EXT = new Set(['.js', '.mjs', '.cjs', '.ts', '.mts']);

function localResolver(fromPath: string): (spec: string) => string | null {
  return (spec) => {
    if (!/^(\.{1,2}\/|\/|file:)/.test(spec)) return null;
    const path = fileURLToPath(new URL(spec, pathToFileURL(fromPath)));
    return SCRIPT_EXT.has(extname(path)) ? path : null;
  };
}

/** Reads and analyses the entry module and every local module it reaches. */
export function analyseGraph(entryPath: string, entrySource?: string): Analysis {
  const modules = new Map<string, ModuleFacts>();
  const queue = [entryPath];
  while (queue.length > 0) {
    const path = queue.shift()!;
    if (modules.has(path)) continue;
    let source: string;
    try {
      source = path === entryPath && entrySource !== undefined ? entrySource : asJavaScript(readFileSync(path, 'utf8'), path);
    } catch {
      continue; // Node reports the missing file when it imports it
    }
    let facts: ModuleFacts;
    try {
      facts = collectFacts(path, source, localResolver(path));
    } catch (e) {
      if (path === entryPath) throw e;
      continue; // a helper that does not parse: its own transform reports it
    }
    modules.set(path, facts);
    for (const i of facts.localImports) queue.push(i.path);
    for (const r of facts.reexports) queue.push(r.path);
  }
  return new Resolver(modules).run();
}

class Resolver {
  private readonly modules: Map<string, ModuleFacts>;
  private readonly asyncFns = new Set<FunctionNode>();
  /** Parameters known to receive an async callback: `function retry(fn) { return fn() }`. */
  private readonly asyncParams = new Map<FunctionNode, Set<string>>();

  private readonly parents = new Map<FunctionNode, FunctionNode | null>();

  constructor(modules: Map<string, ModuleFacts>) {
    this.modules = modules;
    for (const m of modules.values()) for (const [f, p] of m.parentFn) this.parents.set(f, p);
  }

  run(): Analysis {
    for (let changed = true; changed; ) {
      changed = false;
      for (const m of this.modules.values()) {
        for (const c of m.calls) {
          if (this.propagateParams(m, c)) changed = true;
          if (c.fn && !this.asyncFns.has(c.fn) && !m.fixedSync.has(c.fn) && this.needs(m, c)) {
            this.asyncFns.add(c.fn);
            changed = true;
          }
        }
      }
    }
    const rewrites = new Map<Node, CallRewrite>();
    for (const m of this.modules.values()) {
      for (const c of m.calls) {
        if (!c.fn || !this.asyncFns.has(c.fn)) continue;
        const kind = this.needs(m, c);
        if (kind === 'seq' || (kind === 'await' && !c.awaited)) rewrites.set(c.node, kind);
      }
    }
    return { modules: this.modules, asyncFns: this.asyncFns, rewrites };
  }

  private needs(m: ModuleFacts, c: CallInfo): CallRewrite | null {
    const call = c.node;
    const callee = call.callee as Node;
    const args = call.arguments as Node[];
    if (callee.type === 'Identifier' && this.identAsync(m, callee.name as string, c.fn, 0)) return 'await';
    if (isFunction(callee) && this.asyncFns.has(callee)) return 'await';
    if (callee.type === 'MemberExpression') {
      const p = memberName(callee);
      if (p !== null && SEQUENTIAL_METHODS.has(p) && args[0] && !callee.optional && !call.optional && this.valueAsync(m, args[0], c.fn))
        return 'seq';
      if ((p === 'call' || p === 'apply') && this.valueAsync(m, callee.object as Node, c.fn)) return 'await';
      if (p !== null && this.memberAsync(m, callee, p, 0)) return 'await';
    }
    // A call handed an async callback returns what the callback gives, usually its promise.
    if (args.some((a) => this.valueAsync(m, a, c.fn))) return 'await';
    return null;
  }

  /** An expression whose value is a function that became async. */
  private valueAsync(m: ModuleFacts, n: Node, fn: FunctionNode | null): boolean {
    if (isFunction(n)) return this.asyncFns.has(n);
    if (n.type === 'Identifier') {
      const name = n.name as string;
      return (m.byName.get(name) ?? []).some((f) => this.asyncFns.has(f)) || this.importAsync(m, name, 0) || this.paramAsync(fn, name);
    }
    if (n.type === 'MemberExpression') {
      const p = memberName(n);
      return p !== null && (m.byMember.get(p) ?? []).some((f) => this.asyncFns.has(f));
    }
    return false;
  }

  private identAsync(m: ModuleFacts, name: string, fn: FunctionNode | null, depth: number): boolean {
    if (m.blockingIds.has(name)) return true;
    if ((m.byName.get(name) ?? []).some((f) => this.asyncFns.has(f))) return true;
    return this.importAsync(m, name, depth) || this.paramAsync(fn, name);
  }

  private paramAsync(fn: FunctionNode | null, name: string): boolean {
    for (let f = fn; f; f = this.parentOf(f)) {
      if (this.asyncParams.get(f)?.has(name)) return true;
    }
    return false;
  }

  private parentOf(f: FunctionNode): FunctionNode | null {
    return this.parents.get(f) ?? null;
  }

  private importAsync(m: ModuleFacts, local: string, depth: number): boolean {
    const imp = m.localImports.find((i) => i.local === local);
    return imp !== undefined && imp.imported !== '*' && this.exportAsync(imp.path, imp.imported, depth + 1);
  }

  private exportAsync(path: string, name: string, depth: number): boolean {
    const mm = this.modules.get(path);
    if (!mm || depth > 20) return false;
    const local = mm.exportsLocal.get(name);
    if (local === '#default') return mm.defaultFunction !== null && this.asyncFns.has(mm.defaultFunction);
    if (local !== undefined && this.identAsync(mm, local, null, depth)) return true;
    return mm.reexports.some((r) =>
      r.exported === name
        ? this.exportAsync(r.path, r.imported === '*' ? name : r.imported, depth + 1)
        : r.exported === '*' && this.exportAsync(r.path, name, depth + 1),
    );
  }

  private memberAsync(m: ModuleFacts, callee: Node, p: string, depth: number): boolean {
    const obj = callee.object as Node;
    if (obj.type === 'Identifier') {
      const o = obj.name as string;
      if (m.httpNames.has(o)) return HTTP_BLOCKING.has(p);
      if (m.k6Names.has(o)) return K6_BLOCKING.has(p);
      const imp = m.localImports.find((i) => i.local === o);
      if (imp) return imp.imported === '*' ? this.exportAsync(imp.path, p, depth + 1) : this.moduleMemberAsync(imp.path, p, depth + 1);
    }
    if (RESPONSE_BLOCKING.has(p)) return true;
    if ((m.byMember.get(p) ?? []).some((f) => this.asyncFns.has(f))) return true;
    if ((m.memberRefs.get(p) ?? []).some((ref) => this.identAsync(m, ref, null, depth))) return true;
    // Objects and classes from the user's other modules: `api.login()` with api imported or built there.
    return m.localImports.some((i) => this.moduleMemberAsync(i.path, p, depth + 1));
  }

  private moduleMemberAsync(path: string, p: string, depth: number): boolean {
    const mm = this.modules.get(path);
    if (!mm || depth > 20) return false;
    if ((mm.byMember.get(p) ?? []).some((f) => this.asyncFns.has(f))) return true;
    if ((mm.memberRefs.get(p) ?? []).some((ref) => this.identAsync(mm, ref, null, depth))) return true;
    return this.exportAsync(path, p, depth);
  }

  /** Records which parameters of a local function receive an async callback at this call. */
  private propagateParams(m: ModuleFacts, c: CallInfo): boolean {
    const args = c.node.arguments as Node[];
    if (args.length === 0) return false;
    const asyncArgs = args.map((a) => this.valueAsync(m, a, c.fn));
    if (!asyncArgs.includes(true)) return false;
    let changed = false;
    for (const target of this.targets(m, c.node.callee as Node)) {
      target.params.forEach((param, i) => {
        if (!asyncArgs[i]) return;
        const id = param.type === 'AssignmentPattern' ? (param.left as Node) : param;
        if (id.type !== 'Identifier') return;
        let set = this.asyncParams.get(target);
        if (!set) this.asyncParams.set(target, (set = new Set()));
        if (!set.has(id.name as string)) {
          set.add(id.name as string);
          changed = true;
        }
      });
    }
    return changed;
  }

  private targets(m: ModuleFacts, callee: Node): FunctionNode[] {
    if (callee.type === 'Identifier') {
      const name = callee.name as string;
      const own = m.byName.get(name) ?? [];
      const imp = m.localImports.find((i) => i.local === name);
      return imp ? [...own, ...this.exportedFunctions(imp.path, imp.imported)] : own;
    }
    if (callee.type === 'MemberExpression') {
      const p = memberName(callee);
      if (p === null) return [];
      const all = [...(m.byMember.get(p) ?? [])];
      for (const i of m.localImports) all.push(...(this.modules.get(i.path)?.byMember.get(p) ?? []), ...this.exportedFunctions(i.path, p));
      return all;
    }
    return [];
  }

  private exportedFunctions(path: string, name: string): FunctionNode[] {
    const mm = this.modules.get(path);
    if (!mm) return [];
    const local = mm.exportsLocal.get(name);
    if (local === '#default') return mm.defaultFunction ? [mm.defaultFunction] : [];
    return local !== undefined ? (mm.byName.get(local) ?? []) : [];
  }
}
