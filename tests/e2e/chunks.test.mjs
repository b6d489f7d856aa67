// End-to-end: a family in a chunk of its own (the URL shortener) keeps its
// code and its presets' files out of the first load (only its gallery
// cards and its registry entry stay): the code is fetched when a scenario of it first opens, by the
// gallery, by `?preset=`, by a share link or by the API, and a newer choice
// made while it loads wins. A chunk the network does not deliver leaves a
// notice that says so (not the crash notice), and asking again fetches it.
// The inspector's code is a chunk too: fetched in the background a few
// seconds after the page opens, or by a first click on a node.
import { after, afterEach, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, closePages, launch, openPage, openPreset, serveDist } from './harness.mjs';

let server, browser;
before(async () => { server = await serveDist(); browser = await launch(); });
afterEach(closePages);
after(async () => { await browser?.close(); server?.close(); });

const CHUNK = /\/split_family_shortener\.wasm$/;
/** A preset's file: the release build fetches a chunk family's (its text
 * is not in the first load) from the package's content-hashed folder. */
const FILE = /^\/pkg-\w+\/presets\/[\w-]+\.json$/;
const files = (requests) => requests.filter((r) => FILE.test(r)).map((r) => r.replace(/^\/pkg-\w+/, ''));

/** Opens preset `id` (the network back), and checks that it runs and
 * that no notice is left. */
/** `run` on a fresh 1280×800 page, with the page errors it collects; the
 * page's context is closed afterwards, whatever happens. */
async function withPage(run) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  try {
    const page = await context.newPage();
    const errors = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    return await run(page, errors);
  } finally {
    await context.close();
  }
}

async function opensAndRuns(page, id) {
  await openPreset(page, id);
  assert.equal(await page.getByTestId('notice').count(), 0);
  await page.evaluate(() => window.scalelab.runUntil(5000));
  assert.ok((await page.evaluate(() => window.scalelab.summary())).completed > 0);
}

/** A page that lists every URL it requests. */
async function recorded(url) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  const requests = [];
  const errors = [];
  page.on('request', (r) => requests.push(new URL(r.url()).pathname));
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.goto(url);
  await page.waitForFunction(() => window.scalelab !== undefined);
  return { page, requests, errors, close: () => context.close() };
}

test('the default scenario loads no family chunk; the first shortener preset fetches it once', async () => {
  const { page, requests, errors, close } = await recorded(`${server.url}?autoplay=0`);
  try {
    assert.ok(requests.some((r) => /\/pkg-\w+\/scale-lab-web_bg\.wasm$/.test(r)), requests.join('\n'));
    assert.deepEqual(requests.filter((r) => CHUNK.test(r)), [], 'no chunk before a shortener scenario opens');
    assert.deepEqual(files(requests), [], 'no preset file: the default scenario is in the page');
    assert.equal(await page.locator('[data-testid=shortener]').count(), 0);
    await openPreset(page, 'shortener');
    await page.getByTestId('shortener').waitFor();
    assert.equal(requests.filter((r) => CHUNK.test(r)).length, 1, requests.join('\n'));
    assert.deepEqual(files(requests), ['/presets/shortener.json'], 'its file, fetched with its code');
    // The family's code runs: its nodes, its panel, its inspector editor.
    await page.evaluate(() => window.scalelab.runUntil(5000));
    await page.getByTestId('node-app-1').click();
    assert.equal(await page.getByTestId('edit-strategy').inputValue(), 'range');
    // Another of its presets, and back to the web tier and again: one fetch in all.
    await openPreset(page, 'shortener-viral');
    await openPreset(page, 'load-balancing');
    await openPreset(page, 'shortener-clock-skew');
    await openPreset(page, 'shortener-viral');
    assert.equal(requests.filter((r) => CHUNK.test(r)).length, 1);
    assert.deepEqual(files(requests),
      ['/presets/shortener.json', '/presets/shortener-viral.json', '/presets/shortener-clock-skew.json'],
      'each file once; a web tier preset is in the page');
    assert.deepEqual(errors, []);
  } finally {
    await close();
  }
});

