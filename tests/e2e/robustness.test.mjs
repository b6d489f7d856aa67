// A way back when something breaks, and number fields that refuse nonsense.
import { after, afterEach, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { OUT, closePages, launch, openPage, openPreset, serveDist } from './harness.mjs';

let server, browser;
before(async () => { server = await serveDist(); browser = await launch(); });
afterEach(closePages);
after(async () => { await browser?.close(); server?.close(); });

test('a panic shows the "hit a bug" notice, whose reload brings the scenario back as it was', async () => {
  // ?t= and ?speed= must not follow into the reload (they would override the
  // moment the link keeps); ?autoplay=0 does (and lets the test read the clock).
  const { page, errors } = await openPage(browser, `${server.url}?test-hooks=1&autoplay=0&t=1s&speed=3`);
  await page.getByTestId('preset-load-balancing').click();
  await page.getByTestId('node-lb').dispatchEvent('click');
  await page.getByTestId('edit-algorithm').selectOption('random');
  await page.evaluate(() => { window.scalelab.pause(); window.scalelab.runUntil(12_000); });
  const before = await page.evaluate(() => ({ scenario: window.scalelab.scenario(), state: window.scalelab.state() }));
  // The hook panics inside the wasm; the call itself throws in JavaScript.
  const threw = await page.evaluate(() => {
    try { window.scalelab.panicForTest('a deliberate panic for the test'); return false; } catch { return true; }
  });
  assert.ok(threw, 'the panic reaches JavaScript');
  const notice = page.getByTestId('crash');
  await notice.waitFor();
  assert.match(await notice.textContent(), /Scale Lab hit a bug/);
  await page.waitForFunction(() => document.querySelector('.crash')?.dataset.link);
  const report = await page.getByTestId('crash-report').inputValue();
  assert.match(report, /panic: [\s\S]*a deliberate panic for the test/);
  assert.match(report, /link: http:\/\/127\.0\.0\.1:\d+\/\?test-hooks=1&autoplay=0#v1\./);
  assert.ok(errors.some((e) => e.includes('a deliberate panic for the test')), 'the panic is in the console too');
  const shot = join(OUT, 'crash.png');
  await page.screenshot({ path: shot });
  console.log(`screenshot: ${shot}`);
  // One click: the same scenario, live edit included, at the same moment.
  errors.length = 0;
  await page.getByTestId('crash-reload').click();
  await page.waitForFunction(() => window.scalelab !== undefined && !window.scalelab.state().seeking && window.scalelab.state().now_ms > 0);
  const after = await page.evaluate(() => ({ scenario: window.scalelab.scenario(), state: window.scalelab.state() }));
  assert.ok(Math.abs(after.state.now_ms - 12_000) < 1, `the reload opens at the moment of the panic (${after.state.now_ms} ms)`);
  assert.deepEqual(after.scenario, before.scenario, 'the reloaded scenario is the one that was running');
  assert.equal(after.state.preset, 'load-balancing');
  assert.equal(await page.getByTestId('crash').count(), 0, 'no notice after the reload');
  assert.deepEqual(errors, []);
});

test('without ?test-hooks=1 there is no way to panic on purpose', async () => {
  const { page } = await openPage(browser, server.url);
  assert.equal(await page.evaluate(() => typeof window.scalelab.panicForTest), 'undefined');
});

test('number fields refuse hostile values next to the field and change nothing', async () => {
  const { page, errors } = await openPage(browser, `${server.url}?autoplay=0`);
  await page.getByTestId('preset-load-balancing').click();
  const inspectorError = page.locator('[data-testid=inspector] [data-testid=field-error]');
  const faults = () => page.evaluate(() => (window.scalelab.scenario().faults || []).length);
  const n = await faults();
  // A server: workers and service time.
  await page.getByTestId('node-app-1').dispatchEvent('click');
  // Each refusal is a fresh one: the line names the value just typed.
  // (A number field gives '' for what is not a finite number, as a browser does.)
  const says = (v) => (v !== '' && Number.isFinite(Number(v)) ? `got ${Number(v)}` : 'type a number');
  const refused = (text) => page.waitForFunction(
    (text) => (document.querySelector('[data-testid=inspector] [data-testid=field-error]')?.textContent ?? '').includes(text), text);
  const hostile = ['0', '-1', '1e12', '', '2.5', '99999999999999999999'];
  for (const w of hostile) {
    await page.getByTestId('edit-workers').fill(w);
    await page.getByTestId('apply-server').click();
    await refused(says(w));
    assert.match(await inspectorError.textContent(), /[Ww]orkers/, `workers ${JSON.stringify(w)} is refused with a word on workers`);
    assert.equal(await faults(), n, `workers ${JSON.stringify(w)} changes nothing`);
  }
  await page.getByTestId('edit-workers').fill('4');
  for (const m of ['0', '-3', '1e999', '']) {
    await page.getByTestId('edit-service-mean').fill(m);
    await page.getByTestId('apply-server').click();
    await refused(says(m));
    assert.match(await inspectorError.textContent(), /service time|mean_ms/i);
    assert.equal(await faults(), n, `service time ${JSON.stringify(m)} changes nothing`);
  }
  // A valid value is applied and clears the error.
  await page.getByTestId('edit-service-mean').fill('12');
  await page.getByTestId('apply-server').click();
  await page.waitForFunction(() => !document.querySelector('[data-testid=field-error]'));
  assert.equal(await faults(), n + 1, 'a valid edit is recorded');
  // A client: the arrival rate.
  await page.getByTestId('node-users').dispatchEvent('click');
  for (const r of ['0', '-5', '1e12', '']) {
    await page.getByTestId('edit-rate').fill(r);
    await page.getByTestId('apply-rate').click();
    await refused(says(r));
    assert.match(await inspectorError.textContent(), /rate/i);
    assert.equal(await faults(), n + 1, `rate ${JSON.stringify(r)} changes nothing`);
  }
  // The seed.
  const seed = await page.evaluate(() => window.scalelab.scenario().seed);
  for (const s of ['-1', 'abc', '1.5', '99999999999999999999999']) {
    await page.getByTestId('seed').fill(s);
    await page.getByTestId('seed').press('Enter');
    await page.locator('form.seed [data-testid=field-error]').waitFor();
    assert.equal(await page.evaluate(() => window.scalelab.scenario().seed), seed, `seed ${JSON.stringify(s)} changes nothing`);
  }
  assert.deepEqual(errors, []);
});

test("one scenario's state does not outlive it: the copied link, compare offers, the chosen shard", async () => {
  const { page, errors } = await openPage(browser, `${server.url}?autoplay=0`);
  // A link copied for one scenario is not left on show for the next.
  await page.getByTestId('preset-load-balancing').click();
  await page.getByTestId('copy-link').click();
  await page.getByTestId('link').waitFor();
  await page.getByTestId('preset-queueing-basics').click();
  await page.waitForFunction(() => !document.querySelector('[data-testid=link]'));
  // Compare offers follow live edits: after 8 → 16 workers the offer is 16 → 32.
  await page.getByTestId('node-pool').dispatchEvent('click');
  await page.getByTestId('edit-workers').fill('16');
  await page.getByTestId('apply-server').click();
  await page.waitForFunction(() => [...document.querySelectorAll('[data-testid=compare-select] option')].some((o) => o.textContent.startsWith('pool: 16 workers')));
  const offers = await page.$$eval('[data-testid=compare-select] option', (os) => os.map((o) => o.textContent));
  assert.ok(!offers.some((o) => o.startsWith('pool: 8 workers')), `no offer starts from the old 8 workers: ${offers}`);
  // A shard chosen in one store is not the one the next store's buttons act on.
  await openPreset(page, 'add-shard');
  await page.getByTestId('node-store').dispatchEvent('click');
  await page.getByTestId('edit-shard').selectOption('3');
  await openPreset(page, 'hash-vs-modulo');
  await page.getByTestId('node-store').dispatchEvent('click');
  await page.getByTestId('fail-shard').click();
  const failed = await page.evaluate(() => window.scalelab.scenario().faults.filter((f) => f.fail === 'store').map((f) => f.shard));
  assert.deepEqual(failed.slice(-1), [0], 'the first shard, not the one chosen in the last scenario');
  assert.deepEqual(errors, []);
});

test('a reset restarts the preset\'s own file: live edits go, whether it opened from the gallery or from a link', async () => {
  const { page, errors } = await openPage(browser, `${server.url}?autoplay=0`);
  await page.getByTestId('preset-load-balancing').click();
  const scenario = () => page.evaluate(() => window.scalelab.scenario());
  const file = await scenario();
  const edit = async (p) => {
    await p.getByTestId('node-lb').dispatchEvent('click');
    await p.getByTestId('edit-algorithm').selectOption('random');
    await p.waitForFunction((n) => (window.scalelab.scenario().faults || []).length === n + 1, (file.faults || []).length);
  };
  await edit(page);
  await page.keyboard.press('r');
  assert.deepEqual(await scenario(), file, 'a reset from the gallery drops the live edit');
  // A link that names the preset and carries a live edit: its reset is the
  // preset's file too, and the page stays on that preset.
  await edit(page);
  const link = await page.evaluate(() => window.scalelab.link());
  const { page: again, errors: errors2 } = await openPage(browser, link.replace('#', '?autoplay=0#'));
  assert.notDeepEqual(await again.evaluate(() => window.scalelab.scenario()), file, 'the link carries the edit');
  await again.keyboard.press('r');
  assert.deepEqual(await again.evaluate(() => window.scalelab.scenario()), file, 'a reset from a link drops it too');
  assert.equal((await again.evaluate(() => window.scalelab.state())).preset, 'load-balancing');
  // A scenario of one's own (loaded through the API) restarts as it stands.
  await again.evaluate((s) => window.scalelab.load({ ...s, name: 'mine' }), file);
  await edit(again);
  const mine = await again.evaluate(() => window.scalelab.scenario());
  await again.keyboard.press('r');
  assert.deepEqual(await again.evaluate(() => window.scalelab.scenario()), mine, 'no preset: the reset keeps the edit');
  assert.deepEqual([...errors, ...errors2], []);
});

test('a link to a chunk family\'s preset with a live edit resets to the preset\'s file, fetched with its code', async () => {
  const { page, errors } = await openPage(browser, `${server.url}?autoplay=0&preset=shortener`);
  await page.waitForFunction(() => window.scalelab.state().preset === 'shortener');
  const scenario = (p) => p.evaluate(() => window.scalelab.scenario());
  const file = await scenario(page);
  // A live edit: the table's workers.
  await page.getByTestId('node-db').dispatchEvent('click');
  await page.getByTestId('edit-workers').fill('3');
  await page.getByTestId('apply-server').click();
  await page.waitForFunction((n) => (window.scalelab.scenario().faults || []).length === n + 1, (file.faults || []).length);
  const link = await page.evaluate(() => window.scalelab.link());
  // A fresh page: the link's preset file comes with the family's chunk.
  const { page: again, errors: errors2 } = await openPage(browser, link.replace('#', '?autoplay=0#'));
  assert.equal((await again.evaluate(() => window.scalelab.state())).preset, 'shortener');
  assert.notDeepEqual(await scenario(again), file, 'the link carries the edit');
  await again.keyboard.press('r');
  assert.deepEqual(await scenario(again), file, 'the reset restarts the preset\'s own file');
  assert.deepEqual([...errors, ...errors2], []);
});
