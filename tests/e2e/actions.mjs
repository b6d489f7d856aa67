// Everything a person can do in Scale Lab, as one list: the seeded random UI
// walk (walk.test.mjs) picks from it. A new panel adds its actions here.
//
// An action is { name, weight, needs?, run(page, r, mem) }: `needs` is a CSS
// selector that must match a visible element for the action to be offered
// (so the walk never wastes a pick on a panel that is not on show); `run`
// does it as a person would and returns a short description of what it did
// (the values it typed, the option it chose), printed when a walk fails.
// Actions that reload the page cost a second or so each, so they weigh less.

/** A small seeded PRNG (mulberry32): the same seed, the same walk. */
export function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const pick = (r, xs) => xs[Math.floor(r() * xs.length)];

/** What a walk remembers between actions: how often it chose each option,
 * so that choices lean towards what it has seen least (coverage-guided, as a
 * fuzzer's; a function of the walk's own history, so a replay repeats it). */
export function memory() {
  const counts = new Map();
  return {
    /** One of `xs` chosen least so far under `topic` (ties broken by `r`). */
    least(topic, r, xs) {
      const n = (x) => counts.get(`${topic}:${x}`) || 0;
      const min = Math.min(...xs.map(n));
      const x = pick(r, xs.filter((x) => n(x) === min));
      counts.set(`${topic}:${x}`, n(x) + 1);
      return x;
    },
  };
}

/** What people type into number fields when they are not careful. */
const HOSTILE = ['0', '-1', '-0.5', '1e12', '1e999', 'NaN', '', 'abc', '   ', '0.0001', '99999999999999999999', '12abc'];

/** A hostile value half the time, else a sensible one from `good`. */
const value = (r, good) => (r() < 0.5 ? pick(r, HOSTILE) : String(pick(r, good)));

const id = (testid) => `[data-testid="${testid}"]`;

/** Sets an input's value as typing would (number inputs keep what a browser keeps). */
async function type(page, selector, text) {
  await page.locator(selector).first().evaluate((el, text) => {
    el.focus();
    el.value = text;
    el.dispatchEvent(new Event('input', { bubbles: true }));
  }, text);
}

/** Moves a slider to a fraction of its range, as dragging does. */
async function slide(page, selector, frac) {
  return page.locator(selector).first().evaluate((el, frac) => {
    const lo = parseFloat(el.min || '0'), hi = parseFloat(el.max || '100');
    el.value = String(lo + frac * (hi - lo));
    el.dispatchEvent(new Event('input', { bubbles: true }));
    el.dispatchEvent(new Event('change', { bubbles: true }));
    return el.value;
  }, frac);
}

async function click(page, selector, options = {}) {
  const target = page.locator(selector).first();
  // On a phone a node's inspector is a sheet over the lower half of the
  // screen: a person closes it (×) to reach what is under it.
  const covered = await target.evaluate((el) => {
    const sheet = document.querySelector('.inspector.open');
    return !!sheet && getComputedStyle(sheet).position === 'fixed' && !sheet.contains(el);
  }).catch(() => false);
  if (covered) await page.locator('[data-testid=inspector-close]').click({ timeout: 2000 });
  try {
    await target.click({ timeout: 2000, ...options });
  } catch (e) {
    // A playing run can take a control away between the look and the
    // click (a removed server loses its Fail): that is the app being
    // right, not a click that failed. One still there and not taking the
    // click (covered, replaced every frame) is a failure.
    if (await page.locator(selector).count() === 0) return 'gone before the click: the run moved on';
    throw e;
  }
}

/** Chooses a random option of a select. */
async function choose(page, selector, r) {
  const n = await page.locator(`${selector} option`).count();
  const k = Math.floor(r() * n);
  await page.locator(selector).first().selectOption({ index: k }, { timeout: 2000 });
  return `option ${k} of ${n}`;
}

/** A key pressed with nothing focused (as after clicking the page), or sometimes into whatever has focus. */
async function key(page, r, k) {
  if (r() < 0.85) await page.evaluate(() => document.activeElement?.blur?.());
  await page.keyboard.press(k);
  return k;
}

/** Reopens the page at `url` (a fragment change alone does not reload the app). */
async function reopen(page, url) {
  await page.goto(url);
  await page.reload();
  await page.waitForFunction(() => window.scalelab !== undefined);
}

