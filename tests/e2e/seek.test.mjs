// Going back in time (issue 14): one hour at 10,000 requests/s, checkpoints
// taken as the run goes, seeks back restored from the nearest one. Checks
// that a seek back gives exactly the straight run's summary and that it
// was served by a checkpoint; prints the seek times (measured, not asserted:
// timings belong to benchmarks, not to tests that flake).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, launch, openPage, serveDist } from './harness.mjs';

const HOUR = readFileSync(join(ROOT, 'tests/e2e/hour-at-10k.json'), 'utf8');
let server, browser, page;
before(async () => {
  server = await serveDist();
  browser = await launch();
  ({ page } = await openPage(browser, `${server.url}?autoplay=0`));
  await page.waitForFunction(() => window.scalelab);
});
after(async () => { await browser?.close(); server?.close(); });

/** runUntil(ms) timed in the page; returns {wall_ms, state, summary}. */
async function runUntil(ms) {
  return page.evaluate((ms) => {
    const t0 = performance.now();
    window.scalelab.runUntil(ms);
    const wall_ms = performance.now() - t0;
    return { wall_ms, state: window.scalelab.state(), summary: window.scalelab.summary() };
  }, ms);
}

test('seeking back 9 minutes in a 10-minute run and from the end of an hour restores a checkpoint', async () => {
  // The straight runs to compare with.
  await page.evaluate((t) => window.scalelab.load(t), HOUR);
  const straight540 = (await runUntil(540_000)).summary;

  await page.evaluate((t) => window.scalelab.load(t), HOUR);
  const to600 = await runUntil(600_000);
  const cps = to600.state.checkpoints;
  assert.ok(cps.count > 10, `checkpoints were taken on the way: ${JSON.stringify(cps)}`);
  const back540 = await runUntil(540_000);
  assert.equal(back540.state.now_ms, 540_000);
  assert.deepEqual(back540.summary, straight540, 'a seek back gives the straight run');
  // Served from a checkpoint: the replay started after 500 s, not at 0.
  const from = back540.state.checkpoints.restored_from_ms;
  assert.ok(from > 500_000 && from <= 540_000, `restored from ${from} ms`);

  const to3600 = await runUntil(3_600_000);
  const end = to3600.state.checkpoints;
  const seeks = [];
  // Each a seek back from a later time: from the end, then further back.
  for (const t of [3_599_000, 3_000_000, 1_800_000, 540_000, 61_000]) {
    const r = await runUntil(t);
    assert.equal(r.state.now_ms, t);
    if (t === 540_000) assert.deepEqual(r.summary, straight540, 'a seek back from the end gives the straight run');
    const from = r.state.checkpoints.restored_from_ms;
    assert.ok(from > 0 && from <= t, `the seek to ${t} ms restored the checkpoint at ${from} ms`);
    seeks.push(`${t / 1000} s: ${r.wall_ms.toFixed(0)} ms`);
  }
  // Forward again from 61 s to near the end: a later checkpoint, not a replay of the hour.
  const ahead = await runUntil(3_590_000);
  assert.ok(ahead.state.checkpoints.restored_from_ms > 3_500_000, `went on from ${ahead.state.checkpoints.restored_from_ms} ms`);
  seeks.push(`forward from 61 s to 3590 s: ${ahead.wall_ms.toFixed(0)} ms`);
  console.log(
    `seek (Chromium): ran to 600 s in ${(to600.wall_ms / 1000).toFixed(1)} s; back to 540 s in ${back540.wall_ms.toFixed(0)} ms` +
      ` from the checkpoint at ${(from / 1000).toFixed(1)} s (${cps.count} checkpoints, ${(cps.bytes / 1e6).toFixed(1)} MB)`,
  );
  console.log(
    `seek (Chromium): ran on to 3600 s in ${(to3600.wall_ms / 1000).toFixed(1)} s; from the end back to ${seeks.join(', ')}` +
      ` (${end.count} checkpoints every ${end.every_events} events, ${(end.bytes / 1e6).toFixed(1)} MB)`,
  );
});
