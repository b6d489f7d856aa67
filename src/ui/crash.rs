//! A way back from a bug: if the app panics, the page says so and offers to
//! reload the scenario as it was, instead of leaving a frozen app.
//!
//! ```text
//!   Lab::refresh / load / edit ──remember──► LAST (share state, time)
//!   panic! ──hook──► console error + show_crash(message, state JSON)
//!                       │ pure JavaScript from here: the wasm instance is
//!                       ▼ dead after a panic (panic = "abort"), so nothing
//!   "Scale Lab hit a bug"   below calls back into it
//!   [Reload this scenario] → the share link of LAST, opened afresh
//!   [Copy report]          → message + link + browser, to the clipboard
//!   [Start over]           → the page without its link
//! ```
//! The notice is plain DOM built by JavaScript (`show_crash` below), not a
//! Leptos view: the reactive system may be mid-update when a panic strikes.

use std::cell::{Cell, RefCell};

use wasm_bindgen::prelude::*;

use crate::share::{self, ShareState};

thread_local! {
    /// The state a reload restores, as of the last load or edit.
    static LAST: RefCell<Option<ShareState>> = const { RefCell::new(None) };
    /// Its time cursor and speed, as of the last frame.
    static LAST_T_S: Cell<f64> = const { Cell::new(0.0) };
    static LAST_SPEED: Cell<f64> = const { Cell::new(1.0) };
    /// Set by the panic hook: the app must not run on behind the notice.
    static CRASHED: Cell<bool> = const { Cell::new(false) };
}

/// Whether the app has panicked: the frame loop, the keys and the API stop.
pub fn crashed() -> bool {
    CRASHED.with(Cell::get)
}

/// Keeps `state` as the one a reload after a panic restores.
pub fn remember(state: ShareState) {
    LAST.with(|l| {
        if let Ok(mut l) = l.try_borrow_mut() {
            *l = Some(state);
        }
    });
}

/// Moves the remembered state's time cursor and speed (cheap: called every
/// frame).
pub fn remember_moment(t_s: f64, speed: f64) {
    LAST_T_S.with(|t| t.set(t_s));
    LAST_SPEED.with(|s| s.set(speed));
}

/// The remembered state as share-link JSON ("" if there is none).
fn last_state_json() -> String {
    let state = LAST.with(|l| l.try_borrow().ok().and_then(|l| l.clone()));
    state
        .map(|mut s| {
            s.t_s = LAST_T_S.with(Cell::get);
            s.speed = LAST_SPEED.with(Cell::get);
            String::from_utf8(share::state_json(&s)).unwrap_or_default()
        })
        .unwrap_or_default()
}

/// Installs the panic hook: the console message, then the notice.
pub fn install() {
    std::panic::set_hook(Box::new(|info| {
        let again = CRASHED.with(|c| c.replace(true));
        console_error_panic_hook::hook(info);
        if again {
            return;
        }
        show_crash(&info.to_string(), &last_state_json());
    }));
}

#[wasm_bindgen(inline_js = r#"
function b64url(bytes) {
  let s = '';
  for (const b of bytes) s += String.fromCharCode(b);
  return btoa(s).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}
async function linkFor(stateJson) {
  // The page's own options survive; ?t= and ?speed= would override the
  // link's moment, and ?preset= its scenario, so they go.
  const query = new URLSearchParams(location.search);
  for (const k of [...query.keys()]) if (!['embed', 'test-hooks', 'autoplay'].includes(k)) query.delete(k);
  const base = location.origin + location.pathname + (query.size ? '?' + query : '');
  if (!stateJson) return base;
  const stream = new Blob([stateJson]).stream().pipeThrough(new CompressionStream('deflate-raw'));
  const packed = new Uint8Array(await new Response(stream).arrayBuffer());
  return base + '#v1.' + b64url(packed);
}
export function show_crash(message, stateJson) {
  if (document.querySelector('[data-testid=crash]')) return;
  const el = (tag, attrs, text) => {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
    if (text) e.textContent = text;
    return e;
  };
  const veil = el('div', { class: 'crash-veil', 'data-testid': 'crash' });
  const box = el('div', { class: 'crash', role: 'alertdialog', 'aria-modal': 'true', 'aria-labelledby': 'crash-title' });
  box.append(
    el('h2', { id: 'crash-title' }, 'Scale Lab hit a bug'),
    el('p', {}, 'The app stopped and cannot go on in this page. Your scenario is safe: reload it as it was, ' +
      'or copy the report below and send it to us with what you were doing.'),
  );
  const buttons = el('div', { class: 'buttons' });
  const reload = el('button', { class: 'primary', 'data-testid': 'crash-reload' }, 'Reload this scenario');
  const copy = el('button', { 'data-testid': 'crash-copy' }, 'Copy report');
  const fresh = el('button', { 'data-testid': 'crash-start-over', title: 'Open Scale Lab without this scenario' }, 'Start over');
  buttons.append(reload, copy, fresh);
  const report = el('textarea', { readonly: '', rows: '7', 'data-testid': 'crash-report', 'aria-label': 'Bug report' });
  const lines = (link) => ['Scale Lab hit a bug', 'panic: ' + message, 'link: ' + link, 'browser: ' + navigator.userAgent].join('\n');
  report.value = lines('(making the link…)');
  box.append(buttons, report);
  veil.append(box);
  document.body.append(veil);
  const link = linkFor(stateJson).catch(() => location.origin + location.pathname);
  link.then((l) => { report.value = lines(l); box.dataset.link = l; });
  reload.addEventListener('click', async () => {
    history.replaceState(null, '', await link);
    location.reload();
  });
  copy.addEventListener('click', async () => {
    report.select();
    try { await navigator.clipboard.writeText(report.value); copy.textContent = 'Copied'; }
    catch { document.execCommand('copy'); copy.textContent = 'Selected: press Ctrl+C'; }
  });
  fresh.addEventListener('click', () => { location.assign(location.origin + location.pathname); });
  // Keys pressed in the notice are the notice's: the app's shortcuts would
  // call into the stopped app.
  veil.addEventListener('keydown', (e) => e.stopPropagation());
  reload.focus();
}
"#)]
extern "C" {
    fn show_crash(message: &str, state_json: &str);
}
