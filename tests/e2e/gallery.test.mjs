// The gallery walk: in one page, switch between every ordered pair of
// presets of the same family and every ordered pair of families, with a
// little playback between, and check after each switch that the page shows
// the new scenario and nothing of the old one.
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

/** The switches the gallery walk must make, as "i>j" (preset indices):
 * every ordered pair of presets of the same family (a family's panel and
 * state carried from one of its scenarios to the next), and every ordered
 * pair of families once, from and to their presets in turn (one panel torn
 * down for another). Σ f² + F² switches, not P²: 166 for 31 presets in 6
 * families where every ordered pair of presets was 930 (348 s of the
 * end-to-end run, and quadratic in the presets still to come). */
export function requiredSwitches(families) {
  const members = new Map();
  families.forEach((f, i) => members.set(f, [...(members.get(f) || []), i]));
  const edges = [];
  for (const ps of members.values()) for (const i of ps) for (const j of ps) if (i !== j) edges.push(`${i}>${j}`);
  const names = [...members.keys()];
  const turn = new Map(names.map((f) => [f, { out: 0, in: 0 }]));
  for (const a of names) {
    for (const b of names) {
      if (a === b) continue;
      const from = members.get(a)[turn.get(a).out++ % members.get(a).length];
      const to = members.get(b)[turn.get(b).in++ % members.get(b).length];
      edges.push(`${from}>${to}`);
    }
  }
  return edges;
}

/** A walk from `start` that takes every required switch: at each preset an
 * untaken switch out of it (towards the preset with the most untaken
 * switches left, so the walk seldom strands one), else a jump to a preset
 * that still has one. Deterministic. */
export function coveringWalk(edges, start = 0) {
  const out = new Map();
  for (const e of edges) {
    const [i, j] = e.split('>').map(Number);
    out.set(i, [...(out.get(i) || []), j]);
  }
  const left = (v) => (out.get(v) || []).length;
  const walk = [start];
  let todo = edges.length;
  let u = start;
  while (todo > 0) {
    const outs = out.get(u) || [];
    let v;
    if (outs.length) {
      v = outs.reduce((best, w) => (left(w) > left(best) ? w : best));
      outs.splice(outs.indexOf(v), 1);
      todo--;
    } else {
      v = [...out.keys()].find((k) => left(k) > 0);
    }
    walk.push(v);
    u = v;
  }
  return walk;
}

test('the walk takes every required switch, never stays put, and seldom jumps', () => {
  const families = PRESETS.map((p) => p.family);
  for (const fams of [['a', 'a'], ['a', 'b'], ['a', 'a', 'b', 'c', 'c', 'c'], families]) {
    const edges = requiredSwitches(fams);
    const walk = coveringWalk(edges);
    const taken = new Set(walk.slice(1).map((j, k) => `${walk[k]}>${j}`));
    assert.deepEqual(edges.filter((e) => !taken.has(e)), [], `${fams}: every required switch is taken`);
    assert.ok(walk.slice(1).every((j, k) => j !== walk[k]), 'no step stays on the same preset');
    assert.ok(walk.length - 1 <= edges.length * 1.1 + 2, `${fams}: ${walk.length - 1} switches for ${edges.length} required`);
    // Every family pair, both ways; every preset entered and left.
    const famPairs = new Set(walk.slice(1).map((j, k) => `${fams[walk[k]]}>${fams[j]}`));
    const names = new Set(fams);
    for (const a of names) {
      for (const b of names) {
        const possible = a !== b || fams.filter((f) => f === a).length > 1;
        assert.ok(!possible || famPairs.has(`${a}>${b}`), `${fams}: a switch ${a} → ${b}`);
      }
    }
    for (let i = 0; i < fams.length; i++) assert.ok(walk.slice(1).includes(i) && walk.slice(0, -1).includes(i), `${fams}: preset ${i} entered and left`);
  }
  const edges = requiredSwitches(families);
  console.log(`gallery walk: ${coveringWalk(edges).length - 1} switches for ${edges.length} required, over ${PRESETS.length} presets in ${new Set(families).size} families`);
});

test('switching between the presets of a family and between families shows each new scenario whole', async () => {
  const { page, errors } = await openPage(browser, server.url);
  const walk = coveringWalk(requiredSwitches(PRESETS.map((p) => p.family)));
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
