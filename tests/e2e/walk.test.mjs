// The seeded random UI walk: a seed picks actions among everything a person
// can do (actions.mjs, the one list), and after every action the app must
// still be well: no console error, `window.scalelab.summary()` answers, no
// "hit a bug" notice, and the clock advances while playing.
//
// A failure prints the seed and the last actions. Every walk writes its log
// (each action's name and its own seed) to target/e2e/walk-<seed>.json.
// Two ways to go again:
//   WALK_SEEDS=7 WALK_ACTIONS=400 node --test tests/e2e/walk.test.mjs
//     the same seed: the same choices, as long as the same panels are on
//     show at each step (playback runs in real time, so they may not be);
//   WALK_REPLAY=target/e2e/walk-7.json node --test tests/e2e/walk.test.mjs
//     exactly the logged actions with exactly the logged values, whatever
//     is on show (an action whose panel is missing then fails, and says so).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { OUT, launch, openPage, serveDist } from './harness.mjs';
import { ACTIONS, memory, rng } from './actions.mjs';

const REPLAY = process.env.WALK_REPLAY ? JSON.parse(readFileSync(process.env.WALK_REPLAY, 'utf8')) : null;
const SEEDS = REPLAY ? [REPLAY.seed] : (process.env.WALK_SEEDS || '1,2,3,4').split(',').map(Number);
const N_ACTIONS = REPLAY ? REPLAY.steps.length : Number(process.env.WALK_ACTIONS || 500);

let server, browser;
/** Action kinds reached by any seed of this run. */
const reached = new Set();
before(async () => { server = await serveDist(); browser = await launch(); });
after(async () => {
  await browser?.close();
  server?.close();
  const missed = ACTIONS.map((a) => a.name).filter((n) => !reached.has(n));
  console.log(`random UI walk: ${SEEDS.length} seeds × ${N_ACTIONS} actions; ${ACTIONS.length - missed.length} of ${ACTIONS.length} kinds reached` +
    (missed.length ? ` (never: ${missed.join(', ')})` : ''));
});

/** The app's health after an action (the API answers, and, if playing, the
 * clock moves within a few frames), and which actions' panels are on show
 * (one round trip for both, once any chunk has loaded).
 *
 * While a family's chunk loads (the "Loading the code of …" banner), the old
 * scene and its panels stay on show and then vanish when the chunk arrives:
 * an action picked from them would race the swap (a select gone between
 * counting its options and choosing one). So the panels are read once the
 * banner has gone; a banner still there after 10 s is a problem. A seek
 * (the time cursor, a link's moment) is the same: the inspector's buttons
 * follow the node's state at the moment sought (a failure undone shows
 * Fail, not Recover), so they are read once it has arrived. */
async function health(page) {
  const loaded = await page.getByTestId('loading').waitFor({ state: 'detached', timeout: 10000 }).then(() => true, () => false);
  if (!loaded) return { problem: 'the "Loading the code of …" banner stayed for 10 s', shown: ACTIONS.map(() => false) };
  const sought = await page.waitForFunction(() => !window.scalelab?.state().seeking, null, { timeout: 10000 }).then(() => true, () => false);
  if (!sought) return { problem: 'a seek did not arrive in 10 s', shown: ACTIONS.map(() => false) };
  const needs = ACTIONS.map((a) => a.needs || null);
  return page.evaluate((needs) => new Promise((resolve) => {
    const shown = needs.map((sel) => {
      if (!sel) return true;
      const el = document.querySelector(sel);
      return !!el && el.getClientRects().length > 0;
    });
    const done = (h) => resolve({ ...h, shown });
    if (document.querySelector('[data-testid=crash]')) return done({ problem: 'the "hit a bug" notice is showing' });
    let before;
    try {
      window.scalelab.summary();
      before = window.scalelab.state();
    } catch (e) {
      return done({ problem: `window.scalelab does not answer: ${e}` });
    }
    let frames = 0;
    const frame = () => {
      const now = window.scalelab.state();
      const moving = before.playing && now.playing && !before.finished && !now.finished
        && !before.seeking && !now.seeking && now.scene === before.scene;
      if (!moving || now.now_ms > before.now_ms) return done({ before, now });
      if (++frames < 6) return requestAnimationFrame(frame);
      done({ problem: `playing, but the clock stayed at ${now.now_ms} ms for ${frames} frames`, before, now });
    };
    requestAnimationFrame(frame);
  }), needs);
}

