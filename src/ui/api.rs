//! `window.scalelab`: the JavaScript API for test suites and docs sites
//! (documented in the README's "Headless contract").
//!
//! - `load(json)`: open a scenario (v1 JSON text or object), paused at time 0;
//!   throws the validation errors if it is invalid. Returns `true`, or, when
//!   the scenario's family has code not fetched yet (a chunk of the
//!   release build), a promise of `true` (rejected with the errors):
//!   `await` it.
//! - `runUntil(ms)`: run to simulated time `ms` at once (paused after).
//! - `run()`: run to the scenario's stop condition.
//! - `summary()`: the summary object `scalelab run --json` prints for the
//!   same scenario and seed, less `wall_s` and `events_per_s`.
//! - `screenshotReady()`: true once no seek is under way and the charts show
//!   the latest state.
//! - `link()`: a promise of a share link to the current state.
//! - `play()`, `pause()`.
//! - `state()`: `{now_ms, playing, seeking, finished, scene, nodes, preset, compare, checkpoints}`:
//!   the clock, playback, the scene's generation (it changes whenever the
//!   diagram is rebuilt), the ids of its nodes, the gallery entry, the A/B
//!   comparison's variant B (`null` when off), and
//!   `checkpoints: {count, bytes, every_events, restored_from_ms}` of
//!   variant A (what seeks restore from, and where the last one restarted).
//! - `scenario()`: the scenario as it stands (v1 JSON object, live edits
//!   on its timeline).
//! - `panicForTest(message)`: only with `?test-hooks=1`; panics on purpose,
//!   so a test can see the "Scale Lab hit a bug" notice.

use js_sys::{Object, Reflect};
use leptos::prelude::*;
use wasm_bindgen::prelude::*;

use super::state::Lab;
use super::url;
use crate::sim::Scenario;

fn set(obj: &Object, name: &str, f: JsValue) {
    Reflect::set(obj, &JsValue::from_str(name), &f).expect("setting a property on a plain object");
}

fn func0(f: impl Fn() -> Result<JsValue, JsValue> + 'static) -> JsValue {
    Closure::<dyn Fn() -> Result<JsValue, JsValue>>::new(f).into_js_value()
}

fn func1(f: impl Fn(JsValue) -> Result<JsValue, JsValue> + 'static) -> JsValue {
    Closure::<dyn Fn(JsValue) -> Result<JsValue, JsValue>>::new(f).into_js_value()
}

fn error(message: &str) -> JsValue {
    js_sys::Error::new(message).into()
}

/// Installs `window.scalelab` for this page's `Lab`.
pub fn install(lab: Lab) {
    let api = Object::new();
    set(
        &api,
        "load",
        func1(move |json| {
            let text = match json.as_string() {
                Some(t) => t,
                None => js_sys::JSON::stringify(&json)
                    .map(String::from)
                    .map_err(|_| error("load() takes scenario JSON text or an object"))?,
            };
            let open = move |text: &str| -> Result<JsValue, JsValue> {
                let scenario = Scenario::from_json(text).map_err(|e| error(&e.to_string()))?;
                lab.playing.set(false);
                lab.notice.set(None);
                lab.load(scenario, None, None);
                Ok(JsValue::TRUE)
            };
            let needed = crate::families::to_load_text(&text);
            if needed.is_empty() {
                return open(&text);
            }
            let ticket = lab.ticket();
            Ok(wasm_bindgen_futures::future_to_promise(async move {
                let loaded = crate::families::load_all(needed).await;
                if !lab.is_current(ticket) {
                    return Err(error(
                        "load() was superseded: another scenario was opened while this one's code loaded",
                    ));
                }
                loaded.map_err(|failed| error(&format!("{failed} Call load() again to retry.")))?;
                open(&text)
            })
            .into())
        }),
    );
    set(
        &api,
        "runUntil",
        func1(move |ms| {
            let ms = ms
                .as_f64()
                .filter(|m| m.is_finite() && *m >= 0.0)
                .ok_or_else(|| error("runUntil(ms) takes a number of simulated milliseconds, 0 or more"))?;
            lab.run_until((ms * 1e6).round() as u64);
            Ok(JsValue::UNDEFINED)
        }),
    );
    set(
        &api,
        "run",
        func0(move || {
            lab.run_until(u64::MAX);
            Ok(JsValue::UNDEFINED)
        }),
    );
    set(
        &api,
        "summary",
        func0(move || {
            let json =
                lab.sim.with_value(|s| serde_json::to_string(&s.summary())).map_err(|e| error(&e.to_string()))?;
            js_sys::JSON::parse(&json)
        }),
    );
    set(
        &api,
        "state",
        func0(move || {
            let frame = lab.frame.get_untracked();
            let (generation, ids) = lab.scene.with_untracked(|s| (s.generation, s.ids().to_vec()));
            let state = serde_json::json!({
                "now_ms": frame.now_ns as f64 / 1e6,
                "playing": lab.playing.get_untracked(),
                "seeking": lab.seek_to.get_untracked().is_some(),
                "finished": frame.finished,
                "scene": generation,
                "nodes": ids,
                "preset": lab.preset.get_untracked().map(|p| p.id),
                "compare": lab.compare.get_untracked().map(|c| c.b),
                "checkpoints": lab.checkpoint_stats(),
            });
            js_sys::JSON::parse(&state.to_string())
        }),
    );
    set(
        &api,
        "scenario",
        func0(move || {
            let json =
                lab.sim.with_value(|s| serde_json::to_string(&s.scenario().spec)).map_err(|e| error(&e.to_string()))?;
            js_sys::JSON::parse(&json)
        }),
    );
    set(&api, "screenshotReady", func0(move || Ok(JsValue::from_bool(lab.screenshot_ready()))));
    set(
        &api,
        "link",
        func0(move || {
            let state = lab.share_state();
            let link =
                async move { url::link_for(&state, false).await.map(|l| JsValue::from_str(&l)).map_err(|e| error(&e)) };
            Ok(wasm_bindgen_futures::future_to_promise(link).into())
        }),
    );
    set(
        &api,
        "play",
        func0(move || {
            lab.playing.set(true);
            Ok(JsValue::UNDEFINED)
        }),
    );
    set(
        &api,
        "pause",
        func0(move || {
            lab.playing.set(false);
            Ok(JsValue::UNDEFINED)
        }),
    );
    if lab.options.test_hooks {
        set(
            &api,
            "panicForTest",
            func1(move |message| panic!("{}", message.as_string().unwrap_or_else(|| "a deliberate panic".into()))),
        );
    }
    if let Some(w) = web_sys::window() {
        let _ = Reflect::set(&w, &JsValue::from_str("scalelab"), &api);
    }
}