/** Nodes on the diagram (a removed server, or one not yet added, is hidden). */
const SHOWN_NODE = '[data-testid=topology] g.node:not(.absent)';

const base = (page) => page.url().split(/[?#]/)[0];

export const ACTIONS = [
  // The gallery.
  { name: 'open a preset', weight: 3, needs: '[data-testid^=preset-]', run: async (page, r, mem) => {
    const ids = await page.$$eval('[data-testid^=preset-]', (els) => els.map((e) => e.dataset.testid));
    const testid = mem.least('preset', r, ids);
    await click(page, id(testid));
    return testid;
  } },
  { name: 'open or close the gallery (phone)', weight: 2, needs: id('gallery-toggle'), run: (page) => click(page, id('gallery-toggle')) },
  // The address: a link pasted into this tab (no reload), Back and Forward.
  { name: 'paste a link into this tab', weight: 0.5, run: async (page) => {
    const link = await page.evaluate(() => window.scalelab.link());
    await page.goto(link);
    await page.waitForFunction(() => window.scalelab !== undefined);
    return `${link.length} characters`;
  } },
  { name: 'Back or Forward', weight: 1, run: async (page, r) => {
    const back = r() < 0.6;
    await (back ? page.goBack() : page.goForward()).catch(() => null);
    // Before the page's first entry there is no Scale Lab: come back to it.
    if (!page.url().startsWith(base(page)) || page.url().startsWith('about:')) await page.goForward();
    await page.waitForFunction(() => window.scalelab !== undefined);
    return back ? 'back' : 'forward';
  } },
  { name: 'skip link to Play', weight: 0.5, needs: id('skip-link'), run: async (page) => {
    await page.locator(id('skip-link')).focus();
    await page.keyboard.press('Enter');
    return page.evaluate(() => document.activeElement?.dataset?.testid || 'nothing focused');
  } },
  { name: 'dismiss the note', weight: 1, needs: id('note-dismiss'), run: async (page) => {
    const button = page.locator(id('note-dismiss'));
    await button.first().click({ timeout: 2000 }).catch(async (e) => { if (await button.count()) throw e; });
  } },
  // Playback, by button and by key.
  { name: 'play/pause button', weight: 3, needs: id('play'), run: (page) => click(page, id('play')) },
  { name: 'step button', weight: 1, needs: id('step'), run: (page) => click(page, id('step')) },
  { name: 'reset button', weight: 1, needs: id('reset'), run: (page) => click(page, id('reset')) },
  { name: 'key Space', weight: 2, run: (page, r) => key(page, r, ' ') },
  { name: 'key → (step)', weight: 1, run: (page, r) => key(page, r, 'ArrowRight') },
  { name: 'key R (reset)', weight: 1, run: (page, r) => key(page, r, 'r') },
  { name: 'key + (faster)', weight: 1, run: (page, r) => key(page, r, '+') },
  { name: 'key − (slower)', weight: 1, run: (page, r) => key(page, r, '-') },
  { name: 'key Esc (close inspector)', weight: 1, run: (page, r) => key(page, r, 'Escape') },
  { name: 'speed slider', weight: 2, needs: id('speed'), run: (page, r) => slide(page, id('speed'), r()) },
  // Seeds.
  { name: 'type a seed', weight: 1, needs: id('seed'), run: async (page, r) => {
    const v = value(r, [1, 42, 123456, 0, '18446744073709551615']);
    await type(page, id('seed'), v);
    await page.locator(id('seed')).press('Enter');
    return JSON.stringify(v);
  } },
  { name: 'new seed', weight: 1, needs: id('new-seed'), run: (page) => click(page, id('new-seed')) },
  // A message for the person (a refused edit or link, a chunk that did not load).
  // A notice may end on its own meanwhile (a chunk that arrives): only one still there must take the click.
  { name: 'dismiss the notice', weight: 1, needs: id('notice-dismiss'), run: async (page) => {
    const button = page.locator(id('notice-dismiss'));
    await button.first().click({ timeout: 2000 }).catch(async (e) => { if (await button.count()) throw e; });
  } },
  { name: 'utilisation slider', weight: 2, needs: id('utilisation'), run: (page, r) => slide(page, id('utilisation'), r()) },
  // The diagram and the inspector.
  { name: 'click a node', weight: 6, needs: SHOWN_NODE, run: async (page, r, mem) => {
    // A kind first (the one inspected least so far), then a node of it: a
    // balancer among eight servers gets its turn.
    const nodes = await page.$$eval(SHOWN_NODE, (els) => els.map((e) => [e.dataset.id, e.classList[1]]));
    const kinds = [...new Set(nodes.map(([, kind]) => kind))];
    const kind = mem.least('kind', r, kinds);
    const node = pick(r, nodes.filter(([, k]) => k === kind).map(([id]) => id));
    await page.locator(`[data-testid=topology] g.node[data-id="${node}"]`).dispatchEvent('click');
    return node;
  } },
  { name: 'Tab to a node and press Enter', weight: 1, needs: SHOWN_NODE, run: async (page, r) => {
    const nodes = page.locator(SHOWN_NODE);
    const k = Math.floor(r() * (await nodes.count()));
    await nodes.nth(k).focus();
    await page.keyboard.press('Enter');
    return `node ${k}`;
  } },
  { name: 'close the inspector (×)', weight: 1, needs: id('inspector-close'), run: (page) => click(page, id('inspector-close')) },
  { name: 'hover a node', weight: 1, needs: SHOWN_NODE, run: async (page, r) => {
    const nodes = page.locator(SHOWN_NODE);
    const k = Math.floor(r() * (await nodes.count()));
    await nodes.nth(k).hover({ timeout: 2000, force: true });
    return `node ${k}`;
  } },
  { name: 'edit the arrival rate', weight: 4, needs: id('edit-rate'), run: async (page, r) => {
    const v = value(r, [1, 50, 500, 2000, 9000]);
    await type(page, id('edit-rate'), v);
    await click(page, id('apply-rate'));
    return JSON.stringify(v);
  } },
  { name: 'edit workers and service time', weight: 4, needs: id('edit-workers'), run: async (page, r) => {
    const w = value(r, [1, 2, 8, 64]);
    const m = value(r, [0.5, 5, 20, 100]);
    await type(page, id('edit-workers'), w);
    await type(page, id('edit-service-mean'), m);
    await click(page, id('apply-server'));
    return `workers ${JSON.stringify(w)}, mean ${JSON.stringify(m)}`;
  } },
  { name: 'Apply with nothing changed', weight: 1, needs: id('apply-server'), run: (page) => click(page, id('apply-server')) },
  { name: 'edit a cache\'s capacity', weight: 3, needs: id('edit-cache-capacity'), run: async (page, r) => {
    const v = value(r, [1, 100, 5000, 50000]);
    await type(page, id('edit-cache-capacity'), v);
    await click(page, id('apply-cache-capacity'));
    return JSON.stringify(v);
  } },
  // The URL shortener: its editors, the estimator and its button.
  { name: 'edit the users\' writes and redirects', weight: 3, needs: id('edit-writes'), run: async (page, r) => {
    const w = value(r, [0, 10, 200, 3000]);
    const g = value(r, [0, 100, 2000, 20000]);
    await type(page, id('edit-writes'), w);
    await type(page, id('edit-redirects'), g);
    await click(page, id('apply-users'));
    return `writes ${JSON.stringify(w)}, redirects ${JSON.stringify(g)}`;
  } },
  { name: 'type into the estimator', weight: 3, needs: id('est-urls'), run: async (page, r) => {
    const field = pick(r, ['est-urls', 'est-reads', 'est-years', 'est-bytes', 'est-peak']);
    const v = value(r, [1, 2, 10, 100, 1e7, 1e9]);
    await type(page, id(field), v);
    return `${field} ${JSON.stringify(v)}`;
  } },
  { name: 'apply the estimate', weight: 2, needs: id('estimate-apply'), run: (page) => click(page, id('estimate-apply')) },
  { name: 'hover a shortener story', weight: 1, needs: `${id('shortener-stories')} li`, run: async (page, r) => {
    const items = page.locator(`${id('shortener-stories')} li`);
    const k = Math.floor(r() * (await items.count()));
    await items.nth(k).hover({ timeout: 2000, force: true });
    return `story ${k}`;
  } },
  // Chat: the people's mode, rate and reconnect policy, a login wave and a
  // flap; a server's cores, connection limit and registry; the estimator.
  { name: 'edit the chat message rate', weight: 3, needs: id('edit-chat-rate'), run: async (page, r) => {
    const v = value(r, [0, 5, 60, 3600, 5000]);
    await type(page, id('edit-chat-rate'), v);
    await click(page, id('apply-chat-rate'));
    return JSON.stringify(v);
  } },
  { name: 'edit a chat server', weight: 3, needs: id('edit-chat-max'), run: async (page, r) => {
    const w = value(r, [1, 4, 64]);
    const m = value(r, [1, 100, 3000, 1e9]);
    await type(page, id('edit-chat-cores'), w);
    await type(page, id('edit-chat-max'), m);
    await click(page, id('apply-chat-server'));
    return `cores ${JSON.stringify(w)}, max ${JSON.stringify(m)}`;
  } },
  { name: 'type into the chat estimator', weight: 3, needs: id('chat-est-users'), run: async (page, r) => {
    const field = pick(r, ['chat-est-users', 'chat-est-messages', 'chat-est-bytes', 'chat-est-years', 'chat-est-conns', 'chat-est-online', 'chat-est-peak']);
    const v = value(r, [0.1, 1, 40, 1e5, 2.5e8]);
    await type(page, id(field), v);
    return `${field} ${JSON.stringify(v)}`;
  } },
  { name: 'apply the chat estimate', weight: 2, needs: id('chat-estimate-apply'), run: (page) => click(page, id('chat-estimate-apply')) },
  { name: 'hover a chat story', weight: 1, needs: `${id('chat-stories')} li`, run: async (page, r) => {
    const items = page.locator(`${id('chat-stories')} li`);
    const k = Math.floor(r() * (await items.count()));
    await items.nth(k).hover({ timeout: 2000, force: true });
    return `story ${k}`;
  } },
  ...['edit-chat-mode', 'edit-chat-reconnect'].map((t) => ({
    name: `choose ${t}`, weight: 3, needs: id(t), run: (page, r) => choose(page, id(t), r),
  })),
  ...['chat-login-wave', 'chat-flap', 'chat-registry-toggle'].map((t) => ({
    name: `press ${t}`, weight: 2, needs: id(t), run: (page) => click(page, id(t)),
  })),
  ...['edit-strategy', 'edit-hash', 'edit-length', 'edit-block', 'edit-pad', 'edit-redirect', 'edit-viral'].map((t) => ({
    name: `choose ${t}`, weight: 3, needs: id(t), run: (page, r) => choose(page, id(t), r),
  })),
  ...['edit-clock-back', 'edit-clock-fix'].map((t) => ({
    name: `press ${t}`, weight: 2, needs: id(t), run: (page) => click(page, id(t)),
  })),
  ...['edit-replication', 'edit-read-from', 'edit-member', 'edit-zk-server', 'edit-on-partition'].map((t) => ({
    name: `choose ${t}`, weight: 3, needs: id(t), run: (page, r) => choose(page, id(t), r),
  })),
  ...['fail-member', 'recover-member', 'kill-primary', 'fail-zk-server', 'recover-zk-server', 'kill-zk-leader'].map((t) => ({
    name: `press ${t}`, weight: 3, needs: id(t), run: (page) => click(page, id(t)),
  })),
  ...['edit-acks', 'edit-algorithm', 'edit-hold-worker', 'edit-partitioning', 'edit-routing', 'edit-vnodes', 'edit-shard'].map((t) => ({
    name: `choose ${t}`, weight: 4, needs: id(t), run: (page, r) => choose(page, id(t), r),
  })),
  ...['fail', 'recover', 'remove-server', 'add-server', 'fail-shard', 'recover-shard', 'remove-shard', 'add-shard', 'partition', 'heal'].map((t) => ({
    name: `press ${t}`, weight: 4, needs: id(t), run: (page) => click(page, id(t)),
  })),
  { name: 'fail or recover a Kafka broker', weight: 3, needs: '[data-testid^=fail-broker-], [data-testid^=recover-broker-]', run: async (page, r) => {
    const ids = await page.$$eval('[data-testid^=fail-broker-], [data-testid^=recover-broker-]', (els) => els.map((e) => e.dataset.testid));
    const t = pick(r, ids);
    await click(page, id(t));
    return t;
  } },
  // Compare, the time cursor and the charts.
  { name: 'choose a compare variant', weight: 2, needs: id('compare-select'), run: (page, r) => choose(page, id('compare-select'), r) },
  { name: 'drag the time cursor', weight: 2, needs: id('time-cursor'), run: (page, r) => slide(page, id('time-cursor'), r()) },
  { name: 'click a chart', weight: 2, needs: 'canvas.chart', run: async (page, r) => {
    const charts = ['latency-chart', 'throughput-chart', 'utilisation-chart'];
    const chart = pick(r, charts);
    const box = await page.locator(id(chart)).boundingBox();
    if (!box) return `${chart} not on screen`;
    const position = { x: Math.max(1, r() * box.width - 1), y: Math.max(1, r() * box.height - 1) };
    await page.locator(id(chart)).click({ position, timeout: 2000, force: true });
    return `${chart} at ${position.x.toFixed(0)},${position.y.toFixed(0)}`;
  } },
  // The broker panel and the ring view.
  { name: 'click a recent message', weight: 2, needs: `${id('recent-messages')} button`, run: async (page, r) => {
    const items = page.locator(`${id('recent-messages')} button`);
    const k = Math.floor(r() * (await items.count()));
    await items.nth(k).dispatchEvent('click');
    return `message ${k}`;
  } },
  { name: 'point at and click the ring', weight: 2, needs: id('ring-canvas'), run: async (page, r) => {
    const box = await page.locator(id('ring-canvas')).boundingBox();
    if (!box) return 'ring not on screen';
    const position = { x: r() * box.width * 0.6, y: r() * box.height };
    await page.locator(id('ring-canvas')).hover({ position, timeout: 2000, force: true });
    await page.locator(id('ring-canvas')).click({ position, timeout: 2000, force: true });
    return `at ${position.x.toFixed(0)},${position.y.toFixed(0)}`;
  } },
  // Sharing, embedding and exports.
  { name: 'copy-link round trip', weight: 0.5, run: async (page) => {
    const link = await page.evaluate(() => window.scalelab.link());
    const before = await page.evaluate(() => JSON.stringify(window.scalelab.scenario()));
    await reopen(page, link);
    const after = await page.evaluate(() => JSON.stringify(window.scalelab.scenario()));
    if (before !== after) throw new Error(`the link did not restore the scenario:\n${before}\n${after}`);
    return `${link.length} characters`;
  } },
  { name: 'open as an embed', weight: 0.5, run: async (page) => {
    const link = await page.evaluate(() => window.scalelab.link());
    const [, fragment] = link.split('#');
    await reopen(page, `${base(page)}?embed=1#${fragment}`);
    return 'embed';
  } },
  { name: 'back to the full app', weight: 0.5, needs: id('embed-view'), run: async (page) => {
    await reopen(page, base(page));
    return 'full';
  } },
  { name: 'press copy link / embed / exports', weight: 1, needs: id('copy-link'), run: async (page, r) => {
    const t = pick(r, ['copy-link', 'embed', 'export-csv', 'export-json', 'export-svg']);
    await click(page, id(t));
    return t;
  } },
  // Layouts.
  { name: 'narrow or wide window', weight: 1, run: async (page, r) => {
    const size = pick(r, [{ width: 390, height: 800 }, { width: 900, height: 700 }, { width: 1280, height: 800 }]);
    await page.setViewportSize(size);
    return `${size.width}×${size.height}`;
  } },
  { name: 'reduced motion on or off (reopens)', weight: 0.5, run: async (page, r) => {
    const motion = pick(r, ['reduce', 'no-preference']);
    await page.emulateMedia({ reducedMotion: motion });
    const link = await page.evaluate(() => window.scalelab.link());
    await reopen(page, link);
    return motion;
  } },
  { name: 'dark or light', weight: 1, run: async (page, r) => {
    const scheme = pick(r, ['dark', 'light']);
    await page.emulateMedia({ colorScheme: scheme });
    return scheme;
  } },
];
