// The HTML report in a real browser (Debian's chromium, driven by playwright-core): it renders
// readable charts with no network request at all, and a record full of script payloads runs
// none of them — with the page's CSP, and with the CSP bypassed (escaping alone must hold).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { renderHtmlReport } from '../../src/report/html.ts';
import { colourStats, decodePng } from './html-png.ts';
import { fullRecord, hostileRecord, PAYLOADS } from './html-fixtures.ts';

const CHROMIUM = process.env.SPEEDGUARD_CHROMIUM ?? '/usr/bin/chromium';
const skip = existsSync(CHROMIUM)
  ? false
  : `chromium not found at ${CHROMIUM}: install Debian's chromium (apt-get install -y chromium) or set SPEEDGUARD_CHROMIUM`;

const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

let browser: Browser | null = null;
let dir = '';

before(async () => {
  if (skip) return;
  dir = mkdtempSync(join(tmpdir(), 'speedguard-html-'));
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS, timeout: 30_000 });
});

after(async () => {
  await browser?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

interface Opened {
  page: Page;
  url: string;
  requests: string[];
  dialogs: string[];
  problems: string[];
  close(): Promise<void>;
}

async function open(name: string, page: string, opts: { bypassCSP?: boolean } = {}): Promise<Opened> {
  const file = join(dir, `${name}.html`);
  writeFileSync(file, page);
  const url = pathToFileURL(file).href;
  const context = await browser!.newContext({
    viewport: { width: 1280, height: 900 },
    bypassCSP: opts.bypassCSP ?? false,
    javaScriptEnabled: true,
  });
  const p = await context.newPage();
  const requests: string[] = [];
  const dialogs: string[] = [];
  const problems: string[] = [];
  p.on('request', (r) => requests.push(r.url()));
  p.on('requestfailed', (r) => problems.push(`request failed: ${r.url()}`));
  p.on('dialog', (d) => {
    dialogs.push(d.message());
    void d.dismiss();
  });
  // CSP violations (something tried to load or run and was refused) surface as console errors.
  p.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') problems.push(`console ${m.type()}: ${m.text()}`);
  });
  p.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  await p.goto(url, { waitUntil: 'load', timeout: 20_000 });
  return { page: p, url, requests, dialogs, problems, close: () => context.close() };
}

test('the report renders in Chromium: styled, charts drawn, no network request besides the file itself', {
  skip,
  timeout: 60_000,
}, async (t) => {
  const record = fullRecord();
  const o = await open('full', renderHtmlReport(record));
  try {
    const { page } = o;
    // Let anything lazy (fonts, images, prefetches) have its chance to ask for the network.
    await page.waitForLoadState('networkidle', { timeout: 10_000 });
    assert.deepEqual(o.requests, [o.url]);
    assert.deepEqual(o.problems, []);
    assert.deepEqual(o.dialogs, []);

    // The hashed stylesheet was accepted by the CSP.
    const bg = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    assert.equal(bg, 'rgb(246, 247, 249)');
    const stroke = await page.evaluate(
      () => getComputedStyle(document.querySelector('[data-chart="p0-baseline-throughput"] path[data-series="rps"]')!).stroke,
    );
    assert.equal(stroke, 'rgb(37, 99, 235)');

    assert.equal(await page.locator('figure.chart').count(), record.phases.length * 3 + 2);
    const steps = record.phases.find((p) => p.stress)!.stress!.steps.length;
    assert.equal(await page.locator('[data-chart="capacity-latency-throughput"] g.dots[data-series="p95"] circle').count(), steps);
    assert.equal(await page.locator('[data-chart="capacity-usl"] g.dots[data-series="measured"] circle').count(), steps);
    assert.equal(await page.locator('[data-chart="capacity-latency-throughput"] [data-marker^="knee"]').count(), 1);
    const sizes = await page.locator('figure.chart svg').evaluateAll((els) => els.map((e) => e.getBoundingClientRect().width));
    for (const w of sizes) assert.ok(w > 300, `chart width ${w}`);
    // Lines are really drawn: the p99 path of the stress latency chart has a rendered length.
    const len = await page.evaluate(() =>
      (document.querySelector('[data-chart="p1-stress-latency"] path[data-series="p99"]') as SVGPathElement).getTotalLength(),
    );
    assert.ok(len > 200, `path length ${len}`);

    const png = await page.screenshot({ fullPage: true, type: 'png' });
    writeFileSync(join(dir, 'full.png'), png);
    t.diagnostic(`screenshot: ${png.length} bytes`);
    assert.ok(png.length > 150_000, `screenshot only ${png.length} bytes`);
    const img = decodePng(png);
    assert.equal(img.width, 1280);
    assert.ok(img.height > 3000, `page height ${img.height}`);
    const stats = colourStats(img);
    assert.ok(stats.distinct > 200, `${stats.distinct} colours`);
    assert.ok(stats.nonBackground > 0.2, `${(stats.nonBackground * 100).toFixed(1)} % non-background`);

    // The stress chart itself shows the p99 colour (purple) and the SLO line colour (red).
    const chart = decodePng(await page.locator('[data-chart="capacity-latency-throughput"] svg').screenshot());
    const near = (r: number, g: number, b: number) => {
      let n = 0;
      for (let i = 0; i < chart.data.length; i += chart.channels)
        if (Math.abs(chart.data[i]! - r) + Math.abs(chart.data[i + 1]! - g) + Math.abs(chart.data[i + 2]! - b) < 40) n++;
      return n;
    };
    assert.ok(near(124, 58, 237) > 50, 'p99 purple drawn');
    assert.ok(near(220, 38, 38) > 50, 'SLO red drawn');
  } finally {
    await o.close();
  }
});

