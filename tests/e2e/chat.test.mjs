// End-to-end: chat over WebSockets as a person uses it: its presets and
// their lessons in figures, the modes on identical traffic (A/B), a
// gateway that dies, the estimator and its button, the inspector's live
// edits, and how it looks (light, dark, narrow, embedded) and runs.
import { after, afterEach, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { OUT, closePages, launch, openPage, openPreset, playingFrameRate, serveDist } from './harness.mjs';

let server, browser;
before(async () => { server = await serveDist(); browser = await launch(); });
afterEach(closePages);
after(async () => { await browser?.close(); server?.close(); });

const number = async (page, testid) => Number((await page.getByTestId(testid).textContent()).replace(/[^\d.]/g, ''));

/** Opens a preset and runs it to `ms` of simulated time. */
async function open(page, preset, ms) {
  await openPreset(page, preset);
  await page.evaluate((ms) => window.scalelab.runUntil(ms), ms);
  await page.waitForFunction(() => document.querySelector('[data-testid=chat]'));
}

test('every chat preset opens, runs and tells its lesson in figures', async () => {
  const { page, errors } = await openPage(browser, `${server.url}?autoplay=0`);
  const seen = {};
  // Polling every 5 s: most polls are empty; delivery waits half an interval.
  await open(page, 'chat-modes', 120000);
  seen.polling = { empty: await number(page, 'chat-empty'), p50: await number(page, 'chat-p50'), perMessage: await number(page, 'chat-requests-per'), bytes: await number(page, 'chat-bytes') };
  assert.ok(seen.polling.empty > 80 && seen.polling.p50 > 1500 && seen.polling.p50 < 3500 && seen.polling.perMessage > 20, JSON.stringify(seen.polling));
  assert.match(await page.locator('[data-testid=chat] h3').textContent(), /Chat · short polling/);
  await page.screenshot({ path: join(OUT, 'chat-modes.png'), fullPage: true });
  // A group of 1,000: each message delivered 999 times.
  await open(page, 'chat-group', 20000);
  seen.group = { delivered: await number(page, 'chat-delivered'), p99: await number(page, 'chat-p99') };
  assert.ok(seen.group.delivered > 100000, JSON.stringify(seen.group));
  // A gateway dies at 30 s: its phones lose their sockets and reconnect.
  await open(page, 'chat-gateway-dies', 45000);
  seen.storm = { lost: await number(page, 'chat-lost'), refused: await number(page, 'chat-refused') };
  assert.ok(seen.storm.lost > 1000, JSON.stringify(seen.storm));
  assert.match((await page.getByTestId('chat-server').allTextContents()).join('\n'), /gw-2 \(down\): 0 sockets/);
  const stories = await page.getByTestId('chat-stories').locator('li').allTextContents();
  assert.ok(stories.some((s) => /^user \d+ → (user|group) \d+ → ✓ stored \d+ ms( → on user \d+'s phone \d+ ms)?/.test(s)), stories.join('\n'));
  // Presence: a goodbye is seen in milliseconds, a lost network after the timeout.
  await open(page, 'chat-presence', 120000);
  seen.presence = { p50: await number(page, 'chat-offline-p50'), p95: await number(page, 'chat-offline-p95') };
  assert.ok(seen.presence.p50 < 1 && seen.presence.p95 > 20, JSON.stringify(seen.presence));
  // Inboxes: most are offline, their messages wait and drain on the login wave.
  await open(page, 'chat-inboxes', 85000);
  const inbox = async () => Number((await page.getByTestId('chat-store').textContent()).match(/inboxes: ([\d,]+) entries/)[1].replace(/,/g, ''));
  const before = await inbox();
  await page.evaluate(() => window.scalelab.runUntil(130000));
  seen.inboxes = { before, after: await inbox(), waited: await number(page, 'chat-after') };
  assert.ok(seen.inboxes.before > 300 && seen.inboxes.after < seen.inboxes.before / 2 && seen.inboxes.waited > 200, JSON.stringify(seen.inboxes));
  console.log('chat presets:', JSON.stringify(seen));
  assert.deepEqual(errors, []);
});

test('polling against WebSocket on identical traffic, and the reconnect storm, as A/B verdicts', async () => {
  const { page, errors } = await openPage(browser, `${server.url}?autoplay=0`);
  await openPreset(page, 'chat-modes');
  assert.match(await page.getByTestId('compare-select').locator('option:checked').textContent(), /users: short polling → users: WebSocket/);
  await page.evaluate(() => window.scalelab.runUntil(120000));
  const modes = await page.getByTestId('verdict').textContent();
  const [, ra, rb] = modes.match(/[Rr]equests to servers: (\d+) with [^,]+, (\d+) with/);
  // Polling asks every 5 s; the sockets only ping every 30 s.
  assert.ok(Number(ra) > 3 * Number(rb), modes);
  console.log('modes verdict:', modes);
  await openPreset(page, 'chat-gateway-dies');
  await page.evaluate(() => window.scalelab.runUntil(60000));
  const storm = await page.getByTestId('verdict').textContent();
  const [, fa, fb] = storm.match(/connects refused: (\d+) and (\d+)/);
  assert.ok(Number(fb) > 5 * Number(fa), storm);
  console.log('storm verdict:', storm);
  await page.screenshot({ path: join(OUT, 'chat-storm-ab.png'), fullPage: true });
  assert.deepEqual(errors, []);
});

test('the estimator sizes the design notes\' chat and its button applies it; the inspector edits live', async () => {
  const { page, errors } = await openPage(browser, `${server.url}?autoplay=0`);
  await open(page, 'chat-presence', 2000);
  // 250 M users × 40 messages a day.
  assert.match(await page.getByTestId('chat-est-rate').textContent(), /^115,741 \/s \(peak 231,481\)$/);
  assert.match(await page.getByTestId('chat-est-gateways').textContent(), /^625$/);
  assert.match(await page.getByTestId('chat-est-storage').textContent(), /^1\.8 PB$/);
  // A silly value names its field and applies nothing.
  await page.getByTestId('chat-est-online').fill('0');
  await page.waitForFunction(() => /Share online at peak/.test(document.querySelector('[data-testid=chat-estimate-error]')?.textContent ?? ''));
  await page.getByTestId('chat-estimate-apply').click();
  assert.ok(!(await page.evaluate(() => JSON.stringify(window.scalelab.scenario().faults))).includes('messages_per_hour'));
  await page.getByTestId('chat-est-online').fill('0.5');
  await page.getByTestId('chat-est-conns').fill('400');
  await page.getByTestId('chat-estimate-apply').click();
  await page.waitForFunction(() => /^Applied: users: 3\.33 messages an hour while online; gw-1: 400 connections at most/.test(document.querySelector('[data-testid=chat-estimate-applied]').textContent));
  const faults = (await page.evaluate(() => window.scalelab.scenario())).faults;
  assert.ok(faults.some((f) => f.set === 'gw-2' && f.params?.max_connections === 400), JSON.stringify(faults));
  // 2,000 people, about half online, 400 sockets per server: some are refused.
  await page.evaluate(() => window.scalelab.runUntil(40000));
  assert.ok(await number(page, 'chat-refused') > 0);
  // The people's mode, live: every online phone switches to long polling.
  await page.getByTestId('node-users').click();
  await page.getByTestId('edit-chat-mode').selectOption('long_polling');
  await page.waitForFunction(() => JSON.stringify(window.scalelab.scenario().faults).includes('long_polling'));
  await page.waitForFunction(() => /Chat · long polling/.test(document.querySelector('[data-testid=chat] h3').textContent));
  // A bad rate names the field and changes nothing.
  await page.getByTestId('edit-chat-rate').fill('-5');
  await page.getByTestId('apply-chat-rate').click();
  await page.waitForFunction(() => /Messages per hour: must be between 0 and 3600 \(got -5\)/.test(document.querySelector('[data-testid=field-error]')?.textContent ?? ''));
  // A server cut off from the registry broadcasts.
  await page.getByTestId('node-gw-1').click();
  await page.getByTestId('chat-registry-toggle').click();
  await page.waitForFunction(() => JSON.stringify(window.scalelab.scenario().faults).includes('"registry_reachable":false'));
  assert.match(await page.getByTestId('chat-registry-toggle').textContent(), /Restore the registry/);
  assert.deepEqual(errors, []);
});

test('chat looks right dark, narrow and embedded, and prints its frame rate with the largest preset (printed, not asserted)', async () => {
  const { page, errors } = await openPage(browser, `${server.url}?preset=chat-gateway-dies`, { width: 420, height: 900 });
  await page.emulateMedia({ colorScheme: 'dark' });
  await page.evaluate(() => window.scalelab.runUntil(40000));
  await page.waitForFunction(() => document.querySelectorAll('[data-testid=chat-stories] li').length > 3);
  await page.screenshot({ path: join(OUT, 'chat-dark-narrow.png'), fullPage: true });
  const embed = await openPage(browser, `${server.url}?preset=chat-modes&embed=1`);
  await embed.page.waitForFunction(() => document.querySelector('[data-testid=chat]'));
  await embed.page.evaluate(() => window.scalelab.runUntil(30000));
  await embed.page.screenshot({ path: join(OUT, 'chat-embed.png'), fullPage: true });
  // The group preset: about 130,000 events a simulated second.
  const wide = await openPage(browser, `${server.url}?preset=chat-group`);
  await wide.page.waitForFunction(() => document.querySelector('[data-testid=chat]'));
  await wide.page.evaluate(() => window.scalelab.runUntil(5000));
  const { fps, p95, simulated_ms } = await playingFrameRate(wide.page, 3000);
  console.log(`chat-group frame rate while playing: ${fps.toFixed(1)} fps, p95 frame ${p95.toFixed(1)} ms (${simulated_ms} simulated ms in 3 s)`);
  assert.ok(simulated_ms > 0, 'it played while measured');
  await wide.page.screenshot({ path: join(OUT, 'chat-group.png'), fullPage: true });
  assert.deepEqual([...errors, ...embed.errors, ...wide.errors], []);
});
