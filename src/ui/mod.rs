//! The Leptos app. It owns no simulation logic: each tick advances the core
//! by (wall time × speed) within a per-tick event budget and renders a
//! snapshot of it.
//!
//! - [`app`]: the page (header, scenario list, run panel, chart).
//! - [`playback`]: the `use_playback` hook that drives the simulation clock.
//! - [`chart`]: plotters-on-canvas latency chart.
//! - [`exports`]: engine entry points exported to JavaScript.

pub mod app;
pub mod chart;
pub mod exports;
pub mod playback;

pub use app::App;
