// The engine in wasm against the native CLI: same scenario and seed must give
// the same summary, field for field. Also measures wasm speed (printed).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { OUT, ROOT, launch, openPage, serveDist } from './harness.mjs';

const CLI = join(ROOT, 'target', 'debug', 'scalelab');
let server, browser, page;
before(async () => {
  assert.ok(existsSync(CLI), `build the CLI first: cargo build (${CLI})`);
  server = await serveDist();
  browser = await launch();
  ({ page } = await openPage(browser, `${server.url}?autoplay=0`));
  await page.waitForFunction(() => window.scalelab && window.wasmBindings?.bench);
});
after(async () => { await browser?.close(); server?.close(); });

function nativeSummary(scenarioText, name) {
  const file = join(OUT, `${name}.json`);
  writeFileSync(file, scenarioText);
  const report = JSON.parse(execFileSync(CLI, ['run', file, '--json'], { encoding: 'utf8' }));
  delete report.wall_s;
  delete report.events_per_s;
  return report;
}

const cases = {
  'mm8-200k': (() => {
    const s = JSON.parse(readFileSync(join(ROOT, 'public/presets/mm8.json'), 'utf8'));
    s.stop = { completed_requests: 200000 };
    s.seed = 42;
    return s;
  })(),
  'kafka-broker-dies': (() => {
    const s = JSON.parse(readFileSync(join(ROOT, 'public/presets/kafka-broker-dies.json'), 'utf8'));
    s.stop = { sim_time_s: 30 };
    return s;
  })(),
  'add-shard': JSON.parse(readFileSync(join(ROOT, 'public/presets/add-shard.json'), 'utf8')),
  'range-vs-hash-30s': (() => {
    const s = JSON.parse(readFileSync(join(ROOT, 'public/presets/range-vs-hash.json'), 'utf8'));
    s.stop = { sim_time_s: 30 };
    return s;
  })(),
  'rabbitmq-dead-letters': JSON.parse(readFileSync(join(ROOT, 'public/presets/rabbitmq-dead-letters.json'), 'utf8')),
  // Tiers: calls with when/optional/timeouts, a cache (LRU) and a database,
  // the cache failing and recovering.
  'cache-dies-70s': (() => {
    const s = JSON.parse(readFileSync(join(ROOT, 'public/presets/cache-dies.json'), 'utf8'));
    s.stop = { sim_time_s: 70 };
    return s;
  })(),
  // Random eviction draws from the cache's RNG substream; freed workers.
  'slow-database-random-eviction': (() => {
    const s = JSON.parse(readFileSync(join(ROOT, 'public/presets/slow-database.json'), 'utf8'));
    s.nodes.find((n) => n.id === 'cache').eviction = 'random';
    s.nodes.find((n) => n.id === 'app').hold_worker = false;
    s.stop = { sim_time_s: 40 };
    return s;
  })(),
  // The URL shortener: digests (MD5 here, SHA-256 below) and base62 in
  // wasm, retries; Snowflake's 128-bit clock arithmetic and a skewed clock;
  // ranges through a coordinator outage; a viral link and a cache failure.
  'shortener-hash-fills-30s': (() => {
    const s = JSON.parse(readFileSync(join(ROOT, 'public/presets/shortener-hash-fills.json'), 'utf8'));
    s.stop = { sim_time_s: 30 };
    return s;
  })(),
  'shortener-sha256-range-down': (() => {
    const s = JSON.parse(readFileSync(join(ROOT, 'public/presets/shortener-coordinator-down.json'), 'utf8'));
    s.nodes.find((n) => n.id === 'app-2').ids = { strategy: 'hash', hash: 'sha256', length: 3 };
    s.stop = { sim_time_s: 40 };
    return s;
  })(),
  'shortener-clock-skew': JSON.parse(readFileSync(join(ROOT, 'public/presets/shortener-clock-skew.json'), 'utf8')),
  'shortener-viral-80s': (() => {
    const s = JSON.parse(readFileSync(join(ROOT, 'public/presets/shortener-viral.json'), 'utf8'));
    s.stop = { sim_time_s: 80 };
    return s;
  })(),
  // Chat: a gateway dies (sockets reset, backoff with jitter, inboxes),
  // and long polling with receipts and a group.
  'chat-gateway-dies-50s': (() => {
    const s = JSON.parse(readFileSync(join(ROOT, 'public/presets/chat-gateway-dies.json'), 'utf8'));
    s.stop = { sim_time_s: 50 };
    return s;
  })(),
  'chat-long-polling-groups-60s': (() => {
    const s = JSON.parse(readFileSync(join(ROOT, 'public/presets/chat-modes.json'), 'utf8'));
    Object.assign(s.nodes[0], { mode: { type: 'long_polling', hold_ms: 20000 }, group_size: 50, group_share: 0.3 });
    s.stop = { sim_time_s: 60 };
    return s;
  })(),
  // Replication: an async failover (shipments lost, a promotion, the old
  // primary detached), and semi-sync falling back and returning, with
  // reads spread over every member (stale reads counted).
  'replication-async-failover': JSON.parse(readFileSync(join(ROOT, 'public/presets/replication-async-failover.json'), 'utf8')),
  'replication-semi-sync-fallback-any': (() => {
    const s = JSON.parse(readFileSync(join(ROOT, 'public/presets/replication-semi-sync-fallback.json'), 'utf8'));
    s.nodes.find((n) => n.id === 'db').read_from = 'any';
    return s;
  })(),
  // Elections through the ensemble: herd with a quorum lost and back, and
  // sequential (sessions, ticks, watches, sequential names, a majority).
  'replication-quorum-lost': JSON.parse(readFileSync(join(ROOT, 'public/presets/replication-quorum-lost.json'), 'utf8')),
  'replication-herd-vs-sequential-as-sequential': (() => {
    const s = JSON.parse(readFileSync(join(ROOT, 'public/presets/replication-herd-vs-sequential.json'), 'utf8'));
    s.nodes.find((n) => n.id === 'db').election.recipe = 'sequential';
    return s;
  })(),
  'load-balancing-40s': (() => {
    const s = JSON.parse(readFileSync(join(ROOT, 'public/presets/load-balancing.json'), 'utf8'));
    s.stop = { sim_time_s: 40 };
    return s;
  })(),
};