/** Picks an action among those whose panel is on show, by weight; one this
 * walk has not done yet weighs 8 times more (coverage-guided, like the
 * options' `memory`: a panel that shows only after the right preset and
 * option, as the shortener's clock buttons, gets its turn while it shows). */
function choose(shown, used, r) {
  const offered = ACTIONS.filter((_, k) => shown[k]);
  const weight = (a) => a.weight * (used.has(a.name) ? 1 : 8);
  let x = r() * offered.reduce((s, a) => s + weight(a), 0);
  for (const a of offered) if ((x -= weight(a)) < 0) return a;
  return offered.at(-1);
}

async function walk(seed) {
  const { page, errors } = await openPage(browser, `${server.url}?test-hooks=1`);
  try {
    const r = rng(seed);
    const mem = memory();
    const log = [];
    // What a replay needs: each action's name and the seed of its own draws.
    const steps = [];
    const file = join(OUT, `walk-${seed}.json`);
    const save = () => writeFileSync(file, JSON.stringify({ seed, steps }, null, 1));
    const fail = (why) => {
      const last = log.slice(-15).map((l) => `  ${l}`).join('\n');
      save();
      assert.fail(`${why}\nseed ${seed}, after action ${log.length}; the last actions:\n${last}\n` +
        `again: WALK_SEEDS=${seed} WALK_ACTIONS=${N_ACTIONS} node --test tests/e2e/walk.test.mjs\n` +
        `exactly: WALK_REPLAY=${file} node --test tests/e2e/walk.test.mjs`);
    };
    const started = Date.now();
    const used = new Map();
    let h = await health(page);
    for (let k = 0; k < N_ACTIONS; k++) {
      const action = REPLAY ? ACTIONS.find((a) => a.name === REPLAY.steps[k].name) : choose(h.shown, used, r);
      if (!action) fail(`the log names an action this list does not have: "${REPLAY.steps[k].name}"`);
      // Each action draws its values from its own seed, so a replay of the
      // log repeats them exactly.
      const own = REPLAY ? REPLAY.steps[k].seed : Math.floor(r() * 2 ** 32);
      steps.push({ name: action.name, seed: own });
      let detail;
      try {
        detail = await action.run(page, rng(own), mem);
      } catch (e) {
        log.push(`${k}: ${action.name} → threw`);
        // Playwright's call log says why a click did not land (what intercepted it).
        const why = e.message.split('\n').filter((l) => l.trim()).slice(0, 12).join('\n    ');
        fail(`action "${action.name}" failed: ${why}`);
      }
      log.push(`${k}: ${action.name}${detail ? ` (${detail})` : ''}`);
      used.set(action.name, (used.get(action.name) || 0) + 1);
      reached.add(action.name);
      h = await health(page);
      if (errors.length) fail(`console error: ${errors.join(' | ')}`);
      if (h.problem) fail(h.problem);
    }
    save();
    const s = ((Date.now() - started) / 1000).toFixed(1);
    const unused = ACTIONS.map((a) => a.name).filter((n) => !used.has(n));
    console.log(`seed ${seed}: ${N_ACTIONS} actions in ${s} s, ${used.size} of ${ACTIONS.length} kinds used` +
      (unused.length ? ` (not reached: ${unused.join(', ')})` : ''));
  } finally {
    await page.close();
  }
}

// Two walks at a time: each mostly waits on its own page's main thread.
describe('random UI walk', { concurrency: 2 }, () => {
  for (const seed of SEEDS) test(`seed ${seed}, ${N_ACTIONS} actions`, () => walk(seed));
});
