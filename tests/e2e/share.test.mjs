// End-to-end: share links, the time cursor, A/B compare, embeds, the
// headless contract (URL parameters, window.scalelab) and exports.
import { after, afterEach, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { OUT, ROOT, closePages, launch, openPage, serveDist } from './harness.mjs';

let server, browser;
before(async () => { server = await serveDist(); browser = await launch(); });
afterEach(closePages);
after(async () => { await browser?.close(); server?.close(); });

const LB = readFileSync(join(ROOT, 'public/presets/load-balancing.json'), 'utf8');
const settled = (page) => page.waitForFunction(() => window.scalelab?.screenshotReady());
const summary = (page) => page.evaluate(() => window.scalelab.summary());

test('a share link reopens the same run: equal summaries', async () => {
  const { page, errors } = await openPage(browser, server.url);
  await page.getByTestId('preset-load-balancing').click();
  await page.waitForFunction(() => parseFloat(document.querySelector('[data-testid=sim-time]').textContent) > 3);
  // A live edit too: it must travel in the link.
  await page.getByTestId('node-lb').click();
  await page.getByTestId('edit-algorithm').selectOption('power_of_two');
  await page.waitForTimeout(300);
  await page.evaluate(() => window.scalelab.pause());
  await settled(page);
  const before = await summary(page);
  await page.getByTestId('copy-link').click();
  const link = await page.getByTestId('link').inputValue();
  assert.ok(link.includes('#v1.'), link);
  const { page: again, errors: errors2 } = await openPage(browser, link.replace('#', '?autoplay=0#'));
  await settled(again);
  assert.deepEqual(await summary(again), before);
  assert.equal(await again.getByTestId('scenario-title').textContent(), 'Load-balancing algorithms');
  assert.deepEqual([...errors, ...errors2], []);
});

test('every preset link is under 1,000 characters', async () => {
  const { page } = await openPage(browser, `${server.url}?autoplay=0`);
  for (const id of ['queueing-basics', 'load-balancing', 'one-queue-or-many']) {
    await page.getByTestId(`preset-${id}`).click();
    const link = await page.evaluate(() => window.scalelab.link());
    assert.ok(link.length < 1000, `${id}: ${link.length} characters`);
  }
});

test('hostile links leave the app working, with a message', async () => {
  const { page } = await openPage(browser, `${server.url}?autoplay=0`);
  await page.getByTestId('preset-load-balancing').click();
  const good = (await page.evaluate(() => window.scalelab.link())).split('#')[1];
  const cases = {
    garbage: ['#hello%20world', /not a Scale Lab link/],
    truncated: [`#${good.slice(0, Math.floor(good.length / 2))}`, /damaged/],
    huge: [`#v1.${'A'.repeat(200 * 1024)}`, /too long/],
    future: [`#v7.${good.slice(3)}`, /newer Scale Lab/],
  };
  for (const [name, [hash, message]] of Object.entries(cases)) {
    const { page: p, errors } = await openPage(browser, `${server.url}${hash}`);
    await p.getByTestId('notice').waitFor();
    assert.match(await p.getByTestId('notice').textContent(), message, name);
    // The default scenario is open and runs.
    assert.match(await p.getByTestId('scenario-title').textContent(), /Queueing basics/, name);
    await p.waitForFunction(() => parseFloat(document.querySelector('[data-testid=sim-time]').textContent) > 0.5);
    assert.deepEqual(errors, [], name);
  }
});

test('t= opens the state at that time: the same figures as running to it', async () => {
  const { page } = await openPage(browser, `${server.url}?autoplay=0`);
  await page.getByTestId('preset-load-balancing').click();
  const link = await page.evaluate(() => window.scalelab.link());
  const { page: at } = await openPage(browser, `${server.url}?autoplay=0&t=30s#${link.split('#')[1]}`);
  await settled(at);
  assert.match(await at.getByTestId('sim-time').textContent(), /^30\.00 s$/);
  const viaLink = await summary(at);
  // Another page: load the same scenario and run to 30 s.
  const { page: run } = await openPage(browser, `${server.url}?autoplay=0`);
  await run.evaluate(async (json) => { await window.scalelab.load(json); window.scalelab.runUntil(30000); }, LB);
  assert.deepEqual(viaLink, await summary(run));
  assert.equal(await at.getByTestId('completed').textContent(), String(viaLink.completed));
  // The time cursor scrubs back, and forward again, deterministically.
  await at.getByTestId('time-cursor').fill('12');
  await settled(at);
  assert.match(await at.getByTestId('sim-time').textContent(), /^12\.00 s$/);
  await run.evaluate(() => window.scalelab.runUntil(12000)); // backwards: a replay
  assert.deepEqual(await summary(at), await summary(run));
});

test('A/B compare: identical traffic, a verdict, and a shareable compare state', async () => {
  const { page, errors } = await openPage(browser, `${server.url}?autoplay=0`);
  await page.getByTestId('preset-load-balancing').click();
  await page.getByTestId('compare-select').selectOption({ label: 'least_connections → round_robin' });
  await page.evaluate(() => window.scalelab.runUntil(20000));
  await page.waitForFunction(() => /p99/.test(document.querySelector('[data-testid=verdict]').textContent));
  const verdict = await page.getByTestId('verdict').textContent();
  assert.match(verdict, /^(least_connections|round_robin): p99 \d+% lower than (round_robin|least_connections)/, verdict);
  const link = await page.evaluate(() => window.scalelab.link());
  const { page: shared } = await openPage(browser, link.replace('#', '?autoplay=0#'));
  await settled(shared);
  assert.equal(await shared.getByTestId('verdict').textContent(), verdict);
  assert.deepEqual(errors, []);
});

test('embed mode: diagram, charts and play/pause only; the Embed dialog gives the iframe', async () => {
  const { page } = await openPage(browser, server.url);
  await page.getByTestId('preset-load-balancing').click();
  await page.getByTestId('embed').click();
  const snippet = await page.getByTestId('embed-snippet').inputValue();
  assert.match(snippet, /^<iframe src="http:\/\/127\.0\.0\.1:\d+\/\?embed=1#v1\.[A-Za-z0-9_-]+"/);
  const src = snippet.match(/src="([^"]+)"/)[1];
  const { page: embed, errors } = await openPage(browser, src, { width: 800, height: 600 });
  await embed.getByTestId('embed-view').waitFor();
  for (const id of ['play', 'topology', 'latency-chart', 'scenario-title']) await embed.getByTestId(id).waitFor();
  for (const id of ['gallery', 'step', 'reset', 'inspector', 'copy-link']) assert.equal(await embed.getByTestId(id).count(), 0, id);
  await embed.waitForFunction(() => parseFloat(window.scalelab.summary().sim_time_s) > 1);
  await embed.getByTestId('play').click();
  assert.equal(await embed.getByTestId('play').textContent(), 'Play');
  await embed.screenshot({ path: join(OUT, 'embed.png') });
  assert.deepEqual(errors, []);
});

