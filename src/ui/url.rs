//! What the page's URL asks for (the headless contract, documented in the
//! README): `?embed=1`, `?autoplay=0`, `?t=30s`, `?speed=10`,
//! `?preset=<id>`, and a share link's state in the fragment (`#v1.…`).

use crate::presets;
use crate::share::{self, LinkError, ShareState};
use crate::sim::Scenario;

use super::state::{MAX_SPEED, MIN_SPEED, PageOptions};

/// What the address asks for: how the app should start, and what it opens
/// when the address changes (a link pasted into the tab, Back, Forward).
pub struct Startup {
    pub options: PageOptions,
    /// The fragment's state, if it had one (an error if it was unreadable).
    pub link: Option<Result<(ShareState, Scenario), LinkError>>,
    /// `?preset=`: the gallery entry, or the id no preset has.
    pub preset: Option<Result<usize, String>>,
    /// `?t=`: overrides the link's time cursor.
    pub t_s: Option<f64>,
    /// `?speed=`: overrides the link's or the preset's speed.
    pub speed: Option<f64>,
}

fn reduced_motion() -> bool {
    web_sys::window()
        .and_then(|w| w.match_media("(prefers-reduced-motion: reduce)").ok().flatten())
        .is_some_and(|m| m.matches())
}

pub fn read() -> Startup {
    let location = web_sys::window().map(|w| w.location());
    let search = location.as_ref().and_then(|l| l.search().ok()).unwrap_or_default();
    let hash = location.as_ref().and_then(|l| l.hash().ok()).unwrap_or_default();
    let params = web_sys::UrlSearchParams::new_with_str(&search).ok();
    let get = |k: &str| params.as_ref().and_then(|p| p.get(k));
    let flag = |k: &str, default: bool| get(k).map_or(default, |v| !matches!(v.as_str(), "0" | "false" | "no"));
    let options = PageOptions {
        embed: flag("embed", false),
        autoplay: flag("autoplay", true),
        reduced_motion: reduced_motion(),
        test_hooks: flag("test-hooks", false),
    };
    let link = (hash.len() > 1).then(|| share::decode(&hash, &crate::families::KINDS));
    Startup {
        options,
        link,
        preset: get("preset").map(|id| presets::all().iter().position(|p| p.id == id).ok_or(id)),
        t_s: get("t").and_then(|t| share::parse_time_s(&t)),
        speed: get("speed")
            .and_then(|s| crate::share::parse_number(s.trim_end_matches(['x', '×'])))
            .map(|s| s.clamp(MIN_SPEED, MAX_SPEED)),
    }
}

/// The words for an unknown `?preset=`.
pub fn unknown_preset(id: &str) -> String {
    let near: Vec<String> = presets::nearest(id).into_iter().map(|n| format!("`{n}`")).collect();
    format!(
        "No scenario is called `{id}`. The nearest are {}; the gallery lists them all. The default scenario is open instead.",
        near.join(", ")
    )
}

/// The address for preset `id`: `?preset=<id>`, keeping the page's other
/// options in their order (`embed`, `autoplay`, `test-hooks`…) but not a
/// moment or speed of the scenario it leaves, and no link fragment.
pub fn preset_address(id: &str) -> String {
    let search = web_sys::window().and_then(|w| w.location().search().ok()).unwrap_or_default();
    let mut kept: Vec<&str> = search
        .trim_start_matches('?')
        .split('&')
        .filter(|kv| !kv.is_empty() && !["preset", "t", "speed"].contains(&kv.split('=').next().unwrap_or("")))
        .collect();
    let preset = format!("preset={id}");
    kept.push(&preset);
    format!("{}?{}", base_url(), kept.join("&"))
}

/// A new history entry for preset `id` (a choice in the gallery), so Back
/// returns to the scenario before it (none when the address is that
/// already). Returns the address now on show.
pub fn push_preset(id: &str) -> String {
    let address = preset_address(id);
    if href() != address
        && let Some(h) = web_sys::window().and_then(|w| w.history().ok())
    {
        let _ = h.push_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&address));
    }
    href()
}

