// The CPU profile of the measured window: an icicle graph (root on top, callees below, widths
// proportional to inclusive time) drawn as inline SVG — no script, colours from stylesheet classes
// (fl-<category>), a <title> per frame for hover text — and the top self / total time tables.
// Function names and file paths come from the target: they only ever pass through the escaping
// `html` template.
import type { CpuHotspot, CpuProfileAnalysis, FlameNode, ObserverEffect } from '../../../record/target-probes.ts';
import { observerText } from '../../../analysis/observer-effect.ts';
import { ms, pct, plain } from '../fmt.ts';
import { html, num, raw, type HtmlValue, type SafeHtml } from '../safe.ts';
import { numeric, td, tdN, thead } from '../table.ts';
import { coord } from '../svg-chart.ts';

const W = 1200;
const ROW = 18;
const MAX_DEPTH = 64;
/** Frames narrower than this (viewBox units) are not drawn; their time stays in the parent's width. */
const MIN_WIDTH = 0.6;
/** Approximate advance of a 10.5 px UI-font character, for truncating labels to their box. */
const CHAR_W = 6.2;

const CATEGORY_LABEL: Record<CpuHotspot['category'], string> = {
  user: 'application code',
  dependency: 'dependency',
  'node-internal': 'Node.js internals',
  native: 'native',
  gc: 'garbage collector',
  json: 'JSON',
  regexp: 'regular expression',
  'sync-fs': 'sync fs',
  'sync-crypto': 'sync crypto',
  'sync-zlib': 'sync zlib',
};
const CATEGORIES = Object.keys(CATEGORY_LABEL) as Array<CpuHotspot['category']>;

function catClass(c: unknown): string {
  return typeof c === 'string' && c in CATEGORY_LABEL ? `fl-${c}` : 'fl-none';
}

function where(file: unknown, line: unknown): string {
  const f = typeof file === 'string' ? file : '';
  const l = num(line);
  if (!f) return '';
  return l !== null && l > 0 ? `${f}:${l}` : f;
}

interface Box {
  node: FlameNode;
  x: number;
  w: number;
  depth: number;
}

/** Boxes of the icicle, breadth-first; children laid left to right, clamped inside their parent. */
export function flameBoxes(root: FlameNode): { boxes: Box[]; depth: number } {
  const total = num(root.value) ?? 0;
  const boxes: Box[] = [];
  if (!(total > 0)) return { boxes, depth: 0 };
  const queue: Box[] = [{ node: root, x: 0, w: W, depth: 0 }];
  let maxDepth = 0;
  for (let i = 0; i < queue.length; i++) {
    const b = queue[i]!;
    boxes.push(b);
    maxDepth = Math.max(maxDepth, b.depth);
    if (b.depth + 1 >= MAX_DEPTH || !Array.isArray(b.node.children)) continue;
    let x = b.x;
    const end = b.x + b.w;
    for (const c of b.node.children) {
      const v = num(c?.value);
      if (v === null || v <= 0) continue;
      const w = Math.min((v / total) * W, end - x);
      if (w >= MIN_WIDTH) queue.push({ node: c, x, w, depth: b.depth + 1 });
      x += w;
      if (x >= end) break;
    }
  }
  return { boxes, depth: maxDepth + 1 };
}

export function flameSvg(root: FlameNode): SafeHtml {
  const { boxes, depth } = flameBoxes(root);
  const total = num(root.value) ?? 0;
  const H = depth * ROW;
  const rects = boxes.map((b) => {
    const n = b.node;
    const name = typeof n.name === 'string' ? n.name : '?';
    const loc = where(n.file, n.line);
    const v = num(n.value) ?? 0;
    const tip = `${name}${loc ? ` (${loc})` : ''} — ${ms(v)}, ${pct(total > 0 ? v / total : null, 1)} of busy time`;
    const chars = Math.floor((b.w - 6) / CHAR_W);
    const label = chars >= 3 ? (name.length > chars ? `${name.slice(0, chars - 1)}…` : name) : '';
    const y = b.depth * ROW;
    const rect = html`<rect x="${coord(b.x)}" y="${coord(y)}" width="${coord(b.w)}" height="${ROW - 1}"><title>${tip}</title></rect>`;
    const text = label ? html`<text x="${coord(b.x + 3)}" y="${coord(y + 12.5)}">${label}</text>` : '';
    return html`<g class="${catClass(n.category)}">${rect}${text}</g>`;
  });
  const open = html`<svg class="flame" viewBox="0 0 ${W} ${Math.max(H, ROW)}" role="img" aria-label="Icicle graph of the CPU profile"`;
  return html`${open} data-frames="${boxes.length}">${rects}</svg>`;
}

