// Links and navigation as a person uses them: `?preset=` opens a preset as
// the gallery does (its A/B comparison included), a link pasted into a tab
// that already shows Scale Lab opens there, Back and Forward move between
// scenarios, an unknown id says so, a link made while paused opens paused,
// choosing a preset brings the simulation into view, Embed copies its
// snippet, and keyboard users reach Play in two keys with every control
// named.
import { after, afterEach, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { ROOT, closePages, launch, openPage, openPreset, serveDist } from './harness.mjs';

const PRESETS = JSON.parse(execFileSync(join(ROOT, 'target/debug/scalelab'), ['presets', '--json'], { encoding: 'utf8' }));
const AB = PRESETS.filter((p) => p.compare);

let server, browser;
before(async () => { server = await serveDist(); browser = await launch(); });
afterEach(closePages);
after(async () => { await browser?.close(); server?.close(); });

const state = (page) => page.evaluate(() => window.scalelab.state());
const atPreset = (page, id) => page.waitForFunction((id) => window.scalelab?.state().preset === id, id);

test('a preset opens with its A/B comparison from the gallery, from ?preset= and in an embed', async () => {
  assert.ok(AB.length >= 6, `presets with a comparison: ${AB.map((p) => p.id)}`);
  const { page, errors } = await openPage(browser, server.url);
  for (const p of AB) {
    await openPreset(page, p.id);
    const fromGallery = (await state(page)).compare;
    assert.deepEqual(fromGallery, { at_s: 0, ...p.compare.b }, `${p.id}: the gallery opens its variant B`);
    for (const query of [`?preset=${p.id}`, `?embed=1&preset=${p.id}`]) {
      const other = await browser.newPage();
      await other.goto(server.url + query);
      await atPreset(other, p.id);
      assert.deepEqual((await state(other)).compare, fromGallery, `${p.id}: ${query} opens the same comparison`);
      if (!query.includes('embed')) {
        const chosen = await other.getByTestId('compare-select').evaluate((s) => s.options[s.selectedIndex].text);
        assert.notEqual(chosen, 'off', `${p.id}: the Compare panel shows it`);
      }
      await other.close();
    }
  }
  assert.deepEqual(errors, []);
});

test('a link pasted into a tab that shows Scale Lab opens there, at its moment', async () => {
  // Two links to the same page that differ only after #: pasting the second
  // into the tab showing the first changes no more than the fragment, so the
  // browser does not reload and the app itself must open it.
  const maker = (await openPage(browser, server.url)).page;
  await openPreset(maker, 'cache-aside');
  await maker.evaluate(() => window.scalelab.runUntil(4000));
  const second = await maker.evaluate(() => window.scalelab.link());
  await openPreset(maker, 'load-balancing');
  const first = await maker.evaluate(() => window.scalelab.link());
  const { page, errors } = await openPage(browser, first);
  await atPreset(page, 'load-balancing');
  await page.evaluate(() => { window.sameDocument = true; });
  await page.goto(second);
  await page.waitForFunction(() => window.scalelab.state().preset === 'cache-aside' && !window.scalelab.state().seeking);
  const s = await state(page);
  assert.ok(await page.evaluate(() => window.sameDocument), 'the page was not reloaded');
  assert.ok(Math.abs(s.now_ms - 4000) < 50, `opened at its moment: ${s.now_ms} ms`);
  assert.equal(s.playing, false, 'made while paused (runUntil pauses): opens paused');
  assert.deepEqual(errors, []);
});

test('the address follows the preset: Back and Forward move between scenarios', async () => {
  const { page, errors } = await openPage(browser, server.url);
  await openPreset(page, 'cache-aside');
  assert.match(page.url(), /\?preset=cache-aside$/);
  await openPreset(page, 'kafka-keys');
  assert.match(page.url(), /\?preset=kafka-keys$/);
  await page.goBack();
  await atPreset(page, 'cache-aside');
  assert.match(page.url(), /\?preset=cache-aside$/);
  await page.goBack();
  await atPreset(page, 'queueing-basics');
  await page.goForward();
  await atPreset(page, 'cache-aside');
  await page.goForward();
  await atPreset(page, 'kafka-keys');
  // Options of the page stay; a preset chosen again adds no entry.
  const before = await page.evaluate(() => history.length);
  await page.getByTestId('preset-kafka-keys').click();
  assert.equal(await page.evaluate(() => history.length), before);
  assert.deepEqual(errors, []);
});

test('an unknown ?preset= says so and suggests the nearest ids', async () => {
  const { page, errors } = await openPage(browser, `${server.url}?preset=kafak-keys`);
  const notice = await page.getByTestId('notice').textContent();
  assert.match(notice, /No scenario is called `kafak-keys`/);
  assert.match(notice, /`kafka-keys`/, 'the nearest id first');
  assert.equal((await state(page)).preset, 'queueing-basics', 'the default opens');
  assert.deepEqual(errors, []);
});

test('a link opens as it was made: paused at its moment, or playing', async () => {
  const { page, errors } = await openPage(browser, server.url);
  await openPreset(page, 'load-balancing');
  await page.waitForFunction(() => window.scalelab.state().now_ms > 1500);
  await page.getByTestId('play').click();
  const paused = await page.evaluate(() => window.scalelab.link());
  const at = (await state(page)).now_ms;
  await page.getByTestId('play').click();
  const playing = await page.evaluate(() => window.scalelab.link());
  for (const [link, want] of [[paused, false], [playing, true]]) {
    const { page: other } = await openPage(browser, link);
    await other.waitForFunction(() => !window.scalelab.state().seeking);
    const s = await state(other);
    assert.equal(s.playing, want, `a link made while ${want ? 'playing' : 'paused'}`);
    if (!want) assert.ok(Math.abs(s.now_ms - at) < 50, `at its moment: ${s.now_ms} vs ${at} ms`);
  }
  assert.deepEqual(errors, []);
});

test('choosing a preset brings the simulation into view, on a desktop and on a phone', async () => {
  for (const viewport of [{ width: 1280, height: 800 }, { width: 390, height: 844 }]) {
    const { page, errors } = await openPage(browser, server.url, viewport);
    // On a desktop the simulation is beside the gallery: choose from far down
    // the list. On a phone it is under the gallery: choose from its top.
    const phone = viewport.width < 500;
    const last = (phone ? PRESETS[1] : PRESETS.at(-1)).id;
    if (phone) await page.getByTestId('gallery-toggle').click();
    await page.getByTestId(`preset-${last}`).scrollIntoViewIfNeeded();
    assert.ok(await page.evaluate(() => {
      const r = document.querySelector('main.stage').getBoundingClientRect();
      return r.bottom < 0 || r.top > innerHeight;
    }), `${viewport.width} px: the simulation is out of view before`);
    await openPreset(page, last);
    await page.waitForFunction(() => {
      const top = document.querySelector('main.stage').getBoundingClientRect().top;
      return top >= 0 && top < innerHeight * 0.4;
    });
    if (phone) {
      assert.equal(await page.getByTestId('gallery-toggle').getAttribute('aria-expanded'), 'false', 'the phone gallery closes again');
      const tall = await page.getByTestId('gallery').evaluate((g) => g.getBoundingClientRect().height);
      assert.ok(tall < 120, `the phone gallery is compact: ${tall} px`);
    }
    assert.deepEqual(errors, []);
  }
});

test('Embed and Copy link put what they say on the clipboard, and say so', async () => {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: server.url.replace(/\/$/, '') });
  const page = await context.newPage();
  await page.goto(server.url);
  await page.waitForFunction(() => window.scalelab !== undefined);
  await page.getByTestId('embed').click();
  await page.waitForFunction(() => document.querySelector('[data-testid=embed-snippet]'));
  const snippet = await page.getByTestId('embed-snippet').inputValue();
  assert.match(snippet, /^<iframe src="http:\/\/127\.0\.0\.1:\d+\/\?embed=1#v1\./);
  assert.equal(await page.evaluate(() => navigator.clipboard.readText()), snippet);
  assert.match(await page.getByTestId('copied').textContent(), /Embed snippet copied/);
  await page.getByTestId('copy-link').click();
  await page.waitForFunction(() => /Link copied/.test(document.querySelector('[data-testid=copied]').textContent));
  assert.equal(await page.evaluate(() => navigator.clipboard.readText()), await page.getByTestId('link').inputValue());
  await context.close();
});

test('keyboard users reach Play in two keys, and every control has a name', async () => {
  const { page, errors } = await openPage(browser, server.url);
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement.dataset.testid), 'skip-link');
  await page.keyboard.press('Enter');
  assert.equal(await page.evaluate(() => document.activeElement.dataset.testid), 'play');
  const playing = (await state(page)).playing;
  await page.keyboard.press('Enter');
  assert.equal((await state(page)).playing, !playing, 'Enter on Play toggles playback');
  // Every control, in every family's panel and with the inspector open, has an accessible name.
  for (const id of ['queueing-basics', 'cache-aside', 'kafka-keys', 'rabbitmq-exchanges', 'hash-vs-modulo', 'shortener', 'chat-modes']) {
    await openPreset(page, id);
    const node = (await state(page)).nodes[1];
    await page.getByTestId(`node-${node}`).click();
    const snapshot = await page.locator('body').ariaSnapshot();
    const unnamed = snapshot.split('\n').filter((l) => /^\s*- (button|combobox|slider|textbox|link|spinbutton|checkbox)\s*(\[[^\]]*\])?\s*(:.*)?$/.test(l));
    assert.deepEqual(unnamed, [], `${id}: controls without a name`);
  }
  assert.deepEqual(errors, []);
});
