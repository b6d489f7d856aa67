// What a visitor sees first, checked on the rendered page for every preset
// at 1280×800 and 390×844, light and dark, read from the geometry the
// browser laid out (real fonts, real widths):
// - every node's name is inside the diagram, at 11 px or more, not on
//   another name or node, and (outside its own box) clear of every link by
//   more than a message dot's radius; the dots' canvas is under the nodes'
//   layer, so a box and its name are never under a dot;
// - nothing makes the page scroll sideways;
// - no text in the panels is cut off: an element that hides what overflows
//   it must fit, unless it ends in an ellipsis and carries the whole text
//   in its tooltip (title);
// - each chart's legend sits outside its plot (under the canvas).
// VISUAL_SHOTS=1 also writes a screenshot of each to target/e2e/visual/.
import { after, afterEach, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { OUT, ROOT, closePages, launch, serveDist } from './harness.mjs';

const PRESETS = JSON.parse(execFileSync(join(ROOT, 'target/debug/scalelab'), ['presets', '--json'], { encoding: 'utf8' }));
const SHOTS = process.env.VISUAL_SHOTS === '1';
const SHOT_DIR = join(OUT, 'visual');
if (SHOTS) mkdirSync(SHOT_DIR, { recursive: true });

let server, browser;
before(async () => { server = await serveDist(); browser = await launch(); });
afterEach(closePages);
after(async () => { await browser?.close(); server?.close(); });

/** Everything wrong with the page as laid out now (runs in the page). */
function problems() {
  const out = [];
  const topo = document.querySelector('[data-testid=topology]');
  const box = topo.getBoundingClientRect();
  const nodesSvg = topo.querySelector('svg.nodes');
  const canvas = topo.querySelector('canvas.dots');
  // The dots' canvas comes before the nodes' layer and neither sets a z-index.
  if (!(canvas.compareDocumentPosition(nodesSvg) & Node.DOCUMENT_POSITION_FOLLOWING)) out.push('the dots are drawn over the nodes');
  for (const el of [canvas, nodesSvg]) if (getComputedStyle(el).zIndex !== 'auto') out.push(`${el.tagName} sets a z-index`);
  // Links in page coordinates.
  const ctm = topo.querySelector('svg.links').getScreenCTM();
  const pt = (x, y) => ({ x: ctm.a * x + ctm.c * y + ctm.e, y: ctm.b * x + ctm.d * y + ctm.f });
  const links = [...topo.querySelectorAll('svg.links line')].map((l) => [
    pt(+l.getAttribute('x1'), +l.getAttribute('y1')), pt(+l.getAttribute('x2'), +l.getAttribute('y2'))]);
  const crosses = (r, [a, b]) => {
    // Liang–Barsky: does segment a–b pass through rectangle r?
    const dx = b.x - a.x, dy = b.y - a.y;
    let t0 = 0, t1 = 1;
    for (const [p, q] of [[-dx, a.x - r.left], [dx, r.right - a.x], [-dy, a.y - r.top], [dy, r.bottom - a.y]]) {
      if (p === 0) { if (q < 0) return false; continue; }
      const t = q / p;
      if (p < 0) t0 = Math.max(t0, t); else t1 = Math.min(t1, t);
      if (t0 > t1) return false;
    }
    return true;
  };
  const overlap = (a, b) => a.left < b.right - 0.5 && b.left < a.right - 0.5 && a.top < b.bottom - 0.5 && b.top < a.bottom - 0.5;
  const inside = (a, b) => a.left >= b.left - 0.5 && a.right <= b.right + 0.5 && a.top >= b.top - 0.5 && a.bottom <= b.bottom + 0.5;
  const nodes = [...topo.querySelectorAll('g.node:not(.absent)')].map((g) => ({
    id: g.dataset.id, label: g.querySelector('text.label'), shape: g.querySelector('.shape').getBoundingClientRect(),
  }));
  for (const n of nodes) {
    const r = n.label.getBoundingClientRect();
    const size = parseFloat(getComputedStyle(n.label).fontSize);
    if (size < 11) out.push(`${n.id}: its name is ${size} px`);
    if (!inside(r, box)) out.push(`${n.id}: its name is outside the diagram`);
    for (const m of nodes) {
      if (m === n) continue;
      if (overlap(r, m.label.getBoundingClientRect())) out.push(`${n.id}: its name is on ${m.id}'s name`);
      if (overlap(r, m.shape)) out.push(`${n.id}: its name is on ${m.id}`);
      if (n.id < m.id && overlap(n.shape, m.shape)) out.push(`${n.id} overlaps ${m.id}`);
    }
    if (!inside(r, n.shape)) {
      const near = { left: r.left - 4, right: r.right + 4, top: r.top - 4, bottom: r.bottom + 4 };
      if (links.some((l) => crosses(near, l))) out.push(`${n.id}: a link (and its dots) passes under its name`);
    }
  }
  // The page does not scroll sideways.
  const doc = document.documentElement;
  if (doc.scrollWidth > doc.clientWidth) out.push(`the page is ${doc.scrollWidth} px wide in a ${doc.clientWidth} px window`);
  // Nothing cut off: what hides its overflow fits, or says all in its title.
  for (const el of document.querySelectorAll('.stage *, .side *, .embed *, header.top *')) {
    if (!el.getClientRects().length || el.closest('.tooltip')) continue;
    const cs = getComputedStyle(el);
    if (cs.overflowX === 'visible' || el.scrollWidth <= el.clientWidth + 1) continue;
    if (el.tagName === 'INPUT' || el.tagName === 'TEXTAREA' || el.tagName === 'SELECT') continue;
    if (cs.textOverflow === 'ellipsis' && el.title && el.title.length >= el.textContent.trim().length) continue;
    out.push(`cut off: <${el.tagName.toLowerCase()} class="${el.className}"> "${el.textContent.trim().slice(0, 60)}"`);
  }
  // Text that spills past the panel it is in (overflow: visible, so no scroll width shows it).
  for (const panel of document.querySelectorAll('.stage, .side > section, .embed')) {
    const p = panel.getBoundingClientRect();
    for (const el of panel.querySelectorAll('p, span, dd, dt, li, label, h2, h3, b, small, output, button')) {
      if (!el.getClientRects().length || el.closest('.tooltip') || !el.textContent.trim()) continue;
      const r = el.getBoundingClientRect();
      if (r.right > p.right + 1 || r.left < p.left - 1) {
        out.push(`spills out of its panel: <${el.tagName.toLowerCase()} class="${el.className}"> "${el.textContent.trim().slice(0, 60)}"`);
      }
    }
  }
  // Legends under their plots, never over them.
  for (const card of document.querySelectorAll('.chart-card')) {
    const c = card.querySelector('canvas').getBoundingClientRect();
    const l = card.querySelector('.chart-legend').getBoundingClientRect();
    if (l.height > 0 && overlap(c, l)) out.push('a chart legend is over its plot');
  }
  return [...new Set(out)];
}

/** Opens preset `id` as a person would: from the gallery (opened first on a phone). */
async function choose(page, id) {
  const before = await page.evaluate(() => window.scalelab.state().scene);
  if (await page.getByTestId('gallery-toggle').isVisible()) await page.getByTestId('gallery-toggle').click();
  await page.getByTestId(`preset-${id}`).click();
  await page.waitForFunction(([id, scene]) => {
    const s = window.scalelab.state();
    return s.preset === id && s.scene !== scene && s.now_ms > 300;
  }, [id, before]);
  // Pause with dots in flight, and let the charts draw.
  await page.evaluate(() => window.scalelab.pause());
  await page.waitForFunction(() => window.scalelab.screenshotReady());
}

const VIEWS = [
  { name: 'desktop', viewport: { width: 1280, height: 800 } },
  { name: 'phone', viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true },
];

for (const view of VIEWS) {
  for (const scheme of ['light', 'dark']) {
    test(`every preset at ${view.viewport.width}×${view.viewport.height}, ${scheme}: readable names, nothing cut off or sideways, legends off the data`, async () => {
      const context = await browser.newContext({ viewport: view.viewport, isMobile: !!view.isMobile, hasTouch: !!view.hasTouch, colorScheme: scheme });
      const page = await context.newPage();
      const errors = [];
      page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
      page.on('pageerror', (e) => errors.push(String(e)));
      await page.goto(server.url);
      await page.waitForFunction(() => window.scalelab !== undefined);
      const bad = [];
      for (const p of PRESETS) {
        await choose(page, p.id);
        for (const problem of await page.evaluate(problems)) bad.push(`${p.id}: ${problem}`);
        if (SHOTS) await page.screenshot({ path: join(SHOT_DIR, `${p.id}-${view.name}-${scheme}.png`), fullPage: view.name === 'phone' });
      }
      await context.close();
      assert.deepEqual(errors, [], 'no console error');
      assert.deepEqual(bad, [], `${bad.length} problems`);
    });
  }
}

test('the checks find what they look for (each broken on purpose)', async () => {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  await page.goto(server.url);
  await page.waitForFunction(() => window.scalelab !== undefined);
  await choose(page, 'cache-aside');
  assert.deepEqual(await page.evaluate(problems), [], 'clean before');
  const broken = await page.evaluate((problems) => {
    const check = eval(`(${problems})`);
    const found = {};
    const topo = document.querySelector('[data-testid=topology]');
    // A name moved onto the link between users and lb.
    const users = topo.querySelector('[data-id=users] text.label');
    const lb = topo.querySelector('[data-id=lb] .shape').getBBox();
    const x0 = users.getAttribute('x'), y0 = users.getAttribute('y');
    users.setAttribute('x', String((+x0 + lb.x) / 2));
    users.setAttribute('y', String(lb.y + lb.height / 2 + 4));
    found.link = check().filter((p) => p.includes('users: a link'));
    users.setAttribute('x', x0);
    users.setAttribute('y', y0);
    // A name too small to read.
    users.style.fontSize = '7px';
    found.small = check().filter((p) => p.includes('users: its name is 7 px'));
    users.style.fontSize = '';
    // Text cut off without its whole text in a title.
    const title = document.querySelector('[data-testid=scenario-title]');
    title.style.cssText = 'width: 60px; overflow: hidden; white-space: nowrap';
    found.cut = check().filter((p) => p.startsWith('cut off: <h2'));
    title.style.cssText = '';
    // The page made wider than the window.
    const wide = document.createElement('div');
    wide.style.cssText = 'width: 3000px; height: 1px';
    document.querySelector('.stage').appendChild(wide);
    found.sideways = check().filter((p) => p.startsWith('the page is'));
    wide.remove();
    // A legend over its plot.
    const legend = document.querySelector('.chart-legend');
    legend.style.cssText = 'position: relative; top: -120px';
    found.legend = check().filter((p) => p.includes('legend is over its plot'));
    legend.style.cssText = '';
    return found;
  }, problems.toString());
  for (const [what, hits] of Object.entries(broken)) assert.equal(hits.length, 1, `${what}: ${JSON.stringify(hits)}`);
  await context.close();
});

test('an embedded preset at 900×640 and 390×640: the same checks', async () => {
  for (const viewport of [{ width: 900, height: 640 }, { width: 390, height: 640 }]) {
    const context = await browser.newContext({ viewport });
    const page = await context.newPage();
    for (const id of ['cache-aside', 'kafka-keys', 'chat-gateway-dies', 'rabbitmq-exchanges']) {
      await page.goto(`${server.url}?embed=1&preset=${id}`);
      await page.waitForFunction((id) => window.scalelab?.state().preset === id && window.scalelab.state().now_ms > 300, id);
      await page.evaluate(() => window.scalelab.pause());
      await page.waitForFunction(() => window.scalelab.screenshotReady());
      assert.deepEqual(await page.evaluate(problems), [], `${id} embedded at ${viewport.width} px`);
      assert.equal(await page.locator('[data-testid=gallery]').count(), 0, 'no gallery in the embed');
      if (SHOTS) await page.screenshot({ path: join(SHOT_DIR, `${id}-embed-${viewport.width}.png`), fullPage: true });
    }
    await context.close();
  }
});
