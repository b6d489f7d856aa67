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
    /// Its time cursor, as of the last frame (seconds).
    static LAST_T_S: Cell<f64> = const { Cell::new(0.0) };
}

/// Keeps `state` as the one a reload after a panic restores.
pub fn remember(state: ShareState) {
    LAST.with(|l| {
        if let Ok(mut l) = l.try_borrow_mut() {
            *l = Some(state);
        }
    });
}

/// Moves the remembered state's time cursor (cheap: called every frame).
pub fn remember_time(t_s: f64) {
    LAST_T_S.with(|t| t.set(t_s));
}

/// The remembered state as share-link JSON ("" if there is none).
fn last_state_json() -> String {
    let state = LAST.with(|l| l.try_borrow().ok().and_then(|l| l.clone()));
    state
        .map(|mut s| {
            s.t_s = LAST_T_S.with(Cell::get);
            String::from_utf8(share::state_json(&s)).unwrap_or_default()
        })
        .unwrap_or_default()
}

/// Installs the panic hook: the console message, then the notice.
pub fn install() {
    std::panic::set_hook(Box::new(|info| {
        console_error_panic_hook::hook(info);
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
  const base = location.origin + location.pathname + location.search;
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
  reload.focus();
}
"#)]
extern "C" {
    fn show_crash(message: &str, state_json: &str);
}
