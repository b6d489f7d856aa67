//! The benchmark, exported to JavaScript (`window.wasmBindings.bench` in the
//! built app) for measuring the engine's speed in the browser. Running
//! scenarios headless is `window.scalelab` (see `api.rs`).

use wasm_bindgen::prelude::*;

use crate::presets;
use crate::sim::{Scenario, Simulation};

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
