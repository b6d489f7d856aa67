// End-to-end: the URL shortener as a person uses it: its presets, the
// estimator and its button, the inspector's live edits and an A/B of two
// ID strategies.
import { after, afterEach, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { OUT, closePages, frameTimes, launch, openPage, openPreset, serveDist } from './harness.mjs';

let server, browser;
before(async () => { server = await serveDist(); browser = await launch(); });
afterEach(closePages);
after(async () => { await browser?.close(); server?.close(); });

const number = async (page, testid) => Number((await page.getByTestId(testid).textContent()).replace(/[^\d.]/g, ''));

/** Opens a preset and runs it to `ms` of simulated time. */
async function open(page, preset, ms) {
  await openPreset(page, preset);
  await page.evaluate((ms) => window.scalelab.runUntil(ms), ms);
  await page.waitForFunction(() => document.querySelector('[data-testid=shortener]'));
}

test('every shortener preset opens, runs and tells its lesson in figures', async () => {
  const { page, errors } = await openPage(browser, `${server.url}?autoplay=0`);
  const seen = {};
  // The whole design: writes and redirects, no failures, cache hits.
  await open(page, 'shortener', 30000);
  seen.design = { writes: await number(page, 'sl-writes-ok'), hits: await number(page, 'sl-cache-hits'), failed: await number(page, 'sl-writes-failed') };
  assert.ok(seen.design.writes > 3000 && seen.design.hits > 10000 && seen.design.failed === 0, JSON.stringify(seen.design));
  const stories = await page.getByTestId('shortener-stories').locator('li').allTextContents();
  assert.ok(stories.some((s) => /POST url #\d+ → lease \d+…\d+ from the coordinator|POST url #\d+ → \d+ from the leased block → base62 → [0-9a-zA-Z]{7} → insert ✓/.test(s)), stories.join('\n'));
  assert.ok(stories.some((s) => /GET code of rank \d+ → cache (hit|miss → db → found) → 302/.test(s)), stories.join('\n'));
  assert.match(await page.getByTestId('sl-path').first().textContent(), /^users: writes \d+\/s, p50\/p95\/p99 \d+\/\d+\/\d+ ms · redirects [\d,]+\/s, p50\/p95\/p99 \d+\/\d+\/\d+ ms$/);
  assert.match(await page.getByTestId('sl-table').first().textContent(), /^db: 1,00\d,\d{3} rows \([\d,]+ inserted in this run\)/);
  assert.match(await page.getByTestId('sl-hit-ratio').textContent(), /^redirect cache hit ratio \d+\.\d%$/);
  await page.screenshot({ path: join(OUT, 'shortener.png'), fullPage: true });
  // Hashed codes: collisions and retries climb as the table fills.
  await open(page, 'shortener-hash-fills', 30000);
  const c30 = await number(page, 'sl-collisions');
  await page.evaluate(() => window.scalelab.runUntil(80000));
  const c80 = await number(page, 'sl-collisions');
  seen.hash = { c30, c80, retries: await number(page, 'sl-retries') };
  // Collisions grow with the square of the rows: 50 s more, many times more.
  assert.ok(c30 > 100 && c80 > 5 * c30 && seen.hash.retries > 0, JSON.stringify(seen.hash));
  // Snowflake, ranges, one counter: the counter's writes fail.
  await open(page, 'shortener-id-strategies', 20000);
  seen.strategies = { failed: await number(page, 'sl-writes-failed') };
  assert.ok(seen.strategies.failed > 100, JSON.stringify(seen.strategies));
  // The viral link: the cache takes it.
  await open(page, 'shortener-viral', 60000);
  seen.viral = { hits: await number(page, 'sl-cache-hits'), redirects: await number(page, 'sl-redirects') };
  assert.ok(seen.viral.hits > 0.6 * seen.viral.redirects, JSON.stringify(seen.viral));
  // Clock skew: app-2 refuses for 3 s.
  await open(page, 'shortener-clock-skew', 30000);
  seen.skew = { refused: await number(page, 'sl-clock') };
  assert.ok(seen.skew.refused > 2500 && seen.skew.refused < 3500, JSON.stringify(seen.skew));
  // The coordinator goes down at 25 s: writes go on ~5 s, then fail.
  await open(page, 'shortener-coordinator-down', 28000);
  const early = await number(page, 'sl-no-block');
  await page.evaluate(() => window.scalelab.runUntil(45000));
  seen.zk = { early, later: await number(page, 'sl-no-block') };
  assert.ok(early === 0 && seen.zk.later > 5000, JSON.stringify(seen.zk));
  console.log('shortener presets:', JSON.stringify(seen));
  assert.deepEqual(errors, []);
});

test('the estimator sizes the design and its button applies the estimate as live edits', async () => {
  const { page, errors } = await openPage(browser, `${server.url}?autoplay=0`);
  await open(page, 'shortener', 1000);
  // The design notes' defaults.
  assert.match(await page.getByTestId('est-writes').textContent(), /^115\.7 \/s \(peak 231\.5\)$/);
  assert.match(await page.getByTestId('est-redirects').textContent(), /^1,157 \/s \(peak 2,315\)$/);
  assert.match(await page.getByTestId('est-records').textContent(), /^365,000,000,000$/);
  assert.match(await page.getByTestId('est-length').textContent(), /^7 base62 characters/);
  // A silly value names its field and changes nothing.
  await page.getByTestId('est-years').fill('0');
  await page.waitForFunction(() => /Years kept/.test(document.querySelector('[data-testid=estimate-error]')?.textContent ?? ''));
  await page.getByTestId('estimate-apply').click();
  assert.ok(!JSON.stringify(await page.evaluate(() => window.scalelab.scenario())).includes('"params"'));
  // Shrink the cache by hand first, so the button is seen to size it.
  await page.getByTestId('node-cache').click();
  await page.getByTestId('edit-cache-capacity').fill('5000');
  await page.getByTestId('apply-cache-capacity').click();
  await page.waitForFunction(() => JSON.stringify(window.scalelab.scenario().faults).includes('"capacity":5000'));
  // Twice the URLs kept a year: twice the rates, 7.3 billion records, 6 characters.
  await page.getByTestId('est-years').fill('1');
  await page.getByTestId('est-urls').fill('20000000');
  await page.waitForFunction(() => /peak 463/.test(document.querySelector('[data-testid=est-writes]')?.textContent ?? ''));
  assert.match(await page.getByTestId('est-length').textContent(), /^6 base62 characters/);
  await page.getByTestId('estimate-apply').click();
  await page.waitForFunction(() => /^Applied: users: 463(\.0)? writes\/s, 4,630 redirects\/s/.test(document.querySelector('[data-testid=estimate-applied]').textContent));
  const faults = (await page.evaluate(() => window.scalelab.scenario())).faults;
  const users = faults.find((f) => f.set === 'users');
  assert.ok(Math.abs(users.params.writes_per_s - 462.96) < 0.01 && Math.abs(users.params.redirects_per_s - 4629.6) < 0.1, JSON.stringify(users));
  assert.deepEqual(faults.filter((f) => f.set === 'cache').map((f) => f.params.capacity), [5000, 20000]);
  assert.deepEqual(faults.find((f) => f.set === 'app-1').params, { pad_to: 6 });
  assert.match(await page.getByTestId('estimate-applied').textContent(), /cache: 20,000 entries \(the hottest 20% of the 100,000 codes/);
  // The fleet holds it: after 20 s more, no write failed.
  const t = await page.evaluate(() => window.scalelab.state().now_ms);
  await page.evaluate((t) => window.scalelab.runUntil(t + 20000), t);
  assert.equal(await number(page, 'sl-writes-failed'), 0);
  await page.getByTestId('node-users').click();
  // The inspector shows the rate as people read it (the exact 462.96 is in the timeline above).
  const rate = await number(page, 'inspector-fig-writes-s--set-');
  assert.equal(rate, 463, `users now ask ${rate} writes/s`);
  assert.deepEqual(errors, []);
});

test('the inspector switches an app server\'s strategy live, and bad values name the field', async () => {
  const { page, errors } = await openPage(browser, `${server.url}?autoplay=0`);
  await open(page, 'shortener-hash-fills', 5000);
  await page.getByTestId('node-app').click();
  assert.equal(await page.getByTestId('edit-strategy').inputValue(), 'hash');
  assert.equal(await page.getByTestId('edit-length').inputValue(), '3');
  await page.getByTestId('edit-length').selectOption('7');
  await page.waitForFunction(() => JSON.stringify(window.scalelab.scenario().faults).includes('"length":7'));
  // Another digest: recorded as the app's own `ids`.
  const digest = await page.getByTestId('edit-hash').inputValue();
  const other = (await page.getByTestId('edit-hash').locator('option').evaluateAll((os) => os.map((o) => o.value))).find((d) => d !== digest);
  await page.getByTestId('edit-hash').selectOption(other);
  await page.waitForFunction((d) => JSON.stringify(window.scalelab.scenario().faults).includes(`"hash":"${d}"`), other);
  await page.getByTestId('edit-strategy').selectOption('snowflake');
  await page.waitForFunction(() => document.querySelector('[data-testid=edit-clock-back]'));
  const before = await number(page, 'sl-writes-ok');
  await page.evaluate(() => window.scalelab.runUntil(8000));
  assert.ok(await number(page, 'sl-writes-ok') > before + 2000);
  const stories = await page.getByTestId('shortener-stories').locator('li').allTextContents();
  assert.ok(stories.some((s) => /POST url #\d+ → snowflake \d+ \(ms \d+, seq \d+\) → base62 → [0-9a-zA-Z]{11} → insert ✓/.test(s)), stories.join('\n'));
  // Its clock back 3 s: refusals; put right: none more.
  await page.getByTestId('edit-clock-back').click();
  await page.evaluate(() => window.scalelab.runUntil(9000));
  const refused = await number(page, 'sl-clock');
  assert.ok(refused > 500, `${refused} refused`);
  await page.getByTestId('edit-clock-fix').click();
  await page.waitForFunction(() => JSON.stringify(window.scalelab.scenario().faults).includes('"clock_skew_ms":0'));
  await page.evaluate(() => window.scalelab.runUntil(11000));
  assert.equal(await number(page, 'sl-clock'), refused, 'a clock put right refuses no more ids');
  // A range strategy needs a coordinator this scenario lacks: refused, said why.
  await page.getByTestId('edit-strategy').selectOption('range');
  await page.waitForFunction(() => /needs an id_coordinator/.test(document.querySelector('[data-testid=notice]')?.textContent ?? document.body.textContent));
  // The users' rates: hostile input is refused next to the field.
  await page.getByTestId('node-users').click();
  await page.getByTestId('edit-writes').fill('-5');
  await page.getByTestId('apply-users').click();
  await page.waitForFunction(() => /Writes per s/.test(document.querySelector('[data-testid=field-error]')?.textContent ?? ''));
  await page.getByTestId('edit-viral').selectOption('0.6');
  await page.waitForFunction(() => JSON.stringify(window.scalelab.scenario().faults).includes('"viral_share":0.6'));
  assert.deepEqual(errors, []);
});

test('point at a request\'s dot to read its story; a 301 keeps repeat visits in the browsers', async () => {
  const { page, errors } = await openPage(browser, `${server.url}?preset=shortener&autoplay=0`);
  await page.evaluate(() => window.scalelab.runUntil(10000));
  // Sweep the pointer along the users → balancer link, where answers fly
  // back to the users (paused: the dots hold still; the run is seeded).
  const centre = async (id) => { const b = await page.getByTestId(`node-${id}`).boundingBox(); return [b.x + b.width / 2, b.y + b.height / 2]; };
  const [[x0, y0], [x1, y1]] = [await centre('users'), await centre('lb')];
  let story = null;
  for (let k = 1; k < 80 && !story; k++) {
    await page.mouse.move(x0 + (x1 - x0) * k / 80, y0 + (y1 - y0) * k / 80);
    const tip = page.getByTestId('dot-story');
    if (await tip.count()) story = await tip.textContent();
  }
  assert.ok(story, 'some dot on the link told its story');
  assert.match(story, /^request \d+ · (POST url #\d+ → .* → insert ✓|GET code of rank \d+ → cache (hit|miss → db → found) → 302)$/);
  console.log('a dot\'s story:', story);
  await page.getByTestId('topology').screenshot({ path: join(OUT, 'shortener-dot-story.png') });
  await page.mouse.move(0, 0);
  assert.equal(await page.getByTestId('dot-story').count(), 0);
  // 301 on both servers: browsers start answering repeat visits themselves.
  assert.equal(await number(page, 'sl-browsers'), 0);
  for (const app of ['app-1', 'app-2']) {
    await page.getByTestId(`node-${app}`).click();
    await page.getByTestId('edit-redirect').selectOption('301');
  }
  await page.evaluate(() => window.scalelab.runUntil(60000));
  // 100,000 visitors over Zipf-popular codes: repeats of a (visitor, code)
  // pair are rare at first and grow with the run (about 1,000 in 120 s).
  const kept = await number(page, 'sl-browsers');
  console.log(`kept by browsers after 50 s of 301s: ${kept}`);
  assert.ok(kept > 50, `${kept}`);
  assert.deepEqual(errors, []);
});

test('an A/B of two ID strategies on identical traffic: hashed codes against a counter', async () => {
  const { page, errors } = await openPage(browser, `${server.url}?autoplay=0`);
  await openPreset(page, 'shortener-hash-fills');
  assert.match(await page.getByTestId('compare-select').locator('option:checked').textContent(), /app: hash ids → app: counter ids/);
  await page.evaluate(() => window.scalelab.runUntil(60000));
  const verdict = await page.getByTestId('verdict').textContent();
  const [, fa, fb, ca, cb] = verdict.match(/Writes failed: (\d+) with [^,]+, (\d+) with [^;]+; hash collisions: (\d+) and (\d+)/);
  assert.ok(Number(ca) > 1000 && Number(cb) === 0, verdict);
  // Hashed codes gave up on some writes after five salted retries; the counter on none.
  assert.ok(Number(fb) === 0 && Number(fa) > 0, verdict);
  console.log('A/B verdict:', verdict);
  // The same in an embed, dark, and narrow: screenshots to look at.
  await page.screenshot({ path: join(OUT, 'shortener-ab.png'), fullPage: true });
  assert.deepEqual(errors, []);
});

/// Relative luminance (WCAG) of a computed `rgb(r, g, b)` colour, 0 to 1.
function luminance(rgb) {
  const [r, g, b] = rgb.match(/\d+/g).slice(0, 3).map((c) => {
    const v = Number(c) / 255;
    return v <= 0.04045 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
  });
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

test('the whole design is dark, fits a narrow screen, embeds without the gallery, and keeps its frame rate', async () => {
  const { page, errors } = await openPage(browser, `${server.url}?preset=shortener`, { width: 420, height: 900 });
  await page.emulateMedia({ colorScheme: 'dark' });
  await page.evaluate(() => window.scalelab.runUntil(15000));
  await page.waitForFunction(() => document.querySelectorAll('[data-testid=shortener-stories] li').length > 3);
  // Dark: a dark page with light text (luminance under 0.05 and over 0.5).
  const [bg, fg] = await page.evaluate(() => [getComputedStyle(document.body).backgroundColor, getComputedStyle(document.body).color]);
  assert.ok(luminance(bg) < 0.05 && luminance(fg) > 0.5, `dark mode: background ${bg}, text ${fg}`);
  // Narrow: 420 px wide and nothing scrolls sideways.
  const [scroll, width] = await page.evaluate(() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]);
  assert.ok(scroll <= width, `the page is ${scroll} px wide in a ${width} px window`);
  await page.screenshot({ path: join(OUT, 'shortener-dark-narrow.png'), fullPage: true });
  // Embedded: the run and its panel, no gallery.
  const embed = await openPage(browser, `${server.url}?preset=shortener-viral&embed=1`);
  await embed.page.waitForFunction(() => document.querySelector('[data-testid=shortener]'));
  await embed.page.evaluate(() => window.scalelab.runUntil(30000));
  assert.ok(await embed.page.getByTestId('embed-view').isVisible());
  assert.equal(await embed.page.getByTestId('gallery').count(), 0, 'an embed shows no gallery');
  await embed.page.screenshot({ path: join(OUT, 'shortener-embed.png'), fullPage: true });
  // Frame rate: headless Chromium draws at 60 fps here (16.7 ms a frame);
  // on a shared 2-core machine a loose bound, 250 ms at the 95th
  // percentile (4 fps), still fails a frame that waits on the whole run.
  const wide = await openPage(browser, `${server.url}?preset=shortener-viral`);
  await wide.page.evaluate(() => window.scalelab.runUntil(25000));
  const { frames, p95 } = await frameTimes(wide.page, 3000);
  const fps = 1000 / (frames.reduce((a, b) => a + b, 0) / frames.length);
  console.log(`shortener-viral (5,050 requests/s) frame rate: ${fps.toFixed(1)} fps, p95 frame ${p95.toFixed(1)} ms`);
  assert.ok(p95 < 250, `p95 frame ${p95.toFixed(1)} ms`);
  assert.deepEqual([...errors, ...embed.errors, ...wide.errors], []);
});
