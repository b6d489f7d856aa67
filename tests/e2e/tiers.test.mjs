// End-to-end: tiers that call each other (app servers, a cache, a
// database) as a person uses them.
import { after, afterEach, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { OUT, closePages, launch, openPage, openPreset, serveDist } from './harness.mjs';

let server, browser;
before(async () => { server = await serveDist(); browser = await launch(); });
afterEach(closePages);
after(async () => { await browser?.close(); server?.close(); });

const number = async (page, testid) => Number((await page.getByTestId(testid).textContent()).replace(/[^\d.]/g, ''));

test('cache-aside: the tiers go left to right, the cache shows its hit ratio, the charts show it and each tier', async () => {
  const { page, errors } = await openPage(browser, server.url);
  await openPreset(page, 'cache-aside');
  await page.evaluate(() => window.scalelab.runUntil(20000));
  // Layered left to right: users, balancer, app servers, then cache and database.
  const x = async (id) => (await page.getByTestId(`node-${id}`).boundingBox()).x;
  const [users, lb, app, cache, db] = await Promise.all(['users', 'lb', 'app-1', 'cache', 'db'].map(x));
  assert.ok(users < lb && lb < app && app < cache && app < db, `${users} ${lb} ${app} ${cache} ${db}`);
  await page.getByTestId('node-cache').click();
  const ratio = await number(page, 'inspector-fig-hit-ratio--');
  assert.ok(ratio > 50 && ratio < 80, `hit ratio ${ratio}%`);
  assert.equal(await number(page, 'inspector-fig-entries'), 1000);
  await page.getByTestId('node-app-1').click();
  assert.ok(await page.getByTestId('inspector-fig-waiting-on-calls').isVisible());
  assert.equal(await page.getByTestId('edit-hold-worker').inputValue(), 'held');
  await page.waitForFunction(() => (document.querySelector('[data-testid=utilisation-chart]')?.dataset.lines ?? '').includes('cache hit ratio'));
  const latency = await page.getByTestId('latency-chart').getAttribute('data-lines');
  for (const tier of ['app-1 p99', 'cache p99', 'db p99']) assert.ok(latency.includes(tier), latency);
  await page.screenshot({ path: join(OUT, 'tiers.png'), fullPage: true });
  assert.deepEqual(errors, []);
});

test('a slow database: opens as held vs freed workers, and freeing them live stops the drops and the p99 falls', async () => {
  const { page, errors } = await openPage(browser, `${server.url}?autoplay=0`);
  await openPreset(page, 'slow-database');
  assert.match(await page.getByTestId('compare-select').locator('option:checked').textContent(), /app: workers held during calls → app: workers freed during calls/);
  const dropped = () => page.evaluate(() => window.scalelab.summary().nodes.app.dropped);
  // The inspector's p99 is the latest one-second window's, once drawn.
  const p99 = async () => {
    await page.waitForFunction(() => window.scalelab.screenshotReady());
    return number(page, 'inspector-p99');
  };
  // The database slows at 20 s: held workers wait on it until the app's
  // pool is used up and its queue of 200 overflows.
  await page.evaluate(() => window.scalelab.runUntil(25000));
  const at25 = await dropped();
  await page.evaluate(() => window.scalelab.runUntil(30000));
  await page.getByTestId('node-app').click();
  const heldP99 = await p99();
  const at30 = await dropped();
  assert.ok(at30 > at25 + 500, `held workers: drops grow (${at25} at 25 s, ${at30} at 30 s)`);
  assert.ok(heldP99 > 1000, `held workers: the app's p99 is seconds (${heldP99} ms)`);
  await page.getByTestId('edit-hold-worker').selectOption('freed');
  await page.waitForFunction(() => JSON.stringify(window.scalelab.scenario()).includes('"hold_worker":false'));
  // Freed: the workers held when the edit came finish their calls (the
  // slowest within the 3 s call timeout), then no request waits for a
  // worker: the drops stop and the app's p99 is its cache hits' again.
  await page.evaluate(() => window.scalelab.runUntil(35000));
  const at35 = await dropped();
  await page.evaluate(() => window.scalelab.runUntil(45000));
  assert.equal(await dropped(), at35, 'no drops from 35 s to 45 s with freed workers');
  const freedP99 = await p99();
  assert.ok(freedP99 < 50, `freed workers: the app's p99 falls (${heldP99} ms held, ${freedP99} ms freed)`);
  assert.deepEqual(errors, []);
});

test('killing the cache sends every read to the database', async () => {
  const { page, errors } = await openPage(browser, server.url);
  await openPreset(page, 'cache-aside');
  await page.evaluate(() => window.scalelab.runUntil(10000));
  await page.getByTestId('node-db').click();
  const before = await number(page, 'inspector-fig-reads');
  await page.getByTestId('node-cache').click();
  await page.getByTestId('fail').click();
  await page.evaluate(() => window.scalelab.runUntil(15000));
  await page.getByTestId('node-db').click();
  const after = await number(page, 'inspector-fig-reads');
  // About 5 s of 1,425 reads/s, all misses now (less what the queue still holds).
  assert.ok(after - before > 6000, `${before} → ${after}`);
  assert.deepEqual(errors, []);
});

test('cutting a server off the network: CUT OFF, its messages lost until health checks take it out, back when reconnected, and a link replays it', async () => {
  const { page, errors } = await openPage(browser, `${server.url}?autoplay=0`);
  await page.getByTestId('preset-load-balancing').click();
  const summary = () => page.evaluate(() => window.scalelab.summary());
  await page.evaluate(() => window.scalelab.runUntil(10000));
  assert.equal((await summary()).lost, undefined, 'nothing lost before a cut (the summary leaves it out)');
  await page.getByTestId('node-app-3').click();
  await page.getByTestId('partition').click();
  await page.waitForFunction(() => window.scalelab.scenario().faults.some((f) => f.partition?.[0] === 'app-3'));
  await page.getByTestId('heal').waitFor();
  await page.evaluate(() => window.scalelab.runUntil(12000));
  assert.match(await page.getByTestId('node-app-3').textContent(), /CUT OFF/);
  assert.equal(await page.getByTestId('inspector-state').textContent(), 'cut off');
  assert.ok(await page.locator('.legend .dot.lost').isVisible(), 'the legend names lost messages');
  // Two health checks 0.5 s apart miss: by 11.1 s app-3 is out of rotation,
  // and nothing more is lost.
  const lost = (await summary()).lost;
  assert.ok(lost > 0, `lost ${lost}`);
  await page.evaluate(() => window.scalelab.runUntil(16000));
  assert.equal((await summary()).lost, lost, 'nothing lost once the balancer stopped sending to app-3');
  const served = (await summary()).nodes['app-3'].completed;
  await page.getByTestId('heal').click();
  await page.waitForFunction(() => window.scalelab.scenario().faults.some((f) => f.heal?.[0] === 'app-3'));
  await page.evaluate(() => window.scalelab.runUntil(20000));
  assert.doesNotMatch(await page.getByTestId('node-app-3').textContent(), /CUT OFF/);
  assert.equal(await page.getByTestId('inspector-state').textContent(), 'up');
  assert.ok((await summary()).nodes['app-3'].completed > served + 1000, 'back in rotation after two good checks');
  await page.screenshot({ path: join(OUT, 'partition.png'), fullPage: true });
  const before = await summary();
  const link = await page.evaluate(() => window.scalelab.link());
  const { page: again, errors: errors2 } = await openPage(browser, link.replace('#', '?autoplay=0#'));
  await again.evaluate(() => window.scalelab.runUntil(20000));
  assert.deepEqual(await again.evaluate(() => window.scalelab.summary()), before);
  assert.deepEqual([...errors, ...errors2], []);
});
