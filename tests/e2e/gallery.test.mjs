// The gallery walk: in one page, switch between every ordered pair of
// presets (an Eulerian circuit of the complete directed graph), with a little
// playback between, and check after each switch that the page shows the new
// scenario and nothing of the old one.
import { after, afterEach, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { ROOT, closePages, launch, openPage, serveDist } from './harness.mjs';

let server, browser;
before(async () => { server = await serveDist(); browser = await launch(); });
afterEach(closePages);
after(async () => { await browser?.close(); server?.close(); });

/** The presets, from the native CLI (an independent reading of the registry). */
const PRESETS = JSON.parse(execFileSync(join(ROOT, 'target/debug/scalelab'), ['presets', '--json'], { encoding: 'utf8' }));

/** Every node a scenario can show: its nodes and the servers its timeline adds. */
const nodeIds = (s) => [...s.nodes.map((n) => n.id), ...(s.faults || []).filter((f) => f.add_server).map((f) => f.add_server)].sort();

/** A walk 0 → … → 0 that takes every ordered pair (i, j), i ≠ j, once (Hierholzer). */
export function everyOrderedPair(n) {
  const next = Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => j).filter((j) => j !== i).reverse());
  const stack = [0], walk = [];
  while (stack.length) {
    const v = stack.at(-1);
    if (next[v].length) stack.push(next[v].pop());
    else walk.push(stack.pop());
  }
  return walk.reverse();
}

test('the circuit takes every ordered pair exactly once', () => {
  for (const n of [2, 3, 5, PRESETS.length]) {
    const walk = everyOrderedPair(n);
    const pairs = new Set(walk.slice(1).map((j, k) => `${walk[k]}>${j}`));
    assert.equal(walk.length, n * (n - 1) + 1);
    assert.equal(pairs.size, n * (n - 1));
    assert.ok(walk.slice(1).every((j, k) => j !== walk[k]), 'no step stays on the same preset');
  }
});

test('switching between every ordered pair of presets shows each new scenario whole', async () => {
  const { page, errors } = await openPage(browser, server.url);
  const walk = everyOrderedPair(PRESETS.length);
  const allIds = new Set(PRESETS.flatMap((p) => nodeIds(p.scenario)));
  const started = Date.now();
  // The page opens on the first preset: open it again to start the walk from a click.
  for (let k = 0; k < walk.length; k++) {
    const p = PRESETS[walk[k]];
    const before = await page.evaluate(() => window.scalelab.state());
    const at = `step ${k}: ${before.preset} → ${p.id}`;
    const want = nodeIds(p.scenario);
    await page.getByTestId(`preset-${p.id}`).click();
    // The title and the diagram change to the new scenario (read from the
    // DOM alone, so that a broken page fails here with its console errors).
    const shown = await page.waitForFunction(([title, want]) => {
      const ids = [...document.querySelectorAll('[data-testid=topology] g.node')].map((e) => e.dataset.id).sort();
      return document.querySelector('[data-testid=scenario-title]').textContent === title && ids.join() === want.join();
    }, [p.title, want], { timeout: 5000 }).then(() => true, () => false);
    assert.deepEqual(errors, [], `${at}: no console error`);
    const seen = await page.$$eval('[data-testid=topology] g.node', (els) => els.map((e) => e.dataset.id).sort());
    assert.ok(shown, `${at}: the diagram shows exactly the new scenario's nodes: want ${want}, see ${seen}`);
    // A little playback on the new scenario.
    await page.waitForFunction(([id, scene]) => {
      const s = window.scalelab.state();
      return s.preset === id && s.scene !== scene && s.now_ms > 0;
    }, [p.id, before.scene]);
    const state = await page.evaluate(() => window.scalelab.state());
    assert.equal(await page.getByTestId('topology').getAttribute('data-scene'), String(state.scene), `${at}: the diagram is the current scene`);
    // The charts redraw for the new scenario: no line names a node it does not have.
    await page.waitForFunction(() => window.scalelab.screenshotReady());
    const lines = await page.$$eval('canvas.chart', (cs) => cs.flatMap((c) => (c.dataset.lines || '').split('|')));
    const foreign = lines.filter((l) => [...allIds].some((id) => !want.includes(id) && l.split(' ')[0] === id));
    assert.deepEqual(foreign, [], `${at}: chart lines of another scenario's nodes`);
    // The figures are this run's: simulated time within what has run
    // (shown to 2 decimals).
    const simTime = parseFloat(await page.getByTestId('sim-time').textContent());
    const now = (await page.evaluate(() => window.scalelab.state())).now_ms / 1000;
    assert.ok(simTime <= now + 0.005, `${at}: the figures show ${simTime} s, the clock says ${now} s`);
    // Playback runs: the clock moves on.
    await page.waitForFunction((t) => window.scalelab.state().now_ms > t, state.now_ms);
  }
  console.log(`gallery walk: ${walk.length - 1} switches over ${PRESETS.length} presets in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  assert.deepEqual(errors, []);
});