test('prefers-reduced-motion replaces moving dots with a static flow view', async () => {
  const page = await browser.newPage({ reducedMotion: 'reduce' });
  await page.goto(server.url);
  assert.equal(await page.getByTestId('topology').getAttribute('data-motion'), 'static');
  await page.close();
});

test('window.scalelab.summary() equals `scalelab run --json` for the same file and seed', async () => {
  const spec = JSON.parse(LB);
  spec.stop = { sim_time_s: 40 };
  spec.seed = 99;
  const file = join(OUT, 'api-vs-cli.json');
  writeFileSync(file, JSON.stringify(spec));
  const cli = JSON.parse(execFileSync(join(ROOT, 'target/debug/scalelab'), ['run', file, '--json'], { encoding: 'utf8' }));
  delete cli.wall_s;
  delete cli.events_per_s;
  const { page, errors } = await openPage(browser, `${server.url}?autoplay=0`);
  const api = await page.evaluate(async (json) => { await window.scalelab.load(json); window.scalelab.run(); return window.scalelab.summary(); }, JSON.stringify(spec));
  assert.deepEqual(api, cli);
  const thrown = await page.evaluate(() => { try { window.scalelab.load('{"version": 1}'); return null; } catch (e) { return String(e); } });
  assert.match(thrown, /name: is missing/);
  assert.deepEqual(errors, []);
});

test('exports: metrics as CSV and JSON, the topology as SVG', async () => {
  const { page, errors } = await openPage(browser, `${server.url}?autoplay=0`);
  await page.getByTestId('preset-load-balancing').click();
  await page.evaluate(() => window.scalelab.runUntil(10000));
  const grab = async (id) => {
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId(id).click()]);
    return readFileSync(await download.path(), 'utf8');
  };
  const csv = (await grab('export-csv')).trim().split('\n');
  assert.equal(csv[0], 't_start_s,width_s,sent,completed,dropped,timed_out,failed,p50_ms,p95_ms,p99_ms,max_ms,mean_ms');
  assert.equal(csv.length, 11, 'a row per simulated second');
  assert.ok(csv.slice(1).every((row) => row.split(',').length === 12 && row.split(',').every((x) => Number.isFinite(Number(x)))));
  const json = JSON.parse(await grab('export-json'));
  assert.equal(json.series.length, 10);
  assert.deepEqual(json.summary, await summary(page));
  assert.equal(json.scenario.name, 'Load-balancing algorithms');
  const svg = await grab('export-svg');
  assert.match(svg, /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
  assert.ok(svg.includes('app-8') && svg.includes('<style>'));
  assert.deepEqual(errors, []);
});
