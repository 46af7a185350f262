// Whether a module-level object of a k6 script can reach code that might change it — the half of
// per-vu.ts's test that direct mutations (`o.x = 1`, `list.push(v)`) do not cover: an object handed
// to the script's own function (`remember(cache, res)`), returned, aliased (`const c = cache`), or an
// element taken out of it (`USERS.find(…).visits++`). Shared by the VUs of a thread such an object
// would carry one VU's changes into another's iterations, where k6 gives each VU its own.
//
// Conservative by design: a module-level binding that may hold an object is safe only where every
// use of it is a read that cannot hand the object (or an object inside it) to other code — a
// property read of a flat literal (its values are primitives), a template or arithmetic operand, a
// test, an argument of a k6 function or of a read-only built-in (k6's modules copy what they are
// given). Anything else, including a local variable of the same name, counts as an escape.
import { dottedName, walk, type Node } from './ast.ts';

/** Built-ins that read their arguments and never keep or change them. */
const READING_BUILTINS = new Set([
  'JSON.stringify',
  'Object.keys',
  'Object.values',
  'Object.entries',
  'Array.isArray',
  'String',
  'Number',
  'Boolean',
  'encodeURIComponent',
  'encodeURI',
  'console.log',
  'console.info',
  'console.warn',
  'console.error',
  'console.debug',
]);
/** Methods that neither change their object nor hand out what it holds. */
const PRIMITIVE_READS = new Set(['includes', 'indexOf', 'lastIndexOf', 'join', 'toString', 'has', 'hasOwnProperty']);
/** On a flat literal (primitives only) these are harmless too: what they hand out is a primitive or a copy. */
const FLAT_READS = new Set([
  ...PRIMITIVE_READS,
  'map',
  'filter',
  'forEach',
  'find',
  'findIndex',
  'some',
  'every',
  'slice',
  'at',
  'reduce',
  'concat',
]);
/** Containers whose value is (or holds) their operand: the use is judged where the container goes. */
const PASS_THROUGH = new Set(['ObjectExpression', 'ArrayExpression', 'Property', 'SpreadElement', 'LogicalExpression', 'AwaitExpression']);

type Kind = 'flat' | 'deep';

const isPrimitive = (n: Node | null | undefined): boolean =>
  !!n &&
  (n.type === 'Literal' ||
    (n.type === 'TemplateLiteral' && (n.expressions as Node[]).every(isPrimitive)) ||
    (n.type === 'UnaryExpression' && n.operator !== 'delete') ||
    n.type === 'BinaryExpression' ||
    (n.type === 'MemberExpression' && (n.object as Node).type === 'Identifier' && (n.object as Node).name === '__ENV') ||
    (n.type === 'LogicalExpression' && isPrimitive(n.left as Node) && isPrimitive(n.right as Node)));

/** A literal object or array whose every value is a primitive. */
function isFlat(n: Node): boolean {
  if (n.type === 'ArrayExpression') return (n.elements as Array<Node | null>).every((e) => e === null || isPrimitive(e));
  if (n.type === 'ObjectExpression')
    return (n.properties as Node[]).every((p) => p.type === 'Property' && !p.computed && isPrimitive(p.value as Node));
  return false;
}

/** Module-level bindings that may hold an object: literals with objects in them, local modules' exports. */
function objectBindings(ast: Node, isLibrary: (source: string) => boolean): Map<string, Kind> {
  const out = new Map<string, Kind>();
  for (const s of ast.body as Node[]) {
    const decl = s.type === 'ExportNamedDeclaration' ? (s.declaration as Node | null) : s;
    if (decl?.type === 'VariableDeclaration')
      for (const d of decl.declarations as Node[]) {
        const init = d.init as Node | null;
        if ((d.id as Node).type !== 'Identifier' || !init) continue;
        if (init.type === 'ObjectExpression' || init.type === 'ArrayExpression')
          out.set((d.id as Node).name as string, isFlat(init) ? 'flat' : 'deep');
        else if (init.type === 'Identifier' || init.type === 'ConditionalExpression' || init.type === 'LogicalExpression')
          if (!isPrimitive(init)) out.set((d.id as Node).name as string, 'deep');
      }
    if (s.type === 'ImportDeclaration' && !isLibrary(String((s.source as Node).value)))
      for (const sp of s.specifiers as Node[]) out.set((sp.local as Node).name as string, 'deep');
  }
  return out;
}