function legend(): SafeHtml {
  const items = CATEGORIES.map((c) => html`<li><span class="key fl-key fl-${c}"></span>${CATEGORY_LABEL[c]}</li>`);
  return html`<ul class="legend">${items}</ul>`;
}

const HOTSPOT_COLUMNS = [
  'Function',
  'Location',
  numeric('Self'),
  numeric('Self %'),
  numeric('Total'),
  numeric('Total %'),
  'Kind',
  'Called from',
];

function hotspotRow(h: CpuHotspot): SafeHtml {
  const caller = h.caller && typeof h.caller === 'object' ? h.caller : null;
  const hot = num(h.hotLine);
  const hotLine = hot !== null && hot !== num(h.line) ? html` <span class="muted">hot line ${plain(hot)}</span>` : '';
  const calledFrom = caller
    ? html`<code>${String(caller.function ?? '')}</code> <span class="muted">${where(caller.file, caller.line)}</span>`
    : '';
  const cells = [
    td(html`<code>${String(h.function ?? '')}</code>`),
    td(html`<code>${where(h.file, h.line) || '(native)'}</code>${hotLine}`),
    tdN(ms(h.selfMs)),
    tdN(pct(h.selfShare, 1)),
    tdN(ms(h.totalMs)),
    tdN(pct(h.totalShare, 1)),
    td(CATEGORY_LABEL[h.category] ?? String(h.category ?? '')),
    td(calledFrom),
  ];
  return html`<tr>${cells}</tr>`;
}

function hotspotTable(rows: readonly CpuHotspot[], by: 'self' | 'total'): SafeHtml {
  if (!rows.length) return html`<p class="muted">No samples.</p>`;
  return html`<table class="hotspots" data-order="${by}">${thead(HOTSPOT_COLUMNS)}<tbody>${rows.map(hotspotRow)}</tbody></table>`;
}

const FLAME_CAPTION = raw(
  '<figcaption>Where the busy time went (icicle: callers above callees, width = time on the stack; ' +
    'hover a frame for details)</figcaption>',
);
const HOTSPOT_NOTE = raw(
  '<p class="muted">Self: the function itself was running. Total: it was anywhere on the stack (recursion counted once). ' +
    'Shares are of the non-idle time.</p>',
);

export function flamegraphSection(p: CpuProfileAnalysis | null | undefined, observer: ObserverEffect | null = null): SafeHtml | '' {
  if (!p || typeof p !== 'object') return '';
  const topSelf = Array.isArray(p.topSelf) ? p.topSelf : [];
  const topTotal = Array.isArray(p.topTotal) ? p.topTotal : [];
  const flame = p.flame && typeof p.flame === 'object' ? p.flame : null;
  const fact = (name: string, value: HtmlValue) => html`<dt>${name}</dt><dd>${value}</dd>`;
  const facts = [
    fact('Window', `${ms(p.durationMs)}, ${plain(p.samples)} samples`),
    fact('Idle', pct(p.idleShare, 1)),
    fact('Garbage collector', pct(p.gcShare, 1)),
    fact('V8 / native (program)', pct(p.programShare, 1)),
    fact('Profile', html`<code>${String(p.path ?? '')}</code> <span class="muted">(opens in Chrome DevTools)</span>`),
  ];
  if (observer && typeof observer === 'object') {
    // The attribute is for machines: a plain decimal, never plain()'s exponent form for tiny costs.
    const costValue = Number.isFinite(observer.throughputCost) ? String(Number(observer.throughputCost.toFixed(4))) : '';
    const cost = html`<dd data-observer-cost="${costValue}">${observerText(observer)}</dd>`;
    facts.push(html`<dt>Observer effect</dt>${cost}`);
  }
  const chart = flame ? flameSvg(flame) : html`<p class="muted">No busy samples: nothing to draw.</p>`;
  const tables = [
    html`<h4>Top functions by self time</h4>${hotspotTable(topSelf, 'self')}`,
    html`<h4>Top functions by total time</h4>${hotspotTable(topTotal, 'total')}`,
  ];
  return html`<section id="profile"><h2>CPU profile</h2>
<div class="card"><dl class="facts">${facts}</dl></div>
<figure class="chart flame-chart">${FLAME_CAPTION}${chart}${legend()}</figure>
<div class="card">${tables}${HOTSPOT_NOTE}</div>
</section>`;
}
