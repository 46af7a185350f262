// SVG charts generated at render time: no script, no library, nothing fetched. Colours come from
// CSS classes (the stylesheet is hashed into the CSP), geometry from presentation attributes —
// inline style attributes would be refused by the Content-Security-Policy.
import { html, join, raw, type SafeHtml } from './safe.ts';
import { fmtTick, linearScale, niceDomain, type Scale } from './scale.ts';

export interface Point {
  x: number;
  /** null or a non-finite value leaves a gap in a line. */
  y: number | null;
  /** Tooltip for a drawn point marker. */
  title?: string;
}

export interface ChartSeries {
  /** Short key used in data-series (tests) and the legend. */
  key: string;
  label: string;
  /** CSS class giving the colour: "c-blue", "c-red" … */
  colour: string;
  points: Point[];
  /** line: a path; points: markers only; linepoints: both. */
  kind?: 'line' | 'points' | 'linepoints';
  dashed?: boolean;
}

export interface ChartLine {
  value: number;
  label: string;
  colour: string;
}

export interface ChartBand {
  from: number;
  to: number;
  label: string;
}

export interface ChartSpec {
  /** Unique within the page; only [a-z0-9-] kept (ids of clip paths). */
  id: string;
  title: string;
  xLabel: string;
  yLabel: string;
  series: ChartSeries[];
  xFormat?: (v: number) => string;
  yFormat?: (v: number) => string;
  /** Fixed domain bounds; by default x spans the data and y starts at 0. */
  xMin?: number;
  xMax?: number;
  yMin?: number;
  yMax?: number;
  hLines?: ChartLine[];
  vLines?: ChartLine[];
  bands?: ChartBand[];
  width?: number;
  height?: number;
}

const M = { left: 54, right: 12, top: 16, bottom: 36 };

/** One decimal is plenty for a viewBox a few hundred units wide, and keeps the file small. */
export function coord(v: number): string {
  return String(Math.round(v * 10) / 10);
}

function finite(p: Point): p is Point & { y: number } {
  return Number.isFinite(p.x) && typeof p.y === 'number' && Number.isFinite(p.y);
}

export interface PathResult {
  /** SVG path data; a gap (null y) starts a new sub-path. */
  d: string;
  /** Number of drawn vertices (finite points). */
  vertices: number;
  /** Points with no neighbour to join: a path would not show them, so they get a dot. */
  isolated: Array<[number, number]>;
}

export function linePath(points: readonly Point[], sx: Scale, sy: Scale): PathResult {
  const parts: string[] = [];
  const isolated: Array<[number, number]> = [];
  let vertices = 0;
  let run: Array<[number, number]> = [];
  const flush = () => {
    if (run.length === 1) isolated.push(run[0]!);
    if (run.length > 0) parts.push('M' + run.map(([x, y]) => `${coord(x)} ${coord(y)}`).join('L'));
    run = [];
  };
  for (const p of points) {
    if (!finite(p)) {
      flush();
      continue;
    }
    vertices++;
    run.push([sx(p.x), sy(p.y)]);
  }
  flush();
  return { d: parts.join(''), vertices, isolated };
}

/** viewBox size: about the size it is shown at, so 11-unit text reads as ~11 px. */
const DEFAULT_W = 420;
const DEFAULT_H = 230;

/** Keeps a limit line far above the data from flattening it: such a line is listed, not drawn. */
const LINE_DOMAIN_FACTOR = 4;

export interface ChartLayout {
  sx: Scale;
  sy: Scale;
  xTicks: number[];
  yTicks: number[];
  empty: boolean;
  /** Horizontal lines kept inside the y domain. */
  drawnH: ChartLine[];
}

