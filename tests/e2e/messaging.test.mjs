// End-to-end: the Kafka and RabbitMQ views as a person uses them.
import { after, afterEach, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { OUT, ROOT, closePages, launch, openPage, openPreset, serveDist } from './harness.mjs';

let server, browser;
before(async () => { server = await serveDist(); browser = await launch(); });
afterEach(closePages);
after(async () => { await browser?.close(); server?.close(); });

/// Kafka's default partitioner, in JavaScript, to check the app's explanation.
function murmur2(bytes) {
  const m = 0x5bd1e995;
  let h = (0x9747b28c ^ bytes.length) >>> 0;
  let i = 0;
  for (; i + 4 <= bytes.length; i += 4) {
    let k = (bytes[i] | (bytes[i + 1] << 8) | (bytes[i + 2] << 16) | (bytes[i + 3] << 24)) >>> 0;
    k = Math.imul(k, m) >>> 0; k = (k ^ (k >>> 24)) >>> 0; k = Math.imul(k, m) >>> 0;
    h = Math.imul(h, m) >>> 0; h = (h ^ k) >>> 0;
  }
  const rest = bytes.length - i;
  if (rest >= 3) h = (h ^ (bytes[i + 2] << 16)) >>> 0;
  if (rest >= 2) h = (h ^ (bytes[i + 1] << 8)) >>> 0;
  if (rest >= 1) { h = (h ^ bytes[i]) >>> 0; h = Math.imul(h, m) >>> 0; }
  h = (h ^ (h >>> 13)) >>> 0; h = Math.imul(h, m) >>> 0; h = (h ^ (h >>> 15)) >>> 0;
  return h | 0;
}

test('Kafka: the cluster view draws, and a clicked record says which partition and why', async () => {
  const { page, errors } = await openPage(browser, server.url);
  await openPreset(page, 'kafka-keys');
  await page.waitForFunction(() => parseFloat(document.querySelector('[data-testid=sim-time]').textContent) > 3);
  // The cluster view: a row per partition of `orders`, in words that wrap.
  const rows = await page.getByTestId('messaging-panel').locator('.mq-name').allTextContents();
  assert.deepEqual(rows.filter((r) => r.startsWith('orders-')), ['orders-0', 'orders-1', 'orders-2', 'orders-3', 'orders-4', 'orders-5']);
  // Clicking a message while it runs pauses the run (the list moves every
  // frame, so click in the page rather than wait for it to settle).
  await page.evaluate(() => document.querySelector('[data-testid=recent-messages] button').click());
  await page.waitForFunction(() => document.querySelector('[data-testid=play]').textContent === 'Play');
  assert.notEqual(await page.getByTestId('why').textContent(), '');
  // Paused, the list holds still: each record's explanation is Kafka's partitioner.
  const buttons = page.getByTestId('recent-messages').locator('button');
  const labels = await buttons.allTextContents();
  assert.equal(labels.length, 8);
  for (let k = 0; k < labels.length; k++) {
    const key = labels[k].match(/key-(\d+)/)[1];
    await buttons.nth(k).click();
    const why = await page.getByTestId('why').textContent();
    const expected = (murmur2(new TextEncoder().encode(`key-${key}`)) & 0x7fffffff) % 6;
    assert.match(why, new RegExp(`key \`key-${key}\` → murmur2 = -?\\d+ → toPositive = \\d+ → \\d+ % 6 = partition ${expected} of \`orders\``));
  }
  await page.screenshot({ path: join(OUT, 'kafka.png'), fullPage: true });
  assert.deepEqual(errors, []);
});

test('Kafka: a broker dies opens as acks=1 vs acks=all, and the verdict counts lost records', async () => {
  const { page, errors } = await openPage(browser, server.url);
  await openPreset(page, 'kafka-broker-dies');
  await page.evaluate(() => window.scalelab.runUntil(40000));
  const verdict = await page.getByTestId('verdict').textContent();
  const m = verdict.match(/Records lost: (\d+) with api: acks=1, (\d+) with api: acks=all/);
  assert.ok(m, verdict);
  assert.ok(Number(m[1]) > 0, `acks=1 loses records (${verdict})`);
  assert.equal(Number(m[2]), 0, `acks=all loses none (${verdict})`);
  assert.deepEqual(errors, []);
});

/// RabbitMQ's topic matching, written here from its documentation (words
/// split on dots; `*` is exactly one word, `#` zero or more): an oracle
/// apart from the app's `topic_matches`.
function topicMatches(pattern, key) {
  const p = pattern.split('.');
  const k = key.split('.');
  const match = (i, j) => {
    if (i === p.length) return j === k.length;
    if (p[i] === '#') return match(i + 1, j) || (j < k.length && match(i, j + 1));
    return j < k.length && (p[i] === '*' || p[i] === k[j]) && match(i + 1, j + 1);
  };
  return match(0, 0);
}

/// What the app should say about a message published to `exchange` with
/// `key`, from the preset's own exchanges and bindings: one line per queue
/// (its first matching binding, in binding order), or the unroutable line.
function expectedRoute(broker, exchange, key) {
  const type = broker.exchanges.find((e) => e.name === exchange).type;
  const lines = [];
  const seen = new Set();
  for (const b of broker.bindings.filter((b) => b.exchange === exchange)) {
    if (seen.has(b.queue)) continue;
    let why = null;
    if (type === 'fanout') why = `fanout exchange \`${exchange}\` copies every message to \`${b.queue}\``;
    if (type === 'direct' && b.key === key) why = `routing key \`${key}\` equals binding key \`${b.key}\``;
    if (type === 'topic' && topicMatches(b.key, key)) why = `routing key \`${key}\` matched binding \`${b.key}\``;
    if (why) { seen.add(b.queue); lines.push(`→ ${b.queue}: ${why}`); }
  }
  return lines.length ? lines.join('\n')
    : `routing key \`${key}\` matched no binding of exchange \`${exchange}\`: the message is discarded (unroutable)`;
}

test('RabbitMQ: each clicked message lists exactly the queues its routing key reaches, by binding', async () => {
  const spec = JSON.parse(readFileSync(join(ROOT, 'public', 'presets', 'rabbitmq-exchanges.json'), 'utf8'));
  const broker = spec.nodes.find((n) => n.kind === 'rabbitmq');
  // The oracle agrees with RabbitMQ's documented examples first.
  assert.ok(topicMatches('*.order.#', 'eu.order.payment.failed') && topicMatches('#.failed', 'failed'));
  assert.ok(!topicMatches('eu.order.*', 'eu.order.payment.failed') && !topicMatches('*.order.#', 'order'));
  // A fixed run: opened paused and run to 5 s, 7 s, … 13 s, so each
  // recent list is the same every time (the seed's last eight publishes
  // before that moment).
  const { page, errors } = await openPage(browser, `${server.url}?preset=rabbitmq-exchanges&autoplay=0`);
  const buttons = page.getByTestId('recent-messages').locator('button');
  const whys = new Map();
  for (const t of [5000, 7000, 9000, 11000, 13000]) {
    await page.evaluate((t) => window.scalelab.runUntil(t), t);
    const labels = await buttons.allTextContents();
    assert.equal(labels.length, 8, labels.join('\n'));
    for (let k = 0; k < labels.length; k++) {
      const [, exchange, key] = labels[k].match(/→ (\S+) `([^`]*)`/);
      const want = expectedRoute(broker, exchange, key);
      whys.set(key, want);
      await buttons.nth(k).click();
      assert.equal(await page.getByTestId('why').textContent(), want, `at ${t / 1000} s, ${labels[k]}`);
    }
  }
  // These forty show a key that reaches two queues by two bindings, one
  // that reaches none, and one whose `#` stands for two words or more
  // (eu.order.payment.failed: `*.order.#` and `#.failed`).
  const all = [...whys.values()].join('\n\n');
  assert.ok([...whys.values()].some((w) => w.split('\n').length === 2), all);
  assert.ok([...whys.values()].some((w) => w.includes('matched no binding')), all);
  assert.ok([...whys.keys()].some((k) => k.split('.').length >= 4 && k.endsWith('.failed')), [...whys.keys()].join(', '));
  await page.screenshot({ path: join(OUT, 'rabbitmq.png'), fullPage: true });
  assert.deepEqual(errors, []);
});