for (const [name, scenario] of Object.entries(cases)) {
  test(`wasm and native give identical summaries: ${name}`, async () => {
    const text = JSON.stringify(scenario);
    const native = nativeSummary(text, name);
    const wasm = await page.evaluate(async (t) => { await window.scalelab.load(t); window.scalelab.run(); return window.scalelab.summary(); }, text);
    assert.ok(native.completed > 0);
    assert.deepEqual(wasm, native);
  });
}

test('invalid scenarios throw the validation errors', async () => {
  const msg = await page.evaluate(() => {
    try { window.scalelab.load('{"version": 1, "name": "x"}'); return 'no error'; }
    catch (e) { return String(e); }
  });
  assert.match(msg, /stop: is missing/);
  assert.match(msg, /nodes: is missing/);
});

test('wasm benchmark: M/M/8, 1,000,000 requests, against the native CLI (printed, not asserted)', async () => {
  const runs = [];
  for (let i = 0; i < 3; i++) runs.push(JSON.parse(await page.evaluate(() => window.wasmBindings.bench(1000000))));
  const best = Math.max(...runs.map((r) => r.events_per_s));
  console.log(`wasm bench (Chromium): ${runs.map((r) => (r.events_per_s / 1e6).toFixed(2)).join(', ')} M events/s; best ${(best / 1e6).toFixed(2)} M events/s`);
  assert.ok(runs.every((r) => r.events === runs[0].events), 'same events every run');
  // The same bench natively, on the same machine, now (scripts/test.sh builds
  // the optimised CLI before the end-to-end tests).
  const release = join(ROOT, 'target', 'release', 'scalelab');
  if (existsSync(release)) {
    const out = execFileSync(release, ['bench', '--runs', '3'], { encoding: 'utf8' });
    const native = Number(/events_per_s best (\d+)/.exec(out)[1]);
    const nativeBaseline = Number(/hand-written baseline (\d+)/.exec(out)[1]);
    const ratio = /ratio ([\d.]+)/.exec(out)[1];
    const wasmBaseline = Math.max(...runs.map((r) => r.baseline_requests_per_s));
    const wasmRatio = Math.max(...runs.map((r) => r.requests_per_s)) / wasmBaseline;
    console.log(
      `native bench: best ${(native / 1e6).toFixed(2)} M events/s; wasm is ${(native / best).toFixed(2)}x slower than native` +
        ` (the hand-written baseline: ${(nativeBaseline / wasmBaseline).toFixed(2)}x); engine/hand-written ratio ${ratio} native, ${wasmRatio.toFixed(2)} wasm`,
    );
  } else {
    console.log(`native bench: skipped (no ${release}; scripts/test.sh builds it)`);
  }
});
