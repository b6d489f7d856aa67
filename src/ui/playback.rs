//! `use_playback`: the loop that moves simulated time forward.
//!
//! Every `TICK_MS` of wall time it advances the simulation by the wall time
//! that really passed × `speed`, processing at most `EVENT_BUDGET` events, so
//! a fast speed or a heavy scenario slows the simulated clock instead of
//! freezing the tab. The interval is cleared when the owner is disposed.

use gloo_timers::callback::Interval;
use leptos::prelude::*;
use send_wrapper::SendWrapper;

use crate::sim::Progress;

/// Wall-clock milliseconds between ticks.
pub const TICK_MS: u32 = 16;
/// Most events one tick may process (keeps a tick well under a frame).
pub const EVENT_BUDGET: u64 = 150_000;
/// Longest wall-time gap a tick catches up (after a background tab).
const MAX_CATCH_UP_MS: f64 = 250.0;

fn now_ms() -> f64 {
    web_sys::window().and_then(|w| w.performance()).map_or(0.0, |p| p.now())
}

/// Calls `advance(simulated_ns)` every tick while `playing` is true.
/// `advance` returns how far it got; a `Finished` run pauses playback.
pub fn use_playback(playing: RwSignal<bool>, speed: RwSignal<f64>, mut advance: impl FnMut(u64) -> Progress + 'static) {
    let mut last = now_ms();
    let interval = Interval::new(TICK_MS, move || {
        let now = now_ms();
        let wall_ms = (now - last).clamp(0.0, MAX_CATCH_UP_MS);
        last = now;
        if !playing.get_untracked() {
            return;
        }
        let sim_ns = (wall_ms * 1e6 * speed.get_untracked()).round() as u64;
        if advance(sim_ns) == Progress::Finished {
            playing.set(false);
        }
    });
    let interval = SendWrapper::new(interval);
    on_cleanup(move || drop(interval));
}