export function layout(spec: ChartSpec): ChartLayout {
  const W = spec.width ?? DEFAULT_W;
  const H = spec.height ?? DEFAULT_H;
  const pts = spec.series.flatMap((s) => s.points.filter(finite));
  const empty = pts.length === 0;
  const xs = pts.map((p) => p.x);
  const ys = pts.map((p) => p.y);
  const dataMaxY = ys.length ? Math.max(...ys) : 0;
  const drawnH = (spec.hLines ?? []).filter((l) => Number.isFinite(l.value) && (dataMaxY <= 0 || l.value <= dataMaxY * LINE_DOMAIN_FACTOR));
  let x0 = spec.xMin ?? (xs.length ? Math.min(...xs) : 0);
  let x1 = spec.xMax ?? (xs.length ? Math.max(...xs) : 1);
  for (const v of spec.vLines ?? []) if (Number.isFinite(v.value) && spec.xMax === undefined) x1 = Math.max(x1, v.value);
  for (const v of spec.vLines ?? []) if (Number.isFinite(v.value) && spec.xMin === undefined) x0 = Math.min(x0, v.value);
  const y0 = spec.yMin ?? Math.min(0, ...ys);
  const y1 = spec.yMax ?? Math.max(y0, dataMaxY, ...drawnH.map((l) => l.value));
  const xd = niceDomain(x0, x1, 6);
  const yd = niceDomain(y0, y1 * (spec.yMax === undefined ? 1.05 : 1), 4);
  return {
    sx: linearScale(xd.domain, [M.left, W - M.right]),
    sy: linearScale(yd.domain, [H - M.bottom, M.top]),
    xTicks: xd.ticks,
    yTicks: yd.ticks,
    empty,
    drawnH,
  };
}

function safeId(id: string): string {
  return id.toLowerCase().replace(/[^a-z0-9-]/g, '-');
}

export function renderChart(spec: ChartSpec): SafeHtml {
  const W = spec.width ?? DEFAULT_W;
  const H = spec.height ?? DEFAULT_H;
  const id = safeId(spec.id);
  const fx = spec.xFormat ?? fmtTick;
  const fy = spec.yFormat ?? fmtTick;
  const L = layout(spec);
  const { sx, sy } = L;
  const [px0, px1] = sx.range;
  const [py0, py1] = sy.range;
  const grid = L.yTicks.map((t) => {
    const y = coord(sy(t));
    const line = html`<line class="grid" x1="${coord(px0)}" x2="${coord(px1)}" y1="${y}" y2="${y}"/>`;
    return html`${line}<text class="tick" x="${coord(px0 - 6)}" y="${coord(sy(t) + 4)}" text-anchor="end">${fy(t)}</text>`;
  });
  const xticks = L.xTicks.map((t) => {
    const x = coord(sx(t));
    const mark = html`<line class="tickmark" x1="${x}" x2="${x}" y1="${coord(py0)}" y2="${coord(py0 + 4)}"/>`;
    return html`${mark}<text class="tick" x="${x}" y="${coord(py0 + 16)}" text-anchor="middle">${fx(t)}</text>`;
  });
  const bands = (spec.bands ?? [])
    .filter((b) => Number.isFinite(b.from) && Number.isFinite(b.to))
    .map((b) => {
      const a = Math.max(px0, Math.min(px1, sx(b.from)));
      const z = Math.max(px0, Math.min(px1, sx(b.to)));
      const size = html`width="${coord(Math.max(0, z - a))}" height="${coord(py0 - py1)}"`;
      const rect = html`<rect x="${coord(a)}" y="${coord(py1)}" ${size}><title>${b.label}</title></rect>`;
      return html`<g class="band">${rect}<text class="band-label" x="${coord(a + 3)}" y="${coord(py1 + 11)}">${b.label}</text></g>`;
    });
  const hLines = L.drawnH.map((l) => {
    const y = coord(sy(l.value));
    const line = html`<line x1="${coord(px0)}" x2="${coord(px1)}" y1="${y}" y2="${y}" stroke-dasharray="6 4"/>`;
    const label = html`<text x="${coord(px1 - 4)}" y="${coord(sy(l.value) - 4)}" text-anchor="end">${l.label}</text>`;
    return html`<g class="marker ${l.colour}" data-marker="${l.label}">${line}${label}</g>`;
  });
  const vLines = (spec.vLines ?? [])
    .filter((l) => Number.isFinite(l.value))
    .map((l, i) => {
      const x = sx(l.value);
      // Labels of neighbouring lines would overlap: stagger them, and keep them inside the plot.
      const right = x > (px0 + px1) / 2;
      const line = html`<line x1="${coord(x)}" x2="${coord(x)}" y1="${coord(py0)}" y2="${coord(py1)}" stroke-dasharray="4 3"/>`;
      const at = html`x="${coord(right ? x - 4 : x + 4)}" y="${coord(py1 + 11 + 13 * (i % 3))}"`;
      const label = html`<text ${at} text-anchor="${right ? 'end' : 'start'}">${l.label}</text>`;
      return html`<g class="marker ${l.colour}" data-marker="${l.label}">${line}${label}</g>`;
    });
  const series = spec.series.map((s) => seriesSvg(s, sx, sy, fx, fy));
  const body = L.empty
    ? html`<text class="nodata" x="${coord((px0 + px1) / 2)}" y="${coord((py0 + py1) / 2)}" text-anchor="middle">no data</text>`
    : html`<g clip-path="url(#clip-${id})">${bands}${series}</g>${hLines}${vLines}`;
  const offScale = (spec.hLines ?? []).filter((l) => !L.drawnH.includes(l));
  const legend = [
    ...spec.series.map((s) => html`<li><span class="key ${s.colour}${s.dashed ? ' dashed' : ''}"></span>${s.label}</li>`),
    ...L.drawnH.map((l) => html`<li><span class="key ${l.colour} dashed"></span>${l.label}</li>`),
    ...offScale.map((l) => html`<li class="muted">${l.label} (above the chart)</li>`),
  ];
  const svgOpen = html`<svg viewBox="0 0 ${W} ${H}" role="img" aria-label="${spec.title}" data-empty="${L.empty ? 'true' : 'false'}">`;
  const clipRect = html`<rect x="${coord(px0)}" y="${coord(py1 - 2)}" width="${coord(px1 - px0)}" height="${coord(py0 - py1 + 4)}"/>`;
  const clip = html`<defs><clipPath id="clip-${id}">${clipRect}</clipPath></defs>`;
  const xAxis = html`<line class="axis" x1="${coord(px0)}" x2="${coord(px1)}" y1="${coord(py0)}" y2="${coord(py0)}"/>`;
  const yAxis = html`<line class="axis" x1="${coord(px0)}" x2="${coord(px0)}" y1="${coord(py0)}" y2="${coord(py1)}"/>`;
  const xLabelAt = html`x="${coord((px0 + px1) / 2)}" y="${coord(H - 4)}"`;
  const xLabel = html`<text class="axis-label" ${xLabelAt} text-anchor="middle">${spec.xLabel}</text>`;
  const yLabelAt = html`transform="rotate(-90)" x="${coord(-(py0 + py1) / 2)}" y="11"`;
  const yLabel = html`<text class="axis-label" ${yLabelAt} text-anchor="middle">${spec.yLabel}</text>`;
  const svg = html`${svgOpen}${clip}${grid}${xAxis}${yAxis}${xticks}${xLabel}${yLabel}${body}</svg>`;
  const caption = html`<figcaption>${spec.title}</figcaption>`;
  return html`<figure class="chart" data-chart="${id}">${caption}${svg}<ul class="legend">${legend}</ul></figure>`;
}

