//! The Leptos app. It owns no simulation logic: each animation frame
//! advances the core by (wall time × speed) within a per-frame event budget
//! (`state::Lab::tick`) and renders a snapshot of it.
//!
//! - [`app`]: the page and keyboard shortcuts.
//! - [`state`]: `Lab`, the shared state handle (signals + the simulation).
//! - [`playback`]: the `requestAnimationFrame` loop.
//! - [`gallery`], [`topology`], [`controls`], [`inspector`], [`charts`],
//!   [`compare`] (A/B), [`share_panel`] (links, embed, exports): the
//!   panels (a family's own are in its folder's `ui.rs`).
//! - [`widgets`], [`hooks`], [`estimator`]: what the families' panels use
//!   (with [`state`] and [`scene`]: the kit below the registry).
//! - [`open`]: opens that wait for a family's chunk or preset file.
//! - [`scene`]: the nodes on show, rebuilt whole per scenario.
//! - [`crash`]: the panic hook and the "Scale Lab hit a bug" notice.
//! - [`url`]: what the URL asks for; [`api`]: `window.scalelab`.
//! - [`chart`]: plotters-on-canvas line charts; [`canvas`]: canvas set-up
//!   shared by the hand-drawn panels.
//! - [`exports`]: engine entry points exported to JavaScript.

pub mod api;
pub mod app;
pub mod canvas;
pub mod chart;
pub mod charts;
pub mod compare;
pub mod controls;
pub mod crash;
pub mod estimator;
pub mod exports;
pub mod gallery;
pub mod hooks;
pub mod inspector;
pub mod open;
pub mod playback;
pub mod scene;
pub mod share_panel;
pub mod state;
pub mod topology;
pub mod url;
pub mod widgets;

pub use app::App;
