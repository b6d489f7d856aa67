// End-to-end: the release build in headless Chromium, as a person sees it.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { OUT, launch, openPage, serveDist } from './harness.mjs';

let server, browser;
before(async () => { server = await serveDist(); browser = await launch(); });
after(async () => { await browser?.close(); server?.close(); });

test('the page loads, runs the simulation and draws the chart, with no console error', async () => {
  const { page, errors } = await openPage(browser, server.url);
  await page.getByTestId('scenario-title').waitFor();
  // The simulated clock moves and requests complete.
  await page.waitForFunction(() => parseFloat(document.querySelector('[data-testid=sim-time]').textContent) > 2);
  await page.waitForFunction(() => Number(document.querySelector('[data-testid=completed]').textContent) > 0);
  // At least two windows of data reach the chart.
  await page.waitForFunction(() => parseInt(document.querySelector('[data-testid=chart-points]').textContent) >= 2);
  await page.waitForTimeout(300);
  // The canvas is not blank: count pixels in the three series colours.
  const coloured = await page.evaluate(() => {
    const c = document.querySelector('canvas[data-testid=latency-chart]');
    const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
    const near = (i, r, g, b) => Math.abs(d[i] - r) < 40 && Math.abs(d[i + 1] - g) < 40 && Math.abs(d[i + 2] - b) < 40;
    let n = 0;
    for (let i = 0; i < d.length; i += 4) {
      if (near(i, 0x2f, 0x81, 0xf7) || near(i, 0xd2, 0x99, 0x22) || near(i, 0xe5, 0x48, 0x4d)) n++;
    }
    return n;
  });
  assert.ok(coloured > 200, `the chart shows its p50/p95/p99 lines (${coloured} coloured pixels)`);
  const shot = join(OUT, 'app.png');
  await page.screenshot({ path: shot, fullPage: true });
  console.log(`screenshot: ${shot}`);
  assert.deepEqual(errors, [], 'no console errors');
});

test('play/pause stops the clock and the keyboard toggles it back', async () => {
  const { page, errors } = await openPage(browser, server.url);
  await page.waitForFunction(() => parseFloat(document.querySelector('[data-testid=sim-time]').textContent) > 0.5);
  await page.getByTestId('play').click();
  await assert.doesNotReject(page.getByTestId('play').filter({ hasText: 'Play' }).waitFor());
  const frozen = await page.getByTestId('events').textContent();
  await page.waitForTimeout(400);
  assert.equal(await page.getByTestId('events').textContent(), frozen, 'paused: no events processed');
  await page.keyboard.press('Space');
  await page.waitForFunction((f) => document.querySelector('[data-testid=events]').textContent !== f, frozen);
  // Switching preset resets the run.
  await page.getByTestId('preset-load-balancing').click();
  await page.waitForFunction(() => document.querySelector('[data-testid=scenario-title]').textContent.includes('Load-balancing'));
  assert.deepEqual(errors, []);
});

test('frames per second over 2 s', async () => {
  const { page, errors } = await openPage(browser, server.url);
  await page.getByTestId('preset-load-balancing').click();
  await page.waitForFunction(() => Number(document.querySelector('[data-testid=completed]').textContent) > 0);
  const { fps, worst_ms } = await page.evaluate(() => new Promise((done) => {
    const times = [];
    const start = performance.now();
    function frame(t) {
      times.push(t);
      if (t - start < 2000) requestAnimationFrame(frame);
      else {
        let worst = 0;
        for (let i = 1; i < times.length; i++) worst = Math.max(worst, times[i] - times[i - 1]);
        done({ fps: (times.length - 1) / ((times.at(-1) - times[0]) / 1000), worst_ms: worst });
      }
    }
    requestAnimationFrame(frame);
  }));
  console.log(`frames per second: ${fps.toFixed(1)} (worst frame ${worst_ms.toFixed(1)} ms) on the load-balancing preset at 10,000 requests/s, 10x`);
  assert.ok(fps > 10, `the page keeps rendering (${fps.toFixed(1)} fps)`);
  assert.deepEqual(errors, []);
});
