// End-to-end: the release build in headless Chromium, as a person uses it.
import { after, afterEach, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { OUT, ROOT, closePages, frameTimes, launch, openPage, serveDist } from './harness.mjs';

let server, browser;
before(async () => { server = await serveDist(); browser = await launch(); });
afterEach(closePages);
after(async () => { await browser?.close(); server?.close(); });

const text = (page, id) => page.getByTestId(id).textContent();
const num = async (page, id) => parseFloat(await text(page, id));
const attr = (page, id, name) => page.getByTestId(id).getAttribute(name);

test('the page loads, runs, and draws all three charts, with no console error', async () => {
  const { page, errors } = await openPage(browser, server.url);
  await page.waitForFunction(() => parseFloat(document.querySelector('[data-testid=sim-time]').textContent) > 12);
  for (const id of ['latency-chart', 'throughput-chart', 'utilisation-chart']) {
    await page.waitForFunction((id) => Number(document.querySelector(`[data-testid=${id}]`).dataset.points) > 0, id);
  }
  // The latency chart shows its lines: count pixels in the p50/p95/p99 colours.
  const coloured = await page.evaluate(() => {
    const c = document.querySelector('canvas[data-testid=latency-chart]');
    const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
    const near = (i, r, g, b) => Math.abs(d[i] - r) < 40 && Math.abs(d[i + 1] - g) < 40 && Math.abs(d[i + 2] - b) < 40;
    let n = 0;
    for (let i = 0; i < d.length; i += 4) if (near(i, 0x2f, 0x81, 0xf7) || near(i, 0xe5, 0x48, 0x4d)) n++;
    return n;
  });
  assert.ok(coloured > 200, `the latency chart shows its lines (${coloured} coloured pixels)`);
  const shot = join(OUT, 'app.png');
  await page.screenshot({ path: shot, fullPage: true });
  console.log(`screenshot: ${shot}`);
  assert.deepEqual(errors, []);
});

test('the gallery opens each preset with its topology', async () => {
  const { page, errors } = await openPage(browser, server.url);
  const presets = [
    ['queueing-basics', 'mm8.json', 'Queueing basics'],
    ['load-balancing', 'load-balancing.json', 'Load-balancing algorithms'],
    ['one-queue-or-many', 'one-queue-or-many.json', 'One queue or many'],
  ];
  for (const [id, file, title] of presets) {
    await page.getByTestId(`preset-${id}`).click();
    await page.waitForFunction((t) => document.querySelector('[data-testid=scenario-title]').textContent.includes(t), title);
    const spec = JSON.parse(readFileSync(join(ROOT, 'public/presets', file), 'utf8'));
    for (const node of spec.nodes) await page.getByTestId(`node-${node.id}`).waitFor();
    assert.equal(await page.locator('[data-testid^=node-]').count(), spec.nodes.length, `${id}: one shape per node`);
    assert.equal(await page.getByTestId(`preset-${id}`).getAttribute('aria-pressed'), 'true');
  }
  assert.deepEqual(errors, []);
});

test('play/pause, step, speed and reset, by button and by key', async () => {
  const { page, errors } = await openPage(browser, server.url);
  await page.waitForFunction(() => Number(document.querySelector('[data-testid=events]').textContent) > 10);
  await page.getByTestId('play').click();
  assert.equal(await text(page, 'play'), 'Play');
  const paused = await num(page, 'events');
  await page.waitForTimeout(300);
  assert.equal(await num(page, 'events'), paused, 'paused: no events');
  await page.getByTestId('step').click();
  assert.equal(await num(page, 'events'), paused + 1, 'Step processes one event');
  await page.keyboard.press('ArrowRight');
  assert.equal(await num(page, 'events'), paused + 2, '→ processes one event');
  await page.keyboard.press('Space');
  await page.waitForFunction((n) => Number(document.querySelector('[data-testid=events]').textContent) > n, paused + 2);
  assert.equal(await text(page, 'play'), 'Pause');

  // Speed: a slider over 1, 2, 5 × powers of ten from 0.01× to 1000×, and
  // the + / - keys step along the same ladder.
  await page.getByTestId('speed').fill('12');
  assert.equal(await text(page, 'speed-label'), '100×');
  await page.keyboard.press('-');
  assert.equal(await text(page, 'speed-label'), '50×');
  await page.keyboard.press('+');
  await page.keyboard.press('+');
  assert.equal(await text(page, 'speed-label'), '200×');
  await page.getByTestId('speed').fill('0');
  assert.equal(await text(page, 'speed-label'), '0.01×');
  await page.getByTestId('speed').fill('9');
  assert.equal(await text(page, 'speed-label'), '10×');

  // Reset (R) starts again from time 0.
  await page.waitForFunction(() => parseFloat(document.querySelector('[data-testid=sim-time]').textContent) > 5);
  await page.keyboard.press('r');
  assert.ok((await num(page, 'sim-time')) < 5, 'reset to time 0');
  assert.deepEqual(errors, []);
});

test('a new seed gives another run; the same seed the same one', async () => {
  const { page, errors } = await openPage(browser, server.url);
  await page.getByTestId('play').click(); // pause: a restart keeps the run paused
  // 400 events, one at a time, from time 0.
  const run = async () => {
    await page.locator('body').click({ position: { x: 5, y: 5 } });
    for (let i = 0; i < 400; i++) await page.keyboard.press('ArrowRight');
    return [await text(page, 'sim-time'), await text(page, 'completed')];
  };
  const withSeed = async (seed) => {
    await page.getByTestId('seed').fill(seed);
    await page.getByTestId('seed').press('Enter');
    return run();
  };
  const a = await withSeed('12345');
  const b = await withSeed('12345');
  assert.deepEqual(a, b, 'same seed, same 400 events');
  await page.getByTestId('new-seed').click();
  assert.notEqual(await page.getByTestId('seed').inputValue(), '12345');
  const c = await run();
  assert.notDeepEqual(c, a, 'another seed, another run');
  assert.deepEqual(errors, []);
});

test('a fault changes the topology and the charts', async () => {
  const { page, errors } = await openPage(browser, server.url);
  await page.getByTestId('preset-load-balancing').click();
  await page.waitForFunction(() => Number(document.querySelector('[data-testid=completed]').textContent) > 1000);
  assert.equal(await attr(page, 'throughput-chart', 'data-markers'), '2', 'the preset fault timeline is marked');
  await page.getByTestId('node-app-3').click();
  assert.equal(await text(page, 'inspector-title'), 'app-3');
  await page.getByTestId('fail').click();
  await page.waitForFunction(() => document.querySelector('[data-testid=node-app-3]').classList.contains('down'));
  assert.equal(await text(page, 'inspector-state'), 'down');
  // Until health checks notice, requests sent to app-3 are refused.
  await page.waitForFunction(() => Number(document.querySelector('[data-testid=errors]').textContent) > 0);
  await page.waitForFunction(() => document.querySelector('[data-testid=throughput-chart]').dataset.markers === '3');
  // Add a server: it appears in the topology.
  await page.getByTestId('node-lb').click();
  await page.getByTestId('add-server').click();
  await page.getByTestId('node-app-9').waitFor();
  assert.ok(!(await page.getByTestId('node-app-9').getAttribute('class')).includes('absent'));
  // Remove it again: it disappears.
  await page.getByTestId('node-app-9').click();
  await page.getByTestId('remove-server').click();
  await page.waitForFunction(() => document.querySelector('[data-testid=node-app-9]').classList.contains('absent'));
  assert.deepEqual(errors, []);
});

test('inspector edits change the figures', async () => {
  const { page, errors } = await openPage(browser, server.url);
  await page.getByTestId('node-pool').click();
  await page.getByTestId('edit-workers').fill('16');
  await page.getByTestId('apply-server').click();
  await page.waitForFunction(() => / \/ 16$/.test(document.querySelector('[data-testid=inspector-busy]').textContent));
  // Halving the rate on a 16-worker pool: utilisation rho = 3.2 / 16 = 0.20.
  await page.getByTestId('node-users').click();
  await page.getByTestId('edit-rate').fill('3.2');
  await page.getByTestId('apply-rate').click();
  await page.waitForFunction(() => document.querySelector('[data-testid=rho]')?.textContent === '0.20');
  // An invalid edit is refused with a message beside the field, and the app carries on.
  await page.getByTestId('edit-rate').fill('-4');
  await page.getByTestId('apply-rate').click();
  assert.match(await page.locator('[data-testid=inspector] [data-testid=field-error]').textContent(), /Arrival rate: must be greater than 0.*got -4/);
  assert.deepEqual(errors, []);
});

test('hovering a node shows a tooltip', async () => {
  const { page, errors } = await openPage(browser, server.url);
  await page.getByTestId('preset-load-balancing').click();
  await page.getByTestId('node-app-1').hover();
  assert.match(await text(page, 'tooltip'), /app-1 · server/);
  assert.match(await text(page, 'tooltip'), /workers busy/);
  assert.deepEqual(errors, []);
});

test('timings: load to first chart, and frame times at 10,000 requests/s (printed)', async () => {
  const t0 = Date.now();
  const { page } = await openPage(browser, server.url, { width: 1280, height: 720 });
  await page.waitForFunction(() => Number(document.querySelector('[data-testid=latency-chart]')?.dataset.draws) > 0);
  const firstChartMs = Date.now() - t0;
  await page.getByTestId('preset-load-balancing').click();
  await page.waitForFunction(() => Number(document.querySelector('[data-testid=completed]').textContent) > 0);
  const { frames, p95, worst } = await frameTimes(page, 10000);
  // Frames per second over the first 2 s, then frame times over all 10 s.
  let elapsed = 0, first2s = 0;
  for (const f of frames) { if (elapsed >= 2000) break; elapsed += f; first2s++; }
  console.log(`frames per second over 2 s: ${(first2s / (elapsed / 1000)).toFixed(1)}`);
  const sim = await text(page, 'sim-time');
  console.log(`load to first chart: ${firstChartMs} ms`);
  console.log(`frames over 10 s on the load-balancing preset (10,000 requests/s, 1x): ${frames.length} frames, ${(frames.length / 10).toFixed(1)} fps, p95 ${p95.toFixed(1)} ms, worst ${worst.toFixed(1)} ms; simulated clock at ${sim}`);
  assert.ok(frames.length > 100, 'the page kept rendering');
});