/// The page's whole address.
pub fn href() -> String {
    web_sys::window().and_then(|w| w.location().href().ok()).unwrap_or_default()
}

/// The page's address without query or fragment.
pub fn base_url() -> String {
    web_sys::window()
        .and_then(|w| {
            let l = w.location();
            Some(format!("{}{}", l.origin().ok()?, l.pathname().ok()?))
        })
        .unwrap_or_default()
}

#[wasm_bindgen::prelude::wasm_bindgen(inline_js = "
export async function deflate_raw(bytes) {
  const stream = new Blob([bytes]).stream().pipeThrough(new CompressionStream('deflate-raw'));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}
export async function fetch_text_js(path) {
  // This module is <package>/snippets/<crate>/inline0.js: `path` is the
  // package's (scripts/build-release.mjs puts the preset files there).
  const r = await fetch(new URL(`../../${path}`, import.meta.url));
  if (!r.ok) throw new Error(`${path}: HTTP ${r.status}`);
  return await r.text();
}")]
extern "C" {
    #[wasm_bindgen::prelude::wasm_bindgen(catch)]
    async fn deflate_raw(bytes: &[u8]) -> Result<wasm_bindgen::JsValue, wasm_bindgen::JsValue>;
    #[wasm_bindgen::prelude::wasm_bindgen(catch)]
    async fn fetch_text_js(path: &str) -> Result<wasm_bindgen::JsValue, wasm_bindgen::JsValue>;
}

/// The text at `path`, relative to the wasm package's folder (a preset's
/// file, `Preset::path`), or why not.
pub async fn fetch_text(path: &str) -> Result<String, String> {
    let text = fetch_text_js(path).await.map_err(|e| format!("{e:?}"))?;
    text.as_string().ok_or_else(|| format!("{path}: not text"))
}

/// A link that opens `state` (with `?embed=1` for embeds).
pub async fn link_for(state: &ShareState, embed: bool) -> Result<String, String> {
    let packed =
        deflate_raw(&share::state_json(state)).await.map_err(|e| format!("cannot compress the link: {e:?}"))?;
    let packed = js_sys::Uint8Array::new(&packed).to_vec();
    Ok(format!("{}{}#{}", base_url(), if embed { "?embed=1" } else { "" }, share::fragment_from_deflated(&packed)))
}

/// What the address opens: the presets it names (the share link's, which a
/// reset reopens, and `?preset=`'s) and the share link's scenario.
pub fn wanted() -> (Vec<&'static crate::families::preset::Preset>, Vec<serde_json::Value>) {
    let location = web_sys::window().map(|w| w.location());
    let hash = location.as_ref().and_then(|l| l.hash().ok()).unwrap_or_default();
    let search = location.as_ref().and_then(|l| l.search().ok()).unwrap_or_default();
    let mut scenarios = Vec::new();
    let mut preset_ids = Vec::new();
    if hash.len() > 1
        && let Some(mut state) = share::state_json_of(&hash)
    {
        if let Some(id) = state.get("preset").and_then(|p| p.as_str()) {
            preset_ids.push(id.to_string());
        }
        if let Some(scenario) = state.get_mut("scenario") {
            scenarios.push(scenario.take());
        }
    }
    preset_ids.extend(web_sys::UrlSearchParams::new_with_str(&search).ok().and_then(|p| p.get("preset")));
    (preset_ids.iter().filter_map(|id| presets::by_id(id)).collect(), scenarios)
}

/// The families whose code (or preset files) the address needs and the
/// page has not fetched (`families::to_fetch`). The default scenario
/// needs none.
pub fn families_needed() -> Vec<&'static crate::families::Family> {
    let (presets, scenarios) = wanted();
    crate::families::to_fetch(&presets, &scenarios)
}
