// Whether a k6 script needs a module instance per VU. k6 runs the init code once per VU, each VU in
// its own runtime, so module-level state belongs to one VU; speedguard keeps that by importing one
// instance of the script (and of its local modules) per VU. That costs memory and CPU for each VU's
// own compiled code (BENCHMARKS.md, "k6 scripts": 54 KB per VU on the benchmark journey). A script
// whose modules hold no state and whose init code has no effect behaves the same with one instance
// shared by the VUs of a thread. The test is conservative: anything it does not recognise as inert
// (a `let`, a call, a read of __VU, a mutated module-level object, one that escapes to code that
// might change it: shared-objects.ts) keeps the instance per VU.
import { dottedName, walk, type Node } from './ast.ts';
import type { Analysis } from './analyse.ts';
import { moduleObjectsEscape } from './shared-objects.ts';

/** k6's own modules (and any other bare specifier): what they are given they copy, never keep or change. */
const isLibrary = (source: string) => !source.startsWith('.') && !source.startsWith('/');

/** Constructors whose objects are safe to share: metrics record per VU through the context; SharedArray is shared in k6 too. */
const SHAREABLE_CLASSES = new Set(['Counter', 'Gauge', 'Rate', 'Trend', 'SharedArray']);
/** Calls a script makes at the top level that set the same thread-wide value whichever VU makes them. */
const IDEMPOTENT_CALLS = new Set(['setResponseCallback', 'expectedStatuses']);
const MUTATING_METHODS = new Set([
  'push',
  'pop',
  'shift',
  'unshift',
  'splice',
  'sort',
  'reverse',
  'fill',
  'copyWithin',
  'set',
  'add',
  'delete',
  'clear',
]);
const PER_VU_GLOBALS = new Set(['__VU', '__ITER']);

function calleeName(callee: Node): string | null {
  if (callee.type === 'Identifier') return callee.name as string;
  if (callee.type === 'MemberExpression' && !callee.computed) return ((callee.property as Node).name as string) ?? null;
  return null;
}

/** A value computed at init that is the same for every VU and holds nothing a VU can change. */
function inert(n: Node | null | undefined): boolean {
  if (!n) return true;
  switch (n.type) {
    case 'Literal':
    case 'FunctionExpression':
    case 'ArrowFunctionExpression':
      return true;
    case 'Identifier':
      return !PER_VU_GLOBALS.has(n.name as string);
    case 'TemplateLiteral':
      return (n.expressions as Node[]).every(inert);
    case 'MemberExpression':
      // __ENV.X: the environment, the same for every VU at init.
      return (n.object as Node).type === 'Identifier' && (n.object as Node).name === '__ENV' && (!n.computed || inert(n.property as Node));
    case 'UnaryExpression':
      return n.operator !== 'delete' && inert(n.argument as Node);
    case 'BinaryExpression':
    case 'LogicalExpression':
      return inert(n.left as Node) && inert(n.right as Node);
    case 'ConditionalExpression':
      return inert(n.test as Node) && inert(n.consequent as Node) && inert(n.alternate as Node);
    case 'ArrayExpression':
      return (n.elements as Array<Node | null>).every((e) => e === null || inert(e));
    case 'ObjectExpression':
      return (n.properties as Node[]).every(
        (p) => p.type === 'Property' && (!p.computed || inert(p.key as Node)) && inert(p.value as Node),
      );
    case 'NewExpression':
    case 'CallExpression': {
      const name = calleeName(n.callee as Node);
      const known = n.type === 'NewExpression' ? SHAREABLE_CLASSES : IDEMPOTENT_CALLS;
      return name !== null && known.has(name) && (n.arguments as Node[]).every(inert);
    }
    default:
      return false;
  }
}

/** A top-level statement that declares or imports without running anything with an effect. */
function inertStatement(s: Node): boolean {
  switch (s.type) {
    case 'ImportDeclaration':
    case 'FunctionDeclaration':
    case 'ExportAllDeclaration':
      return true;
    case 'ExportNamedDeclaration':
      return s.declaration ? inertStatement(s.declaration as Node) : true;
    case 'ExportDefaultDeclaration':
      return inertStatement(s.declaration as Node) || inert(s.declaration as Node);
    case 'VariableDeclaration':
      return s.kind === 'const' && (s.declarations as Node[]).every((d) => (d.id as Node).type === 'Identifier' && inert(d.init as Node));
    case 'ExpressionStatement':
      return inert(s.expression as Node) && (s.expression as Node).type !== 'Identifier';
    default:
      return false;
  }
}

/** The identifier at the root of `a.b[c]`, or null. */
function rootName(n: Node): string | null {
  let cur = n;
  while (cur.type === 'MemberExpression') cur = cur.object as Node;
  return cur.type === 'Identifier' ? (cur.name as string) : null;
}

/** Names of the module's top-level bindings (declared or imported). */
function topLevelNames(ast: Node): Set<string> {
  const names = new Set<string>();
  for (const s of ast.body as Node[]) {
    const decl = s.type === 'ExportNamedDeclaration' ? (s.declaration as Node | null) : s;
    if (decl?.type === 'VariableDeclaration')
      for (const d of decl.declarations as Node[]) if ((d.id as Node).type === 'Identifier') names.add((d.id as Node).name as string);
    if (s.type === 'ImportDeclaration') for (const sp of s.specifiers as Node[]) names.add((sp.local as Node).name as string);
  }
  return names;
}

/** Whether any code of the module changes an object held by a top-level binding (its own or imported). */
function mutatesModuleState(ast: Node): boolean {
  const names = topLevelNames(ast);
  let found = false;
  walk(ast, (n) => {
    if (found) return;
    const target =
      n.type === 'AssignmentExpression'
        ? (n.left as Node)
        : n.type === 'UpdateExpression' || (n.type === 'UnaryExpression' && n.operator === 'delete')
          ? (n.argument as Node)
          : n.type === 'CallExpression' &&
              (n.callee as Node).type === 'MemberExpression' &&
              MUTATING_METHODS.has(calleeName(n.callee as Node) ?? '')
            ? ((n.callee as Node).object as Node)
            : null;
    // `o.x = …`, `o.n++`, `delete o.x` change a member; `list.push(…)` and `Object.assign(o, …)`
    // change the object itself.
    const assigned =
      n.type === 'CallExpression' && /^Object\.(assign|defineProperty|defineProperties|setPrototypeOf)$/.test(dottedName(n.callee as Node));
    if (assigned && (n.arguments as Node[])[0]) {
      const root = rootName((n.arguments as Node[])[0]!);
      if (root !== null && names.has(root)) found = true;
    }
    if (target && (target.type === 'MemberExpression' || n.type === 'CallExpression')) {
      const root = rootName(target);
      if (root !== null && names.has(root)) found = true;
    }
  });
  return found;
}

/** True unless every module of the script is free of per-VU state and of init code with effects. */
export function needsInstancePerVu(analysis: Analysis): boolean {
  for (const m of analysis.modules.values()) {
    if (!(m.ast.body as Node[]).every(inertStatement)) return true;
    if (mutatesModuleState(m.ast)) return true;
    if (moduleObjectsEscape(m.ast, isLibrary)) return true;
  }
  return false;
}
