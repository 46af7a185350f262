// `export const options = {…}`: typed as speedguard's Options. k6's HTTP switches move under `http`;
// options with no native equivalent are taken out, kept in a comment, and named in a note.
import { keyName, type Node } from '../transform/ast.ts';
import type { ConvertContext } from './context.ts';

/** Top-level keys speedguard's Options has under the same name and meaning. */
const NATIVE = new Set(['vus', 'duration', 'iterations', 'stages', 'scenarios', 'thresholds', 'tags']);
/** k6 options that are speedguard `http` settings: k6 name → [native name, value mapping]. */
const HTTP: Record<string, [string, (src: string) => string]> = {
  discardResponseBodies: ['discardResponseBodies', (v) => v],
  insecureSkipTLSVerify: ['insecureSkipTLSVerify', (v) => v],
  noConnectionReuse: ['keepAlive', (v) => `!(${v})`],
};

export function convertOptions(ast: Node, cx: ConvertContext): void {
  let found = false;
  for (const stmt of ast.body as Node[]) {
    const decl = stmt.type === 'ExportNamedDeclaration' ? (stmt.declaration as Node | null) : stmt;
    if (decl?.type !== 'VariableDeclaration') continue;
    for (const d of decl.declarations as Node[]) {
      const id = d.id as Node;
      if (id.type !== 'Identifier' || id.name !== 'options') continue;
      found = true;
      cx.imports.add('type Options');
      cx.s.appendLeft(id.end, ': Options');
      const init = d.init as Node | null;
      if (init?.type === 'ObjectExpression') convertLiteral(init, cx);
      else if (init) cx.note(init, 'options are not an object literal: check they fit speedguard’s Options type');
    }
  }
  if (!found) {
    // k6 keeps response bodies unless told otherwise; speedguard scripts discard them by default.
    cx.imports.add('type Options');
    cx.s.append(`\nexport const options: Options = { http: { discardResponseBodies: false } };\n`);
  }
}

function convertLiteral(obj: Node, cx: ConvertContext): void {
  const http: string[] = [];
  const keys = (obj.properties as Node[]).map((p) => (p.type === 'Property' ? keyName(p.key as Node, Boolean(p.computed)) : null));
  // k6 keeps response bodies unless told otherwise; speedguard scripts discard them by default.
  if (!keys.includes('discardResponseBodies')) http.push('discardResponseBodies: false');
  let lastKept: Node | null = null;
  for (const p of obj.properties as Node[]) {
    const key = p.type === 'Property' ? keyName(p.key as Node, Boolean(p.computed)) : null;
    if (p.type !== 'Property' || (key !== null && NATIVE.has(key))) {
      if (key === 'scenarios') noteExternallyControlled(p.value as Node, cx);
      lastKept = p;
      continue;
    }
    const value = p.value as Node;
    const text = cx.source.slice(value.start, value.end);
    const mapped = key !== null ? HTTP[key] : undefined;
    if (mapped) http.push(`${mapped[0]}: ${mapped[1](text)}`);
    else
      cx.note(
        p,
        `k6 option ${key ?? '(computed)'} has no native speedguard equivalent and was left out: ` +
          `${cx.source.slice(p.start, p.end).replace(/\s+/g, ' ')}`,
      );
    removeProperty(cx, p);
  }
  if (http.length === 0) return;
  // After the last property kept (with the comma it lacks), on its own line when the object spans lines.
  if (lastKept && !/^\s*,/.test(cx.source.slice(lastKept.end))) cx.s.appendLeft(lastKept.end, ',');
  const closeLine = cx.source.lastIndexOf('\n', obj.end - 1) + 1;
  const ownLine = /^[ \t]*$/.test(cx.source.slice(closeLine, obj.end - 1));
  const first = (obj.properties as Node[])[0];
  const indent = first ? /^[ \t]*/.exec(cx.source.slice(cx.source.lastIndexOf('\n', first.start) + 1))![0] : '  ';
  if (ownLine) cx.s.appendLeft(closeLine, `${indent}http: { ${http.join(', ')} },\n`);
  else cx.s.appendLeft(obj.end - 1, ` http: { ${http.join(', ')} } `);
}

/** k6's externally-controlled executor is driven through k6's REST API: speedguard has no equivalent. */
function noteExternallyControlled(scenarios: Node, cx: ConvertContext): void {
  if (scenarios.type !== 'ObjectExpression') return;
  for (const sc of scenarios.properties as Node[]) {
    const body = sc.type === 'Property' ? (sc.value as Node) : null;
    if (body?.type !== 'ObjectExpression') continue;
    for (const p of body.properties as Node[]) {
      if (p.type !== 'Property' || keyName(p.key as Node, Boolean(p.computed)) !== 'executor') continue;
      const v = p.value as Node;
      if (v.type === 'Literal' && v.value === 'externally-controlled')
        cx.note(
          p,
          "the externally-controlled executor is driven through k6's REST API, which speedguard does not have: " +
            'give the scenario its shape (ramping-vus with stages)',
        );
    }
  }
}

/** Removes `key: value` and the comma after it; the whole line when it holds nothing else. */
function removeProperty(cx: ConvertContext, p: Node): void {
  let start = p.start;
  let end = p.end;
  const after = /^[ \t]*,?/.exec(cx.source.slice(end))!;
  end += after[0].length;
  const lineStart = cx.source.lastIndexOf('\n', start - 1) + 1;
  const rest = /^[ \t]*\r?\n/.exec(cx.source.slice(end));
  if (rest && /^[ \t]*$/.test(cx.source.slice(lineStart, start))) {
    start = lineStart;
    end += rest[0].length;
  }
  cx.s.remove(start, end);
}
