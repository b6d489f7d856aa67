// Shared set-up for the end-to-end tests: serve dist/ on 127.0.0.1 and drive
// Debian's Chromium with playwright-core (no browser download, ever).
import { spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';
import { chromium } from 'playwright-core';

export const ROOT = resolve(import.meta.dirname, '..', '..');
export const OUT = join(ROOT, 'target', 'e2e');
mkdirSync(OUT, { recursive: true });

async function freePort() {
  return new Promise((ok, fail) => {
    const srv = createServer();
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => ok(port));
    });
    srv.on('error', fail);
  });
}

/** Serves dist/ (or $SCALELAB_DIST, e.g. an older build to compare) on
 * 127.0.0.1 (python's server sends .wasm as application/wasm). */
export async function serveDist() {
  const port = await freePort();
  const dir = process.env.SCALELAB_DIST || join(ROOT, 'dist');
  const proc = spawn('python3', ['-m', 'http.server', String(port), '--bind', '127.0.0.1', '--directory', dir], {
    stdio: 'ignore',
  });
  const url = `http://127.0.0.1:${port}/`;
  for (let i = 0; i < 100; i++) {
    try {
      const r = await fetch(url);
      if (r.ok) return { url, close: () => proc.kill() };
    } catch {}
    await new Promise((r) => setTimeout(r, 50));
  }
  proc.kill();
  throw new Error(`the static server on ${url} did not start`);
}

const TYPES = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.wasm': 'application/wasm',
  '.css': 'text/css', '.json': 'application/json', '.svg': 'image/svg+xml', '.png': 'image/png',
  '.ico': 'image/x-icon', '.txt': 'text/plain; charset=utf-8', '.webmanifest': 'application/manifest+json',
};

/** Serves dist/ on 127.0.0.1 as a static host does: each file gzipped
 * (level 9, as the budget check counts) when the browser accepts it, with
 * its type and length. For measuring a first load over a slow network. */
export async function serveDistGzipped() {
  const { createServer: createHttp } = await import('node:http');
  const { readFileSync, statSync } = await import('node:fs');
  const { gzipSync } = await import('node:zlib');
  const { extname, normalize } = await import('node:path');
  const dir = process.env.SCALELAB_DIST || join(ROOT, 'dist');
  const cache = new Map();
  const server = createHttp((req, res) => {
    const path = normalize(decodeURIComponent(new URL(req.url, 'http://x').pathname)).replace(/^([/\\])+/, '');
    let file = join(dir, path || 'index.html');
    try { if (statSync(file).isDirectory()) file = join(file, 'index.html'); } catch { res.writeHead(404).end(); return; }
    if (!file.startsWith(dir)) { res.writeHead(403).end(); return; }
    if (!cache.has(file)) {
      const raw = readFileSync(file);
      cache.set(file, { raw, gz: gzipSync(raw, { level: 9 }) });
    }
    const { raw, gz } = cache.get(file);
    const zipped = /\bgzip\b/.test(req.headers['accept-encoding'] || '');
    const body = zipped ? gz : raw;
    res.writeHead(200, {
      'content-type': TYPES[extname(file)] || 'application/octet-stream',
      'content-length': body.length,
      'cache-control': 'no-store',
      ...(zipped ? { 'content-encoding': 'gzip' } : {}),
    });
    res.end(body);
  });
  await new Promise((ok) => server.listen(0, '127.0.0.1', ok));
  return { url: `http://127.0.0.1:${server.address().port}/`, close: () => server.close() };
}

// launch() gives every browser a fresh temporary profile of its own.
export async function launch() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: [
      '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync',
    ],
  });
}

const openPages = [];

/** Closes every page opened since the last call: an open page keeps
 * animating and simulating, and would slow the next test down. */
export async function closePages() {
  while (openPages.length) await openPages.pop().close();
}

/** A page that records console errors and uncaught exceptions. */
export async function openPage(browser, url, viewport = { width: 1280, height: 800 }) {
  const page = await browser.newPage({ viewport });
  openPages.push(page);
  const errors = [];
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.goto(url);
  // The app is up once it has installed its API: tests may use it at once.
  await page.waitForFunction(() => window.scalelab !== undefined);
  return { page, errors };
}

/** Frame intervals (ms) over `ms` of requestAnimationFrame in the page, with
 * their 95th percentile and the worst. */
export async function frameTimes(page, ms) {
  const frames = await page.evaluate((ms) => new Promise((done) => {
    const times = [];
    const start = performance.now();
    function frame(t) {
      times.push(t);
      if (t - start < ms) requestAnimationFrame(frame);
      else done(times.slice(1).map((t, i) => t - times[i]));
    }
    requestAnimationFrame(frame);
  }), ms);
  const sorted = [...frames].sort((a, b) => a - b);
  return { frames, p95: sorted[Math.floor(sorted.length * 0.95)], worst: sorted.at(-1) };
}

/** The frame rate while the run plays (runUntil leaves it paused, and
 * paused frames cost nothing): plays, measures `ms` of frames, and says
 * how far the simulated clock went meanwhile (it must have moved). */
export async function playingFrameRate(page, ms) {
  const before = await page.evaluate(() => { window.scalelab.play(); return window.scalelab.state().now_ms; });
  const { frames, p95 } = await frameTimes(page, ms);
  const after = await page.evaluate(() => window.scalelab.state().now_ms);
  const fps = 1000 / (frames.reduce((a, b) => a + b, 0) / frames.length);
  return { fps, p95, simulated_ms: Math.round(after - before) };
}

/** Clicks a gallery entry and waits until the app shows it: a family in a
 * chunk of its own opens once that chunk has loaded, not within the click. */
export async function openPreset(page, id) {
  const before = await page.evaluate(() => window.scalelab.state().scene);
  await page.getByTestId(`preset-${id}`).click();
  await page.waitForFunction(([id, scene]) => {
    const s = window.scalelab.state();
    return s.preset === id && s.scene !== scene;
  }, [id, before]);
}
