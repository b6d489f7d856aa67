// End-to-end: the sharded store's ring view as a person uses it.
import { after, afterEach, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { OUT, closePages, frameTimes, launch, openPage, openPreset, serveDist } from './harness.mjs';

let server, browser;
before(async () => { server = await serveDist(); browser = await launch(); });
afterEach(closePages);
after(async () => { await browser?.close(); server?.close(); });

const caption = (page) => page.getByTestId('ring-change').textContent();

/// The percentages in the change caption: [moved, ring theory, alternative].
function percents(text) {
  return [...text.matchAll(/([\d.]+)%/g)].map((m) => Number(m[1]));
}

test('consistent hashing vs modulo: the caption counts moved keys on both sides of the A/B', async () => {
  const { page, errors } = await openPage(browser, server.url);
  await openPreset(page, 'hash-vs-modulo');
  assert.ok(await page.getByTestId('ring-canvas').isVisible());
  // Opens as an A/B of the ring against hash mod n.
  assert.match(await page.getByTestId('compare-select').locator('option:checked').textContent(), /hash ring → store: hash mod n/);
  assert.match(await caption(page), /No change of placement yet/);
  assert.match(await page.getByTestId('ring-routing').textContent(), /hash ring, 100 vnodes\/shard · routing: client library \(1 hop\)/);
  await page.evaluate(() => window.scalelab.runUntil(16000));
  const text = await caption(page);
  assert.match(text, /^added shard-5 at 15\.0 s: [\d,]+ of 10,000 sampled keys moved/);
  const [moved, theory, modulo] = percents(text);
  assert.equal(theory, 16.7);
  assert.ok(Math.abs(moved - theory) < 0.25 * theory, `ring moved ${moved}%`);
  assert.ok(Math.abs(modulo - 100 * 5 / 6) < 3, `modulo would move ${modulo}%`);
  const verdict = await page.getByTestId('verdict').textContent();
  const [, a, b] = verdict.match(/keys moved: ([\d.]+)% and ([\d.]+)%/);
  assert.equal(Number(a), moved);
  assert.ok(Number(b) > 80, `variant B (modulo) moved ${b}%`);
  assert.deepEqual(errors, []);
});

test('the inspector adds, fails and removes shards, and each edit is on the timeline', async () => {
  const { page, errors } = await openPage(browser, `${server.url}?autoplay=0`);
  await openPreset(page, 'add-shard');
  // Click shard 1's disc on the ring (ring.rs geometry: radius r = 140 at this
  // width, centre (r + 56, 173), discs on a circle of 0.48 r, shard s of n at
  // angle 2πs/n from the top, clockwise): the inspector opens on it.
  const r = 140, cx = r + 56, cy = 173;
  const disc = (s, n) => ({ x: cx + 0.48 * r * Math.sin(2 * Math.PI * s / n), y: cy - 0.48 * r * Math.cos(2 * Math.PI * s / n) });
  const ring = page.getByTestId('ring-canvas');
  await ring.hover({ position: disc(1, 4) });
  await page.waitForFunction(() => /^shard-1 · up/.test(document.querySelector('[data-testid=ring-canvas]').title));
  await ring.click({ position: disc(1, 4) });
  assert.equal(await page.getByTestId('inspector-title').textContent(), 'store');
  assert.equal(await page.getByTestId('edit-shard').inputValue(), '1');
  await page.getByTestId('add-shard').click();
  await page.waitForFunction(() => /^added shard-4 at 0\.0 s/.test(document.querySelector('[data-testid=ring-change]').textContent));
  assert.equal(await page.getByTestId('edit-shard').locator('option').count(), 5);
  await page.getByTestId('edit-shard').selectOption({ label: 'shard-2' });
  await page.getByTestId('fail-shard').click();
  await page.waitForFunction(() => [...document.querySelectorAll('[data-testid=edit-shard] option')].some((o) => o.textContent === 'shard-2 (down)'));
  // Replication 2, R = W = 1: the surviving replicas answer everything.
  await page.evaluate(() => window.scalelab.runUntil(5000));
  const s = await page.evaluate(() => window.scalelab.summary());
  assert.equal(s.nodes.store.store.unavailable, 0);
  assert.ok(s.completed > 20000);
  await page.getByTestId('edit-shard').selectOption({ label: 'shard-0' });
  await page.getByTestId('remove-shard').click();
  await page.waitForFunction(() => /^removed shard-0/.test(document.querySelector('[data-testid=ring-change]').textContent));
  await page.getByTestId('edit-routing').selectOption({ label: 'router tier' });
  await page.getByTestId('edit-vnodes').selectOption('1000');
  await page.waitForFunction(() => /vnodes 100 → 1000/.test(document.querySelector('[data-testid=ring-change]').textContent));
  const link = await page.evaluate(() => window.scalelab.link());
  assert.match(link, /#v1\./);
  // The edits replay from the link: the same summary.
  await page.evaluate(() => window.scalelab.runUntil(8000));
  const before = await page.evaluate(() => window.scalelab.summary());
  const { page: replay } = await openPage(browser, link.replace('#', '?autoplay=0#'));
  await replay.evaluate(() => window.scalelab.runUntil(8000));
  const again = await replay.evaluate(() => window.scalelab.summary());
  assert.deepEqual(again, before);
  assert.equal(before.nodes.store.store.routing, 'router');
  assert.equal(before.nodes.store.store.changes.length, 3);
  assert.deepEqual(errors, []);
});

test('range vs hash: a scan touches one shard or all eight (inspector and summary)', async () => {
  const { page } = await openPage(browser, `${server.url}?autoplay=0`);
  await openPreset(page, 'range-vs-hash');
  await page.evaluate(() => window.scalelab.runUntil(10000));
  const s = await page.evaluate(() => window.scalelab.summary());
  assert.ok(s.nodes.store.store.mean_range_fanout < 1.1);
  assert.ok(s.nodes.store.store.load_max_over_mean > 2.5, 'the low keys make one range hot');
  await page.getByTestId('node-store').click();
  await page.getByTestId('edit-partitioning').selectOption({ label: 'hash ring' });
  await page.waitForFunction(() => /partitioning range → hash/.test(document.querySelector('[data-testid=ring-change]').textContent));
  await page.evaluate(() => window.scalelab.runUntil(20000));
  const after = await page.evaluate(() => window.scalelab.summary());
  const scans = after.nodes.store.store.ranges - s.nodes.store.store.ranges;
  const fanout = (after.nodes.store.store.mean_range_fanout * after.nodes.store.store.ranges
    - s.nodes.store.store.mean_range_fanout * s.nodes.store.store.ranges) / scans;
  assert.ok(fanout > 7.9, `after switching to hash, a scan asks ${fanout} shards`);
});

test('timings: the ring view with 10,000 key dots while keys fly (printed)', async () => {
  const { page, errors } = await openPage(browser, `${server.url}?autoplay=0`, { width: 1280, height: 720 });
  await openPreset(page, 'hash-vs-modulo');
  await page.evaluate(() => window.scalelab.runUntil(14000));
  await page.evaluate(() => window.scalelab.play());
  const { frames, p95, worst } = await frameTimes(page, 5000);
  console.log(`ring view, hash-vs-modulo (10,000 key dots, a shard joins at 15 s and its keys fly, compare on): ${frames.length} frames in 5 s, ${(frames.length / 5).toFixed(1)} fps, p95 ${p95.toFixed(1)} ms, worst ${worst.toFixed(1)} ms`);
  assert.match(await caption(page), /^added shard-5/, 'the change happened while measuring');
  await page.screenshot({ path: join(OUT, 'ring.png') });
  assert.ok(frames.length > 100, 'the page kept rendering');
  assert.deepEqual(errors, []);
});
