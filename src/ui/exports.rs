//! The benchmark, exported to JavaScript (`window.wasmBindings.bench` in the
//! built app) for measuring the engine's speed in the browser. Running
//! scenarios headless is `window.scalelab` (see `api.rs`).

use wasm_bindgen::prelude::*;

use crate::presets;
use crate::sim::{Scenario, Simulation};

/// The CLI's benchmark in the browser: the M/M/8 preset for `requests`
/// requests, then the hand-written M/M/c baseline on the same model (what
/// tells this engine's wasm slowdown from the platform's). Returns
/// `{"events", "wall_ms", "events_per_s", "requests_per_s", "baseline_requests_per_s"}`.
#[wasm_bindgen]
pub fn bench(requests: u32) -> String {
    let scenario = Scenario::from_json(presets::MM8_JSON)
        .expect("the M/M/8 preset is valid")
        .with_stop_requests(u64::from(requests));
    let perf = web_sys::window().and_then(|w| w.performance());
    let now = || perf.as_ref().map_or(0.0, |p| p.now());
    let t0 = now();
    let summary = Simulation::new(&scenario).run();
    let t1 = now();
    let b = crate::sim::baseline::mmc(8, 6.4, 1000.0, u64::from(requests), scenario.spec.seed);
    let (wall_ms, baseline_ms) = (t1 - t0, now() - t1);
    format!(
        r#"{{"events":{},"wall_ms":{wall_ms},"events_per_s":{},"requests_per_s":{},"baseline_requests_per_s":{}}}"#,
        summary.events,
        summary.events as f64 / (wall_ms / 1e3),
        summary.completed as f64 / (wall_ms / 1e3),
        b.completed as f64 / (baseline_ms / 1e3)
    )
}