/** Where the page's landmarks are (px from the top) and which phase cells wrapped onto a second line. */
async function layout(page: Page) {
  return page.evaluate(() => {
    const top = (sel: string) => {
      const el = document.querySelector(sel);
      return el ? el.getBoundingClientRect().top + window.scrollY : null;
    };
    const lines = (el: Element) => {
      const r = document.createRange();
      r.selectNodeContents(el);
      return new Set([...r.getClientRects()].map((x) => Math.round(x.top))).size;
    };
    const phaseCells = [...document.querySelectorAll('table.evidence td:nth-child(3), table.phases td:first-child')].filter((td) =>
      td.textContent!.trim(),
    );
    return {
      verdict: top('[data-verdict]'),
      firstChart: top('figure.chart'),
      findings: top('#findings'),
      capacity: top('#capacity'),
      phases: top('#phases'),
      height: document.documentElement.scrollHeight,
      phaseCells: phaseCells.length,
      wrapped: phaseCells.filter((td) => lines(td) > 1).map((td) => td.textContent),
    };
  });
}

test('above the fold: the verdict, the capacity and the key charts come before the findings; phase names do not break', {
  skip,
  timeout: 60_000,
}, async () => {
  // The full assessment: capacity tiles and charts first (the first chart started ~6,600 px down).
  const o = await open('fold', renderHtmlReport(fullRecord()));
  try {
    const l = await layout(o.page);
    assert.ok(l.verdict! < 300, `verdict at ${l.verdict} px`);
    assert.ok(l.capacity! < l.findings!, `capacity ${l.capacity} px, findings ${l.findings} px`);
    assert.ok(l.firstChart! + 250 < 900, `first chart at ${l.firstChart} px: its top part must be in the 900 px viewport`);
    assert.ok(l.findings! < 1300, `findings at ${l.findings} px`);
    assert.ok(l.phases! > l.findings!);
    assert.ok(l.phaseCells > 5);
    assert.deepEqual(l.wrapped, [], 'phase names broken across lines');
  } finally {
    await o.close();
  }
  // Without a stress phase (a profile): the phases and their charts come first.
  const profile = fullRecord();
  profile.phases = profile.phases.filter((p) => p.name === 'baseline');
  profile.capacity = null;
  const q = await open('fold-profile', renderHtmlReport(profile));
  try {
    const l = await layout(q.page);
    assert.equal(l.capacity, null);
    assert.ok(l.phases! < l.findings!, `phases ${l.phases} px, findings ${l.findings} px`);
    assert.ok(l.firstChart! + 250 < 900, `first chart at ${l.firstChart} px`);
  } finally {
    await q.close();
  }
});

for (const bypassCSP of [false, true]) {
  test(`script payloads from the target do not run and show as text (${bypassCSP ? 'CSP bypassed: escaping alone' : 'with the CSP'})`, {
    skip,
    timeout: 60_000,
  }, async () => {
    const o = await open(`hostile-${bypassCSP}`, renderHtmlReport(hostileRecord()), { bypassCSP });
    try {
      const { page } = o;
      await page.waitForLoadState('networkidle', { timeout: 10_000 });
      const state = await page.evaluate(() => ({
        pwned: (window as unknown as { __pwned?: unknown }).__pwned,
        scripts: [...document.querySelectorAll('script')].map((s) => s.type),
        active: document.querySelectorAll('img, iframe, object, embed, frame, base, form, meta[http-equiv="refresh"]').length,
        handlers: [...document.querySelectorAll('*')].flatMap((el) =>
          [...el.attributes]
            .filter((a) => /^on/i.test(a.name) || /^(src|srcdoc|style)$/i.test(a.name))
            .map((a) => `${el.tagName}.${a.name}`),
        ),
        hrefs: [...document.querySelectorAll('[href]')].map((el) => el.getAttribute('href')),
        text: document.body.textContent,
        title: document.title,
        data: JSON.parse(document.getElementById('speedguard-report-data')!.textContent!) as {
          target: string;
          findings: Array<{ title: string }>;
        },
      }));
      assert.equal(state.pwned, undefined);
      assert.deepEqual(o.dialogs, []);
      assert.deepEqual(o.requests, [o.url]);
      assert.deepEqual(o.problems, []);
      assert.deepEqual(state.scripts, ['application/json']);
      assert.equal(state.active, 0);
      assert.deepEqual(state.handlers, []);
      for (const h of state.hrefs) assert.match(h!, /^(#[a-z0-9-]+|data:,)$/);
      for (const p of PAYLOADS) assert.ok(state.text.includes(p), `payload not visible as text: ${p}`);
      assert.ok(state.text.includes(`javascript:alert(1)//${PAYLOADS[0]}`), 'target shown as text');
      assert.ok(state.title.includes(PAYLOADS[2]), 'title carries the escaped target name as text');
      assert.equal(state.data.findings[0]!.title, PAYLOADS[0]);
      assert.equal(state.data.target, `javascript:alert(1)//${PAYLOADS[0]}`);
    } finally {
      await o.close();
    }
  });
}
