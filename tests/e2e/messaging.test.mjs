// End-to-end: the Kafka and RabbitMQ views as a person uses them.
import { after, afterEach, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { OUT, closePages, launch, openPage, serveDist } from './harness.mjs';

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
  await page.getByTestId('preset-kafka-keys').click();
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
  await page.getByTestId('preset-kafka-broker-dies').click();
  await page.evaluate(() => window.scalelab.runUntil(40000));
  const verdict = await page.getByTestId('verdict').textContent();
  const m = verdict.match(/Records lost: (\d+) with api: acks=1, (\d+) with api: acks=all/);
  assert.ok(m, verdict);
  assert.ok(Number(m[1]) > 0, `acks=1 loses records (${verdict})`);
  assert.equal(Number(m[2]), 0, `acks=all loses none (${verdict})`);
  assert.deepEqual(errors, []);
});

test('RabbitMQ: a clicked message names the binding its routing key matched', async () => {
  const { page, errors } = await openPage(browser, server.url);
  await page.getByTestId('preset-rabbitmq-exchanges').click();
  await page.waitForFunction(() => document.querySelectorAll('[data-testid=recent-messages] button').length >= 8);
  await page.evaluate(() => window.scalelab.pause());
  const buttons = page.getByTestId('recent-messages').locator('button');
  const labels = await buttons.allTextContents();
  const i = labels.findIndex((l) => l.includes('`eu.order.created`'));
  if (i >= 0) {
    await buttons.nth(i).click();
    const why = await page.getByTestId('why').textContent();
    assert.match(why, /→ eu-orders: routing key `eu\.order\.created` matched binding `eu\.order\.\*`/);
    assert.match(why, /→ all-orders: routing key `eu\.order\.created` matched binding `\*\.order\.#`/);
  }
  // Every message's explanation is one of RabbitMQ's outcomes.
  for (let k = 0; k < labels.length; k++) {
    await buttons.nth(k).click();
    const why = await page.getByTestId('why').textContent();
    assert.match(why, /matched binding|equals binding key|fanout exchange|matched no binding/, `${labels[k]}: ${why}`);
  }
  await page.screenshot({ path: join(OUT, 'rabbitmq.png'), fullPage: true });
  assert.deepEqual(errors, []);
});
