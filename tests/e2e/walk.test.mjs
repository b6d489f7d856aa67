// The seeded random UI walk: a seed picks actions among everything a person
// can do (actions.mjs, the one list), and after every action the app must
// still be well: no console error, `window.scalelab.summary()` answers, no
// "hit a bug" notice, and the clock advances while playing.
//
// A failure prints the seed and the last actions; the same seed replays the
// same actions:  WALK_SEEDS=7 WALK_ACTIONS=400 node --test tests/e2e/walk.test.mjs
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { launch, openPage, serveDist } from './harness.mjs';
import { ACTIONS, rng } from './actions.mjs';

const SEEDS = (process.env.WALK_SEEDS || '1,2,3,4').split(',').map(Number);
const N_ACTIONS = Number(process.env.WALK_ACTIONS || 500);

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
 * (one round trip for both). */
async function health(page) {
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

/** Picks an action among those whose panel is on show, by weight. */
function choose(shown, r) {
  const offered = ACTIONS.filter((_, k) => shown[k]);
  let x = r() * offered.reduce((s, a) => s + a.weight, 0);
  for (const a of offered) if ((x -= a.weight) < 0) return a;
  return offered.at(-1);
}

async function walk(seed) {
  const { page, errors } = await openPage(browser, `${server.url}?test-hooks=1`);
  try {
    const r = rng(seed);
    const log = [];
    const fail = (why) => {
      const last = log.slice(-15).map((l) => `  ${l}`).join('\n');
      assert.fail(`${why}\nseed ${seed}, after action ${log.length}; the last actions:\n${last}\n` +
        `replay: WALK_SEEDS=${seed} WALK_ACTIONS=${N_ACTIONS} node --test tests/e2e/walk.test.mjs`);
    };
    const started = Date.now();
    const used = new Map();
    let h = await health(page);
    for (let k = 0; k < N_ACTIONS; k++) {
      const action = choose(h.shown, r);
      let detail;
      try {
        detail = await action.run(page, r);
      } catch (e) {
        log.push(`${k}: ${action.name} → threw`);
        fail(`action "${action.name}" failed: ${e.message.split('\n')[0]}`);
      }
      log.push(`${k}: ${action.name}${detail ? ` (${detail})` : ''}`);
      used.set(action.name, (used.get(action.name) || 0) + 1);
      reached.add(action.name);
      h = await health(page);
      if (errors.length) fail(`console error: ${errors.join(' | ')}`);
      if (h.problem) fail(h.problem);
    }
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
