// `speedguard convert script.js`: a k6 script → the same journey as a native speedguard TypeScript
// script (async/await, imports from 'speedguard', typed for a strict tsc). Each concern is one pass
// (imports, options, types, blocking calls, k6 globals and k6-only APIs); what has no native
// equivalent is kept visible: a "speedguard convert:" comment above the line and a note for stderr.
import { dirname, relative, resolve } from 'node:path';
import { PlanError } from '../../plan/errors.ts';
import { analyseGraph } from '../transform/analyse.ts';
import { HTTP_BLOCKING } from '../transform/facts.ts';
import { memberName, walk, type Node } from '../transform/ast.ts';
import { ConvertContext, type ConvertNote } from './context.ts';
import { convertImports, type K6Names } from './imports.ts';
import { convertOptions } from './options.ts';
import { convertTypes, responseNames } from './typing.ts';
import { convertCalls } from './calls.ts';
import { HELPERS } from './helpers.ts';
import { convertK6Only } from './k6-only.ts';

export type { ConvertNote };

export interface Converted {
  code: string;
  notes: ConvertNote[];
}

/** `outPath`: where the result will be written (open() paths are made relative to it). */
export function convertK6Script(path: string, outPath?: string): Converted {
  const entry = resolve(path);
  let analysis: ReturnType<typeof analyseGraph>;
  try {
    analysis = analyseGraph(entry);
  } catch (e) {
    const loc = (e as { loc?: { line: number; column: number } }).loc;
    throw new PlanError(`cannot parse the script: ${(e as Error).message}`, { file: loc ? `${path}:${loc.line}:${loc.column + 1}` : path });
  }
  const facts = analysis.modules.get(entry);
  if (!facts) throw new PlanError('file not found', { file: path });
  if (!facts.importsK6) throw new PlanError('not a k6 script: it imports nothing from k6', { file: path });
  const cx = new ConvertContext(facts.source);
  const names = convertImports(facts.ast, cx);
  const named = new Set<string>();
  for (const i of facts.localImports) {
    if (named.has(i.path)) continue;
    named.add(i.path);
    if (analysis.modules.get(i.path)?.importsK6)
      cx.note(
        importOf(facts.ast, i.local) ?? facts.ast,
        `${relative(dirname(entry), i.path)} uses k6 too: convert it as well and import the result`,
      );
  }
  convertOptions(facts.ast, cx);
  const setupData = facts.exportsLocal.has('setup');
  convertTypes(facts.ast, cx, { setupData, responses: responseNames(facts.ast, (c) => isHttpCall(c, names)) });
  convertCalls(facts, analysis, cx);
  convertK6Only(facts.ast, cx, names, { scriptDir: dirname(entry), outDir: dirname(resolve(outPath ?? entry)) });
  return { code: assemble(cx, facts.ast, path, setupData), notes: cx.notes.sort((a, b) => a.line - b.line) };
}

function isHttpCall(call: Node, names: K6Names): boolean {
  const callee = call.callee as Node;
  if (callee.type === 'Identifier') return names.httpFunctions.has(callee.name as string);
  const obj = callee.object as Node | undefined;
  return obj?.type === 'Identifier' && names.http.has(obj.name as string) && HTTP_BLOCKING.has(memberName(callee) ?? '');
}

function importOf(ast: Node, local: string): Node | null {
  let found: Node | null = null;
  walk(ast, (n) => {
    if (n.type === 'ImportDeclaration' && (n.specifiers as Node[]).some((s) => (s.local as Node).name === local)) found ??= n;
  });
  return found;
}

function assemble(cx: ConvertContext, ast: Node, path: string, setupData: boolean): string {
  const title = [
    `// Converted from ${path.split(/[\\/]/).pop()} by \`speedguard convert\`: a native speedguard script (async/await).`,
    ...(cx.notes.length > 0 ? ['// Lines marked "speedguard convert:" need your attention.'] : []),
  ];
  const head: string[] = [];
  const imports = [...cx.imports].sort((a, b) => a.replace('type ', '').localeCompare(b.replace('type ', '')));
  if (imports.length > 0) head.push(`import { ${imports.join(', ')} } from 'speedguard';`);
  if (cx.prelude.has('#fs')) head.push(`import { readFileSync } from 'node:fs';`);
  head.push(...[...cx.prelude].filter((l) => l !== '#fs'));
  const tail: string[] = [];
  if (setupData)
    tail.push(
      '/** What setup() returns, handed to the default function and teardown(). */\ntype SetupData = Awaited<ReturnType<typeof setup>>;',
    );
  for (const h of cx.helpers) tail.push(HELPERS[h]!);
  // The title first, then the script's own leading comment, then the imports where its code starts.
  const first = (ast.body as Node[])[0];
  const lead = cx.source.startsWith('#!') ? cx.source.indexOf('\n') + 1 : 0;
  cx.s.appendLeft(lead, title.join('\n') + '\n');
  if (head.length > 0) cx.s.appendLeft(first?.start ?? cx.source.length, head.join('\n') + '\n');
  if (tail.length > 0) cx.s.append(`\n${tail.join('\n\n')}\n`);
  return cx.s.toString();
}
