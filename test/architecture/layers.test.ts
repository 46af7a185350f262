// The import graph of src/ runs one way (docs/ARCHITECTURE.md): from the CLI down to the record
// contracts. Each top folder has a rank; a file may import only from its own folder or a lower rank,
// and no set of files may import each other in a cycle. This test keeps the drawing true.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { test } from 'node:test';

const SRC = resolve(import.meta.dirname, '../../src');

/** Lowest first. Folders on one line share a rank and must not import each other. */
export const LAYERS: readonly (readonly string[])[] = [
  // the ground: exit codes, the input-error base class, the version, where speedguard's own files are
  ['errors.ts', 'version.ts', 'own-files.ts'],
  ['plan'], // what to run: plan types, parsing, validation
  ['metrics'], // metric types, histograms, threshold expressions
  ['record'], // record contracts: runs, assessments, findings, probe samples, redaction
  ['analysis'], // pure computations over records (statistics, USL, CPU/heap profiles, SQL)
  ['engine'], // the load engine and the script API it runs
  ['k6'], // k6 scripts: the async transform, the k6 modules, k6's options and summary (on the engine)
  ['probes', 'history'], // collectors beside the load; the history database
  ['audits'], // record → findings
  ['assess'], // orchestration: phases, the assessment builder, verdict and gate
  ['profile'], // profile orchestration (builds on assess)
  ['report'], // renderers: they draw what the record holds
  ['cli'], // flags, calls and printing
  ['index.ts'], // the public API
];

function rankOf(file: string): { rank: number; unit: string } {
  const rel = relative(SRC, file).split(sep);
  const unit = rel[0]!;
  const rank = LAYERS.findIndex((l) => l.includes(unit));
  assert.ok(rank >= 0, `src/${rel.join('/')}: its top folder or file "${unit}" has no layer in test/architecture/layers.test.ts`);
  return { rank, unit };
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    if (e.isDirectory()) return sourceFiles(p);
    return /\.(ts|mts)$/.test(e.name) && !e.name.endsWith('.d.ts') ? [p] : [];
  });
}

/**
 * Relative imports: static, re-exports, dynamic with a literal, and modules inside src/ named by
 * new URL('./x.ts', import.meta.url) (loaded later). A new URL outside src/ names a file the product
 * starts or reads (the demo's processes, its plan), not code it imports.
 */
function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const imported = [
    ...text.matchAll(/(?:^|\n)\s*(?:import|export)\s[^'";]*?from\s*['"](\.{1,2}\/[^'"]+)['"]/g),
    ...text.matchAll(/import\(\s*['"](\.{1,2}\/[^'"]+)['"]\s*\)/g),
  ].map((m) => resolve(dirname(file), m[1]!));
  const named = [...text.matchAll(/new URL\(\s*['"](\.{1,2}\/[^'"]+\.(?:ts|mts|js|mjs))['"]\s*,\s*import\.meta\.url\s*\)/g)]
    .map((m) => resolve(dirname(file), m[1]!))
    .filter((p) => p.startsWith(SRC + sep));
  return [...imported, ...named].filter((p) => !SHIPPED_DATA.some((d) => p.startsWith(d)));
}

/** Data the package ships beside src/ that code may read: the plan's JSON Schema. */
const SHIPPED_DATA = [resolve(SRC, '../schema') + sep];

const files = sourceFiles(SRC);
const edges = new Map(files.map((f) => [f, importsOf(f)]));

test('every import of src/ stays inside src/ and goes to the same or a lower layer', () => {
  const wrong: string[] = [];
  for (const [from, targets] of edges) {
    const a = rankOf(from);
    for (const to of targets) {
      if (!to.startsWith(SRC + sep)) {
        wrong.push(
          `src/${relative(SRC, from)} imports ${relative(SRC, to)}: outside src/ (the product may not depend on examples/ or tests)`,
        );
        continue;
      }
      const b = rankOf(to);
      if (b.rank > a.rank || (b.rank === a.rank && b.unit !== a.unit)) {
        wrong.push(`src/${relative(SRC, from)} (${a.unit}, layer ${a.rank}) imports src/${relative(SRC, to)} (${b.unit}, layer ${b.rank})`);
      }
    }
  }
  assert.deepEqual(wrong, [], `imports against the layering:\n${wrong.join('\n')}`);
});

test('no import cycle between files of src/', () => {
  // Tarjan's strongly connected components over the file graph: any component of size > 1 is a cycle.
  let next = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const cycles: string[][] = [];
  const visit = (v: string): void => {
    index.set(v, next);
    low.set(v, next);
    next++;
    stack.push(v);
    onStack.add(v);
    for (const w of edges.get(v) ?? []) {
      if (!edges.has(w)) continue;
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) === index.get(v)) {
      const component: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        component.push(relative(SRC, w));
      } while (w !== v);
      const selfLoop = component.length === 1 && (edges.get(v) ?? []).includes(v);
      if (component.length > 1 || selfLoop) cycles.push(component.sort());
    }
  };
  for (const f of files) if (!index.has(f)) visit(f);
  assert.deepEqual(cycles, [], `import cycles:\n${cycles.map((c) => c.join(' <-> ')).join('\n')}`);
});

test('renderers and commands never import an audit: they draw the findings the record holds, never re-run or recompute them', () => {
  // Issue 9: reports imported audits/support/database.ts to recompute figures while drawing.
  const wrong = [...edges]
    .filter(([f]) => ['report', 'cli'].includes(rankOf(f).unit))
    .flatMap(([f, targets]) =>
      targets.filter((t) => t.startsWith(join(SRC, 'audits') + sep)).map((t) => `${relative(SRC, f)} → ${relative(SRC, t)}`),
    );
  assert.deepEqual(wrong, []);
});

test('the public API (index.ts) imports no command file: what it offers lives below the CLI', () => {
  // Issue 9: src/index.ts imported checkPlan from cli/run.ts (index.ts ranks above cli/, so the layer rule alone allows it).
  const api = edges.get(join(SRC, 'index.ts')) ?? [];
  assert.ok(api.length > 3, `index.ts imports ${api.length} files`);
  assert.deepEqual(
    api.filter((t) => t.startsWith(join(SRC, 'cli') + sep)).map((t) => relative(SRC, t)),
    [],
  );
});

test('the layer check itself sees a wrong import (it can fail)', () => {
  // Guard against a regexp that silently matches nothing: the real graph has hundreds of edges,
  // and the CLI (top) must be seen importing the record contracts (bottom).
  const all = [...edges.values()].flat();
  assert.ok(all.length > 300, `only ${all.length} imports found`);
  const cli = [...edges].filter(([f]) => rankOf(f).unit === 'cli').flatMap(([, t]) => t);
  assert.ok(cli.some((t) => t.startsWith(join(SRC, 'record') + sep)));
});