/** True when some module-level object of `ast` can be changed by, or handed to, code other than a read. */
export function moduleObjectsEscape(ast: Node, isLibrary: (source: string) => boolean): boolean {
  const bindings = objectBindings(ast, isLibrary);
  if (bindings.size === 0) return false;
  const parents = new Map<Node, Node | null>();
  const refs: Node[] = [];
  const libraryNames = new Set<string>();
  for (const s of ast.body as Node[])
    if (s.type === 'ImportDeclaration' && isLibrary(String((s.source as Node).value)))
      for (const sp of s.specifiers as Node[]) libraryNames.add((sp.local as Node).name as string);
  walk(ast, (n, parent) => {
    parents.set(n, parent);
    if (n.type !== 'Identifier' || !bindings.has(n.name as string) || !parent) return;
    // Not a use: a property name, an object key, the binding's own declaration or import.
    if (parent.type === 'MemberExpression' && parent.property === n && !parent.computed) return;
    if (parent.type === 'Property' && parent.key === n && !parent.computed && !parent.shorthand) return;
    if (parent.type === 'VariableDeclarator' && parent.id === n) return;
    if (parent.type === 'ImportSpecifier' || parent.type === 'ImportDefaultSpecifier' || parent.type === 'ImportNamespaceSpecifier') return;
    if (parent.type === 'ExportSpecifier') return;
    refs.push(n);
  });
  const readsArguments = (call: Node): boolean => {
    const path = dottedName(call.callee as Node);
    return READING_BUILTINS.has(path) || libraryNames.has(path.split('.')[0]!);
  };
  /** Whether the value `v` (the binding, a property of it, or a container holding it) is only read where it goes. */
  const readOnly = (v: Node, flatValue: boolean): boolean => {
    const ctx = parents.get(v) ?? null;
    if (!ctx) return false;
    switch (ctx.type) {
      case 'TemplateLiteral':
      case 'BinaryExpression':
      case 'ExpressionStatement':
        return true;
      case 'UnaryExpression':
        return ctx.operator !== 'delete';
      case 'IfStatement':
      case 'WhileStatement':
      case 'DoWhileStatement':
      case 'SwitchStatement':
      case 'SwitchCase':
        return ctx.test === v || ctx.discriminant === v;
      case 'ConditionalExpression':
        return ctx.test === v || (flatValue ? true : readOnly(ctx, flatValue));
      case 'MemberExpression':
        return ctx.computed === true && ctx.property === v;
      case 'CallExpression':
      case 'NewExpression':
        return ctx.callee !== v && readsArguments(ctx);
      case 'VariableDeclarator':
      case 'ReturnStatement':
      case 'AssignmentExpression':
      case 'ArrowFunctionExpression':
        // A primitive copied or returned is a copy; an object is the object itself.
        return flatValue && !(ctx.type === 'AssignmentExpression' && ctx.left === v);
      default:
        return PASS_THROUGH.has(ctx.type) ? (flatValue && ctx.type !== 'SpreadElement') || readOnly(ctx, flatValue) : false;
    }
  };
  for (const ref of refs) {
    const kind = bindings.get(ref.name as string)!;
    // Climb the member chain `ref.a.b[c]`; its depth says whether the value reached is the object.
    let m: Node = ref;
    let depth = 0;
    for (let p = parents.get(m); p?.type === 'MemberExpression' && p.object === m; p = parents.get(m)) {
      m = p;
      depth++;
    }
    const ctx = parents.get(m);
    const isCallee = ctx?.type === 'CallExpression' && ctx.callee === m;
    if (isCallee) {
      if (depth === 0) continue; // calling an imported function does not change it
      const method = (m.property as Node).type === 'Identifier' && !m.computed ? ((m.property as Node).name as string) : '';
      // What these return is a primitive, or (on a flat literal) a fresh array of primitives.
      const reads = kind === 'flat' && depth === 1 ? FLAT_READS : PRIMITIVE_READS;
      if (!reads.has(method)) return true;
      continue;
    }
    if (ctx?.type === 'UpdateExpression' || (ctx?.type === 'UnaryExpression' && ctx.operator === 'delete')) return true;
    if (ctx?.type === 'AssignmentExpression' && ctx.left === m) return true;
    // A property of a flat literal is a primitive: read anywhere, it hands out nothing.
    if (kind === 'flat' && depth >= 1) continue;
    if (!readOnly(m, false)) return true;
  }
  return false;
}