function seriesSvg(s: ChartSeries, sx: Scale, sy: Scale, fx: (v: number) => string, fy: (v: number) => string): SafeHtml {
  const kind = s.kind ?? 'line';
  const parts: SafeHtml[] = [];
  const path = linePath(s.points, sx, sy);
  if (kind !== 'points' && path.d) {
    const dashes = s.dashed ? raw(' stroke-dasharray="5 4"') : '';
    parts.push(
      html`<path class="series ${s.colour}" data-series="${s.key}" data-points="${path.vertices}" d="${path.d}" fill="none"${dashes}/>`,
    );
  }
  if (kind === 'points' || kind === 'linepoints') {
    const dots = s.points.filter(finite).map((p) => {
      const title = p.title ?? `${s.label}: ${fx(p.x)}, ${fy(p.y)}`;
      return html`<circle cx="${coord(sx(p.x))}" cy="${coord(sy(p.y))}" r="3.5"><title>${title}</title></circle>`;
    });
    parts.push(html`<g class="dots ${s.colour}" data-series="${s.key}" data-points="${dots.length}">${dots}</g>`);
  } else if (path.isolated.length) {
    // A lone point between gaps would be invisible as a path.
    parts.push(
      html`<g class="dots ${s.colour}">${path.isolated.map(([x, y]) => html`<circle cx="${coord(x)}" cy="${coord(y)}" r="2"/>`)}</g>`,
    );
  }
  return join(parts);
}
