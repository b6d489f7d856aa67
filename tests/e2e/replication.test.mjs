// End-to-end: the replicated database as a person uses it: its panel's
// figures and members, the live faults (kill the primary, a replica),
// the A/B of async against sync, and a link that replays the edits.
import { after, afterEach, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { OUT, closePages, launch, openPage, openPreset, playingFrameRate, serveDist } from './harness.mjs';

let server, browser;
before(async () => { server = await serveDist(); browser = await launch(); });
afterEach(closePages);
after(async () => { await browser?.close(); server?.close(); });

const num = async (page, testid) => Number((await page.getByTestId(testid).first().textContent()).replace(/,/g, ''));

test('async failover: the panel counts the lost writes, sync loses none, and the verdict leads with them', async () => {
  const { page, errors } = await openPage(browser, `${server.url}?autoplay=0`);
  await openPreset(page, 'replication-async-failover');
  assert.ok(await page.getByTestId('replication').isVisible());
  assert.match(await page.getByTestId('rep-status').first().textContent(), /^db: async replication, reads from primary; primary db-0/);
  await page.evaluate(() => window.scalelab.runUntil(32000));
  // The primary died at 30 s; the failover (5 s) is under way: writes wait.
  await page.waitForFunction(() => /a failover is under way/.test(document.querySelector('[data-testid=rep-status]').textContent));
  assert.match(await page.getByTestId('rep-db-0').textContent(), /down/);
  await page.evaluate(() => window.scalelab.runUntil(40000));
  await page.waitForFunction(() => /primary db-1/.test(document.querySelector('[data-testid=rep-status]').textContent));
  const lost = await num(page, 'rep-lost');
  // 500 writes/s × 0.1 s of shipping, a Poisson count (±3σ).
  assert.ok(lost >= 29 && lost <= 71, `lost ${lost}`);
  assert.equal(await num(page, 'rep-failovers'), 1);
  assert.match(await page.getByTestId('rep-stories').textContent(), /db-1 promoted 5000 ms after the death: \d+ acknowledged write\(s\) it never received are lost/);
  const verdict = await page.getByTestId('verdict').textContent();
  assert.match(verdict, /^Acknowledged writes lost: \d+ with db: async, 0 with db: sync: db: sync lower/);
  assert.deepEqual(errors, []);
});

test('the inspector kills the primary, fails and recovers a replica, switches replication, and the link replays it', async () => {
  const { page, errors } = await openPage(browser, `${server.url}?autoplay=0`);
  await openPreset(page, 'replication-replica-dies');
  await page.getByTestId('node-db').click();
  assert.equal(await page.getByTestId('inspector-title').textContent(), 'db');
  await page.evaluate(() => window.scalelab.runUntil(1000));
  await page.getByTestId('edit-read-from').selectOption('any');
  await page.getByTestId('edit-replication').selectOption('semi-sync');
  await page.getByTestId('edit-member').selectOption('2');
  await page.getByTestId('fail-member').click();
  await page.waitForFunction(() => /down/.test(document.querySelector('[data-testid=rep-db-2]').textContent));
  await page.getByTestId('kill-primary').click();
  await page.evaluate(() => window.scalelab.runUntil(1500));
  assert.match(await page.getByTestId('rep-status').first().textContent(), /semi-sync replication, reads from any; primary db-0 \(down since 1\.0 s: a failover is under way/);
  // Reads go on from the live replica while the writes wait for a primary
  // (1,900 reads/s; the app's 400 workers are held by waiting writes, 100
  // a second, only after 4 s).
  const reads = await num(page, 'rep-reads');
  await page.evaluate(() => window.scalelab.runUntil(3500));
  const more = (await num(page, 'rep-reads')) - reads;
  assert.ok(more > 3000, `reads went on during the failover: ${more}`);
  assert.ok(await num(page, 'rep-waiting') === 0 && /\d+ requests wait for a primary/.test(await page.getByTestId('rep-status').first().textContent()));
  await page.evaluate(() => window.scalelab.runUntil(12000));
  assert.match(await page.getByTestId('rep-status').first().textContent(), /primary db-1/);
  await page.getByTestId('edit-member').selectOption('2');
  await page.getByTestId('recover-member').click();
  await page.evaluate(() => window.scalelab.runUntil(13000));
  assert.doesNotMatch(await page.getByTestId('rep-db-2').textContent(), /down/);
  const before = await page.evaluate(() => window.scalelab.summary());
  const link = await page.evaluate(() => window.scalelab.link());
  const { page: replay } = await openPage(browser, link.replace('#', '?autoplay=0#'));
  await replay.evaluate(() => window.scalelab.runUntil(13000));
  assert.deepEqual(await replay.evaluate(() => window.scalelab.summary()), before);
  assert.deepEqual(errors, []);
});

test('every replication preset opens, runs and shows its panel (printed: its figures)', async () => {
  const { page, errors } = await openPage(browser, `${server.url}?autoplay=0`);
  for (const id of ['replication-read-replicas', 'replication-replica-dies', 'replication-sync-standby-dies',
    'replication-async-failover', 'replication-semi-sync-fallback', 'replication-election',
    'replication-herd-vs-sequential', 'replication-quorum-lost', 'replication-split-brain', 'replication-cap']) {
    await openPreset(page, id);
    await page.evaluate(() => window.scalelab.runUntil(25000));
    assert.ok(await page.getByTestId('replication').isVisible(), id);
    assert.equal(await page.locator('.rep-member').count() > 1, true, id);
    console.log(id, await page.getByTestId('rep-status').first().textContent());
  }
  assert.deepEqual(errors, []);
});

test('ZooKeeper elects: the phases, the znode tree and the sessions live; herd against sequential; killing servers loses the quorum', async () => {
  const { page, errors } = await openPage(browser, `${server.url}?autoplay=0`);
  await openPreset(page, 'replication-election');
  await page.evaluate(() => window.scalelab.runUntil(5000));
  assert.match(await page.getByTestId('zk-status').textContent(), /^zk: 3 of 3 servers up \(2 needed for a majority\), leader zk-2; 6 sessions/);
  const tree = await page.getByTestId('zk-tree').textContent();
  assert.match(tree, /\/db\/master ephemeral, db\/db-0/);
  assert.match(await page.getByTestId('zk-phases').textContent(), /no failover yet/);
  // The primary died at 20.4 s; at 22 s its session is still alive.
  await page.evaluate(() => window.scalelab.runUntil(22000));
  assert.match(await page.getByTestId('rep-status').first().textContent(), /its session expires 3,000 ms after its last heartbeat, then the herd election/);
  await page.evaluate(() => window.scalelab.runUntil(26000));
  assert.match(await page.getByTestId('rep-status').first().textContent(), /primary db-1/);
  const phases = await page.getByTestId('zk-phases').textContent();
  assert.match(phases, /herd recipe: 3,529 ms from the last heartbeat; 4 watch notification\(s\) to candidates/);
  assert.match(phases, /last heartbeat 20\.000 s.*watches fire 23\.507 s.*new primary 23\.519 s.*app servers 23\.529 s/);
  assert.match(await page.getByTestId('zk-tree').textContent(), /\/db\/master ephemeral, db\/db-1/);
  assert.match(await page.getByTestId('zk-stories').textContent(), /expired: deleted \/db\/master; 5 watch notification\(s\) sent/);
  // Herd against sequential: the verdict leads with the notifications.
  await openPreset(page, 'replication-herd-vs-sequential');
  await page.evaluate(() => window.scalelab.runUntil(30000));
  assert.match(await page.getByTestId('verdict').textContent(), /^Election notifications: 8 with [^,]+, 1 with /);
  // Kill the ensemble's leader three times: 2 of 3... then no quorum.
  await openPreset(page, 'replication-election');
  await page.evaluate(() => window.scalelab.runUntil(2000));
  await page.getByTestId('node-zk').click();
  await page.getByTestId('kill-zk-leader').click();
  await page.evaluate(() => window.scalelab.runUntil(3000));
  assert.match(await page.getByTestId('zk-status').textContent(), /2 of 3 servers up \(2 needed for a majority\), leader zk-1/);
  await page.getByTestId('kill-zk-leader').click();
  await page.evaluate(() => window.scalelab.runUntil(4000));
  assert.match(await page.getByTestId('zk-status').textContent(), /NO QUORUM/);
  // The primary dies at 20.4 s and no one is elected.
  await page.evaluate(() => window.scalelab.runUntil(30000));
  assert.match(await page.getByTestId('rep-status').first().textContent(), /primary db-0 \(down since 20\.4 s/);
  await page.getByTestId('edit-zk-server').selectOption('1');
  await page.getByTestId('recover-zk-server').click();
  await page.evaluate(() => window.scalelab.runUntil(35000));
  assert.match(await page.getByTestId('rep-status').first().textContent(), /primary db-1/);
  await page.screenshot({ path: join(OUT, 'replication-election.png'), fullPage: true });
  assert.deepEqual(errors, []);
});

test('split brain: the cut-off old primary still leads on its side, its writes count, the heal settles them; CAP verdict; the partition choice', async () => {
  const { page, errors } = await openPage(browser, `${server.url}?autoplay=0`);
  await openPreset(page, 'replication-split-brain');
  await page.evaluate(() => window.scalelab.runUntil(15000));
  assert.match(await page.getByTestId('rep-db-0').textContent(), /old primary, still leading.*cut off/);
  assert.match(await page.getByTestId('rep-status').first().textContent(), /primary db-1/);
  const split = await num(page, 'rep-split');
  assert.ok(split > 250 && split < 500, `split-brain writes by 15 s: ${split}`);
  await page.evaluate(() => window.scalelab.runUntil(25000));
  assert.match(await page.getByTestId('rep-stories').textContent(), /db-0 learned its session expired: it steps down\. The keys it wrote while db-1 led: all \d+ discarded; \d+ written on both sides/);
  assert.doesNotMatch(await page.getByTestId('rep-db-0').textContent(), /still leading|cut off/);
  assert.ok(await num(page, 'rep-conflicts') > 250);
  assert.match(await page.getByTestId('verdict').textContent(), /^Split-brain writes: [\d,]+ with [^,]+, 0 with /);
  await openPreset(page, 'replication-cap');
  await page.evaluate(() => window.scalelab.runUntil(25000));
  assert.match(await page.getByTestId('verdict').textContent(), /^Requests failed: [\d,]+ with [^,]+, 0 with /);
  await page.getByTestId('node-db').click();
  await page.getByTestId('edit-on-partition').selectOption('ap');
  await page.evaluate(() => window.scalelab.runUntil(25500));
  assert.match(await page.getByTestId('rep-stories').first().textContent(), /ap: a cut-off primary goes on taking writes/);
  await page.screenshot({ path: join(OUT, 'replication-split-brain.png'), fullPage: true });
  assert.deepEqual(errors, []);
});

test('the panel at 390 px dark and embedded, and the frame rate of the busiest preset (printed)', async () => {
  const narrow = await openPage(browser, `${server.url}?preset=replication-sync-standby-dies&autoplay=0`, { width: 390, height: 844 });
  await narrow.page.emulateMedia({ colorScheme: 'dark' });
  await narrow.page.waitForFunction(() => document.querySelector('[data-testid=replication]'));
  await narrow.page.evaluate(() => window.scalelab.runUntil(25000));
  // A sync standby beside an async replica: no one mode to name.
  assert.match(await narrow.page.getByTestId('rep-status').textContent(), /^db: replication set per replica, reads from primary; primary db-0\. [\d,]+ writes wait for their replicas \(a sync replica is down/);
  await narrow.page.screenshot({ path: join(OUT, 'replication-dark-narrow.png'), fullPage: true });
  const embed = await openPage(browser, `${server.url}?preset=replication-async-failover&embed=1&autoplay=0`, { width: 900, height: 640 });
  await embed.page.waitForFunction(() => document.querySelector('[data-testid=replication]'));
  await embed.page.evaluate(() => window.scalelab.runUntil(36000));
  await embed.page.screenshot({ path: join(OUT, 'replication-embed.png'), fullPage: true });
  // Playing as an A/B: read-replicas, the busiest (3,000 requests/s on
  // each side), and CAP, the most nodes (six, a partition, an ensemble).
  const wide = await openPage(browser, `${server.url}?preset=replication-read-replicas`);
  for (const id of ['replication-read-replicas', 'replication-cap']) {
    if (id !== 'replication-read-replicas') await openPreset(wide.page, id);
    await wide.page.waitForFunction(() => document.querySelector('[data-testid=replication]'));
    await wide.page.evaluate(() => window.scalelab.runUntil(5000));
    const { fps, p95, simulated_ms } = await playingFrameRate(wide.page, 3000);
    console.log(`${id} frame rate while playing: ${fps.toFixed(1)} fps, p95 frame ${p95.toFixed(1)} ms (${simulated_ms} simulated ms in 3 s)`);
    assert.ok(simulated_ms > 0, `${id}: it played while measured`);
  }
  assert.deepEqual([...narrow.errors, ...embed.errors, ...wide.errors], []);
});
