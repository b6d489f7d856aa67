//! Functions exported to JavaScript (reachable as `window.wasmBindings.*`
//! in the built app): the engine without the UI, for the end-to-end tests
//! that compare wasm with the native CLI, and for measuring wasm speed.

use wasm_bindgen::prelude::*;

use crate::presets;
use crate::sim::{Scenario, Simulation};

/// Runs a scenario (v1 JSON) to its stop condition and returns the summary
/// as JSON: the same object `scalelab run --json` prints, less its
/// wall-clock fields. Invalid input throws the validation errors as text.
#[wasm_bindgen]
pub fn run_scenario_json(json: &str) -> Result<String, JsValue> {
    let scenario = Scenario::from_json(json).map_err(|e| JsValue::from_str(&e.to_string()))?;
    let summary = Simulation::new(&scenario).run();
    serde_json::to_string(&summary).map_err(|e| JsValue::from_str(&e.to_string()))
}

/// The CLI's benchmark in the browser: the M/M/8 preset for `requests`
/// requests. Returns `{"events": N, "wall_ms": T, "events_per_s": R}`.
#[wasm_bindgen]
pub fn bench(requests: u32) -> String {
    let scenario = Scenario::from_json(presets::MM8_JSON)
        .expect("the M/M/8 preset is valid")
        .with_stop_requests(u64::from(requests));
    let perf = web_sys::window().and_then(|w| w.performance());
    let t0 = perf.as_ref().map_or(0.0, |p| p.now());
    let summary = Simulation::new(&scenario).run();
    let wall_ms = perf.as_ref().map_or(0.0, |p| p.now()) - t0;
    format!(
        r#"{{"events":{},"wall_ms":{wall_ms},"events_per_s":{}}}"#,
        summary.events,
        summary.events as f64 / (wall_ms / 1e3)
    )
}
