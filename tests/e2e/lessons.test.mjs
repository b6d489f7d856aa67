// End-to-end: an A/B preset's verdict leads with the figure its lesson is
// about (Lesson::figures, read by lessons::verdict; tests/lessons.rs checks
// the claims natively), and a scenario that is no preset gets the generic
// verdict that starts with p99. A/B presets are opened from the gallery
// (openPreset), which starts their comparison.
import { after, afterEach, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { closePages, launch, openPage, openPreset, serveDist } from './harness.mjs';

let server, browser;
before(async () => { server = await serveDist(); browser = await launch(); });
afterEach(closePages);
after(async () => { await browser?.close(); server?.close(); });

// Each A/B preset: the end of its run, its lesson's first figure, and the
// variant the lesson says is better on it (the label the compare menu gives).
const AB = [
  ['kafka-broker-dies', 45, 'Records lost', 'api: acks=all'],
  ['slow-database', 60, 'Median latency (mostly cache hits) (25–60 s)', 'app: workers freed during calls'],
  ['hash-vs-modulo', 60, "Keys moved by the shard's arrival", 'store: hash ring'],
  ['range-vs-hash', 60, 'Shards a range scan asks', 'store: key ranges'],
  ['shortener-hash-fills', 90, 'Hash collisions', 'app: counter ids'],
  ['shortener-id-strategies', 60, 'Writes app-counter completes', 'app-counter: snowflake ids'],
  ['shortener-viral', 120, 'Requests failed while the cache is down (70–90 s)', 'app: 301'],
  ['chat-modes', 300, 'Median send → phone', 'users: WebSocket'],
  ['chat-gateway-dies', 120, 'Peak queue at the chat servers (30–60 s)', 'users: reconnect with jittered backoff'],
];

test('each A/B preset\'s verdict leads with its lesson\'s figure and names the better variant', async () => {
  const { page, errors } = await openPage(browser, `${server.url}?autoplay=0`);
  for (const [id, endS, figure, better] of AB) {
    await openPreset(page, id);
    await page.evaluate((ms) => window.scalelab.runUntil(ms), endS * 1000);
    const verdict = await page.getByTestId('verdict').textContent();
    const first = verdict.split('. ')[0];
    assert.ok(first.startsWith(`${figure}: `), `${id}: the verdict leads with ${JSON.stringify(first)}`);
    assert.ok(first.includes(`: ${better}`), `${id}: ${better} should be named better in ${JSON.stringify(first)}`);
    console.log(`${id}: ${first}`);
  }
  // hot-key: 1000 virtual nodes do not help, and the verdict says by how little.
  await openPreset(page, 'hot-key');
  await page.evaluate(() => window.scalelab.runUntil(60000));
  const hot = (await page.getByTestId('verdict').textContent()).split('. ')[0];
  const [, pct] = hot.match(/^Hot shard's load over the mean: [\d.]+ with [^,]+, [\d.]+ with .+?: (?:about the same|.+ (\d+)% lower)$/) ?? [];
  assert.ok(hot.startsWith("Hot shard's load over the mean: ") && (pct === undefined || Number(pct) < 10), hot);
  assert.deepEqual(errors, []);
});

test('a scenario that is no preset gets the generic verdict, p99 first', async () => {
  const { page, errors } = await openPage(browser, `${server.url}?autoplay=0`);
  // The default preset's scenario, loaded through the API: no preset now.
  await page.evaluate(async () => { await window.scalelab.load(window.scalelab.scenario()); });
  assert.equal(await page.evaluate(() => window.scalelab.state().preset), null);
  await page.getByTestId('compare-select').selectOption({ index: 1 });
  await page.evaluate(() => window.scalelab.runUntil(60000));
  const verdict = await page.getByTestId('verdict').textContent();
  assert.match(verdict, /^[^:]+: [\d.]+ req\/s(?: and [^:]+)?: p99 (\d+% lower than|within 1%)/, verdict);
  assert.deepEqual(errors, []);
});