test('?preset=, a share link and the API open a shortener scenario on a fresh page', async () => {
  // ?preset=: the chunk loads before the app mounts.
  const direct = await recorded(`${server.url}?preset=shortener-viral&autoplay=0`);
  let link;
  try {
    await direct.page.getByTestId('shortener').waitFor();
    assert.equal(direct.requests.filter((r) => CHUNK.test(r)).length, 1);
    await direct.page.evaluate(() => window.scalelab.runUntil(20000));
    link = await direct.page.evaluate(() => window.scalelab.link());
    assert.deepEqual(direct.errors, []);
  } finally {
    await direct.close();
  }
  // A share link (no ?preset=): the scenario in the fragment says which chunk.
  const shared = await recorded(link.replace(/\?[^#]*/, ''));
  try {
    await shared.page.getByTestId('shortener').waitFor();
    // The link opens at its time cursor: a seek over several frames.
    await shared.page.waitForFunction(() => { const s = window.scalelab.state(); return !s.seeking && s.now_ms >= 19999; });
    const state = await shared.page.evaluate(() => window.scalelab.state());
    assert.equal(state.preset, 'shortener-viral');
    assert.ok(state.now_ms >= 19999, JSON.stringify(state));
    assert.deepEqual(shared.errors, []);
  } finally {
    await shared.close();
  }
  // The API: load() hands back a promise while the chunk is fetched; bad
  // input in a chunk's kind rejects it with the field named.
  const json = readFileSync(join(ROOT, 'public/presets/shortener-clock-skew.json'), 'utf8');
  const bad = JSON.parse(json);
  bad.nodes.find((n) => n.kind === 'url_app').workers = 0;
  const rejected = await recorded(`${server.url}?autoplay=0`);
  try {
    const out = await rejected.page.evaluate(async (t) => {
      const pending = window.scalelab.load(t);
      try { await pending; return { wasPromise: pending instanceof Promise, thrown: null }; } catch (e) { return { wasPromise: pending instanceof Promise, thrown: String(e) }; }
    }, JSON.stringify(bad));
    assert.equal(out.wasPromise, true);
    assert.match(out.thrown ?? '', /nodes\[\d+\]\.workers/);
    assert.equal(rejected.requests.filter((r) => CHUNK.test(r)).length, 1);
    assert.deepEqual(rejected.errors, []);
  } finally {
    await rejected.close();
  }
  const api = await recorded(`${server.url}?autoplay=0`);
  try {
    const out = await api.page.evaluate(async (t) => {
      const pending = window.scalelab.load(t);
      const wasPromise = pending instanceof Promise;
      await pending;
      window.scalelab.runUntil(10000);
      return { wasPromise, summary: window.scalelab.summary() };
    }, json);
    assert.equal(out.wasPromise, true);
    assert.ok(out.summary.completed > 0, JSON.stringify(out.summary).slice(0, 300));
    assert.equal(api.requests.filter((r) => CHUNK.test(r)).length, 1);
    assert.deepEqual(api.errors, []);
  } finally {
    await api.close();
  }
});

test('a newer choice made while a chunk loads wins: the late chunk opens nothing', async () => {
  const lb = readFileSync(join(ROOT, 'public/presets/load-balancing.json'), 'utf8');
  const shortener = readFileSync(join(ROOT, 'public/presets/shortener.json'), 'utf8');
  // The gallery: a shortener preset, then at once a web-tier one.
  const { page, requests, errors, close } = await recorded(`${server.url}?autoplay=0`);
  try {
    const fetched = page.waitForResponse((r) => CHUNK.test(new URL(r.url()).pathname));
    await page.evaluate(() => {
      document.querySelector('[data-testid=preset-shortener]').click();
      document.querySelector('[data-testid=preset-load-balancing]').click();
    });
    await fetched;
    // The chunk is in; its late open runs as soon as it is instantiated:
    // give it two frames, then the web tier must still be on show.
    const after = await page.evaluate(async () => {
      await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
      const s = window.scalelab.state();
      return { preset: s.preset, nodes: s.nodes };
    });
    assert.equal(after.preset, 'load-balancing');
    assert.deepEqual(after.nodes, JSON.parse(lb).nodes.map((n) => n.id));
    assert.equal(requests.filter((r) => CHUNK.test(r)).length, 1);
    assert.deepEqual(errors, []);
  } finally {
    await close();
  }
  // The API's own race, on a fresh page: a load not awaited before
  // another loses to it, and its promise says so.
  const api = await recorded(`${server.url}?autoplay=0`);
  try {
    const out = await api.page.evaluate(async ([lb, sl]) => {
      const pending = window.scalelab.load(sl);
      window.scalelab.load(lb);
      let thrown = null;
      try { await pending; } catch (e) { thrown = String(e); }
      return { wasPromise: pending instanceof Promise, thrown, nodes: window.scalelab.state().nodes };
    }, [lb, shortener]);
    assert.equal(out.wasPromise, true);
    assert.match(out.thrown ?? '', /superseded/);
    assert.deepEqual(out.nodes, JSON.parse(lb).nodes.map((n) => n.id));
    assert.deepEqual(api.errors, []);
  } finally {
    await api.close();
  }
});

test('a chunk that does not load leaves a notice, not a crash; asking again loads it', async () => {
  const shortener = readFileSync(join(ROOT, 'public/presets/shortener.json'), 'utf8');
  const FAILED = /Could not load the code of the URL shortener family/;
  await withPage(async (page, errors) => {
    const block = (route) => route.abort('internetdisconnected');
    await page.route(CHUNK, block);
    // ?preset= on a page that cannot fetch the chunk: the default scenario,
    // paused, and a notice that says so and offers a reload.
    await page.goto(`${server.url}?preset=shortener`);
    await page.waitForFunction(() => window.scalelab !== undefined);
    assert.match(await page.getByTestId('notice').innerText(), FAILED);
    assert.match(await page.getByTestId('notice').innerText(), /opened the default scenario instead/);
    assert.equal(await page.getByTestId('notice-reload').count(), 1);
    const first = await page.evaluate(() => window.scalelab.state());
    assert.equal(first.preset, 'queueing-basics', 'the default scenario');
    assert.equal(first.playing, false, 'the stand-in does not play unasked');
    // The notice can be dismissed; then the gallery: a notice of its own
    // (no reload offered: clicking again retries), the scene unchanged, the app alive.
    await page.getByTestId('notice-dismiss').click();
    assert.equal(await page.getByTestId('notice').count(), 0);
    await page.evaluate(() => window.scalelab.runUntil(2000));
    await page.getByTestId('preset-shortener').click();
    await page.getByTestId('notice').waitFor();
    assert.match(await page.getByTestId('notice').innerText(), FAILED);
    assert.match(await page.getByTestId('notice').innerText(), /click the preset again/);
    assert.equal(await page.getByTestId('notice-reload').count(), 0);
    assert.equal(await page.getByTestId('loading').count(), 0, 'the wait is over');
    const after = await page.evaluate(() => window.scalelab.state());
    assert.equal(after.preset, 'queueing-basics');
    assert.equal(after.scene, first.scene);
    assert.equal(await page.getByTestId('crash').count(), 0);
    // The API's promise rejects with the same words.
    const thrown = await page.evaluate(async (t) => {
      try { await window.scalelab.load(t); return null; } catch (e) { return String(e); }
    }, shortener);
    assert.match(thrown ?? '', FAILED);
    assert.match(thrown ?? '', /load\(\) again/);
    // Back online: the same click fetches the chunk and opens the preset.
    await page.unroute(CHUNK, block);
    await opensAndRuns(page, 'shortener');
    await page.getByTestId('shortener').waitFor();
    assert.deepEqual(errors, []);
  });
});

test('a preset file that does not arrive leaves its family\'s notice, not a crash; asking again fetches it', async () => {
  await withPage(async (page, errors) => {
    const MODES = /\/pkg-\w+\/presets\/chat-modes\.json$/;
    let asked = 0;
    const block = (route) => { asked += 1; return route.abort('internetdisconnected'); };
    await page.route(MODES, block);
    await page.goto(`${server.url}?autoplay=0`);
    await page.waitForFunction(() => window.scalelab !== undefined);
    const scene = (await page.evaluate(() => window.scalelab.state())).scene;
    await page.getByTestId('preset-chat-modes').click();
    await page.getByTestId('notice').waitFor();
    assert.match(await page.getByTestId('notice').innerText(), /Could not load the code of the Chat family/);
    assert.match(await page.getByTestId('notice').innerText(), /click the preset again/);
    assert.equal(asked, 1);
    const after = await page.evaluate(() => window.scalelab.state());
    assert.equal(after.preset, 'queueing-basics', 'the scene stays as it was');
    assert.equal(after.scene, scene);
    assert.equal(await page.getByTestId('crash').count(), 0);
    // A host that answers a missing file with a page (status 200): not a
    // scenario, so the same notice, not a crash.
    await page.unroute(MODES, block);
    const page200 = (route) => { asked += 1; return route.fulfill({ status: 200, contentType: 'text/html', body: '<!doctype html><p>Not here</p>' }); };
    await page.route(MODES, page200);
    await page.getByTestId('notice-dismiss').click();
    await page.getByTestId('preset-chat-modes').click();
    await page.getByTestId('notice').waitFor();
    assert.match(await page.getByTestId('notice').innerText(), /Could not load the code of the Chat family/);
    assert.equal(asked, 2);
    assert.equal((await page.evaluate(() => window.scalelab.state())).scene, scene);
    assert.equal(await page.getByTestId('crash').count(), 0);
    // Back online: the same click fetches the file (and the chunk) and opens it.
    await page.unroute(MODES, page200);
    await opensAndRuns(page, 'chat-modes');
    assert.deepEqual(errors, []);
  });
});

test('a chunk family preset\'s file and its code are fetched together, not one after the other', async () => {
  await withPage(async (page, errors) => {
    let release;
    const gate = new Promise((r) => { release = r; });
    await page.route(/\/pkg-\w+\/presets\/chat-modes\.json$/, async (route) => { await gate; await route.continue(); });
    await page.goto(`${server.url}?autoplay=0`);
    await page.waitForFunction(() => window.scalelab !== undefined);
    const chunkAsked = page.waitForRequest((r) => /\/split_family_chat\.wasm$/.test(new URL(r.url()).pathname), { timeout: 5000 });
    await page.getByTestId('preset-chat-modes').click();
    await chunkAsked; // while the file is still held back
    release();
    await page.waitForFunction(() => window.scalelab.state().preset === 'chat-modes');
    assert.deepEqual(errors, []);
  });
});

test('a newer choice made while a chunk is still on its way clears the wait, and its late failure says nothing', async () => {
  await withPage(async (page) => {
    let release;
    const gate = new Promise((r) => { release = r; });
    let asked = 0;
    await page.route(CHUNK, async (route) => { asked += 1; await gate; await route.abort('internetdisconnected'); });
    await page.goto(`${server.url}?autoplay=0`);
    await page.waitForFunction(() => window.scalelab !== undefined);
    await page.getByTestId('preset-shortener').click();
    // The line names the preset's family at once, then every family its
    // file needs once the file is in (a shortener's cache is storage's).
    await page.waitForFunction(() => /Loading the code of the URL shortener and Storage families/
      .test(document.querySelector('[data-testid=loading]')?.textContent ?? ''));
    // A new seed while the chunk is on its way: the newer choice wins.
    await page.getByTestId('new-seed').click();
    assert.equal(await page.getByTestId('loading').count(), 0, 'the wait is cleared');
    // The failure arrives for a choice nobody is waiting for any more: it
    // shows nothing. The loader logs the failed fetch, then hands it to the
    // app's task, which runs before the next frames.
    const logged = page.waitForEvent('console', (m) => m.type() === 'error');
    release();
    await logged;
    await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
    assert.equal(asked, 1);
    assert.equal(await page.getByTestId('notice').count(), 0);
    assert.equal(await page.getByTestId('loading').count(), 0);
    assert.equal((await page.evaluate(() => window.scalelab.state())).preset, 'queueing-basics');
  });
});

const INSPECTOR = /\/split_ui_inspector\.wasm$/;

test("the inspector's code is a chunk: a click that cannot fetch it says so, and the next click loads it", async () => {
  await withPage(async (page) => {
    let block = true;
    let asked = 0;
    await page.route(INSPECTOR, (route) => { asked += 1; return block ? route.abort('internetdisconnected') : route.continue(); });
    await page.goto(`${server.url}?autoplay=0`);
    await page.waitForFunction(() => window.scalelab !== undefined);
    await page.getByTestId('node-pool').dispatchEvent('click');
    await page.getByTestId('notice').waitFor();
    assert.match(await page.getByTestId('notice').innerText(), /Could not load the inspector's code: the network request failed/);
    assert.equal(await page.getByTestId('inspector-title').count(), 0, 'the inspector closed');
    assert.equal(await page.getByTestId('crash').count(), 0, 'not the crash notice');
    // The network is back: the next click fetches the code and shows the node.
    block = false;
    await page.getByTestId('node-pool').dispatchEvent('click');
    await page.getByTestId('inspector-title').waitFor();
    assert.equal(await page.getByTestId('inspector-title').textContent(), 'pool');
    assert.ok(asked >= 2, `fetched again after the failure (${asked} requests)`);
    await page.getByTestId('edit-workers').waitFor();
  });
});

test("a page left alone fetches the inspector's code in the background, once, so a first click finds it", async () => {
  const { page, requests, errors, close } = await recorded(`${server.url}?autoplay=0`);
  try {
    assert.equal(requests.filter((r) => INSPECTOR.test(r)).length, 0, 'not in the first load');
    await page.waitForRequest(INSPECTOR, { timeout: 20000 });
    await page.getByTestId('node-pool').dispatchEvent('click');
    await page.getByTestId('inspector-title').waitFor();
    await page.getByTestId('node-users').dispatchEvent('click');
    await page.getByTestId('edit-rate').waitFor();
    assert.equal(requests.filter((r) => INSPECTOR.test(r)).length, 1, requests.join('\n'));
    assert.deepEqual(errors, []);
  } finally {
    await close();
  }
});
