//! The Leptos app. It owns no simulation logic: each animation frame
//! advances the core by (wall time × speed) within a per-frame event budget
//! (`state::Lab::tick`) and renders a snapshot of it.
//!
//! - [`app`]: the page and keyboard shortcuts.
//! - [`state`]: `Lab`, the shared state handle (signals + the simulation).
//! - [`playback`]: the `requestAnimationFrame` loop.
//! - [`gallery`], [`topology`], [`controls`], [`inspector`], [`charts`]: the panels.
//! - [`chart`]: plotters-on-canvas line charts.
//! - [`exports`]: engine entry points exported to JavaScript.

pub mod app;
pub mod chart;
pub mod charts;
pub mod controls;
pub mod exports;
pub mod gallery;
pub mod inspector;
pub mod playback;
pub mod state;
pub mod topology;

pub use app::App;
