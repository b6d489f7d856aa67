//! The Leptos app. It owns no simulation logic: each animation frame
//! advances the core by (wall time × speed) within a per-frame event budget
//! (`state::Lab::tick`) and renders a snapshot of it.
//!
//! - [`app`]: the page and keyboard shortcuts.
//! - [`state`]: `Lab`, the shared state handle (signals + the simulation).
//! - [`playback`]: the `requestAnimationFrame` loop.
//! - [`gallery`], [`topology`], [`controls`], [`inspector`], [`charts`],
//!   [`messaging`] (brokers), [`ring`] (sharded stores), [`compare`] (A/B),
//!   [`share_panel`] (links, embed, exports): the panels.
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
pub mod inspector;
pub mod playback;
pub mod scene;
pub mod share_panel;
pub mod state;
pub mod topology;
pub mod url;

pub use app::App;

/// A family's panel beside the diagram (`families::Family::panel`).
pub type PanelFn = fn() -> leptos::prelude::AnyView;
/// A family's inspector editor for one of its nodes: (lab, the node's cell,
/// its id, its parameters) → the editor, or `None` for another family's node.
pub type InspectorFn = fn(
    state::Lab,
    leptos::prelude::RwSignal<scene::Live>,
    String,
    &crate::sim::engine::NodeParams,
) -> Option<leptos::prelude::AnyView>;
/// A family's tooltip text for one of its nodes: (id, view, " · DOWN" or "").
pub type DescribeFn = fn(&str, &crate::sim::engine::NodeView, &str) -> Option<String>;

pub use crate::format::thousands;

/// The families' panels, in registry order (when `embed`, only those an
/// embedded lab shows).
pub fn family_panels(embed: bool) -> leptos::prelude::AnyView {
    use leptos::prelude::*;
    let lab = expect_context::<state::Lab>();
    crate::families::FAMILIES
        .iter()
        .filter(|f| !embed || f.panel_in_embed)
        .map(|f| match (f.panel, f.code) {
            (Some(panel), _) => panel(),
            (None, crate::families::Code::Main(parts)) => match parts.panel {
                Some(panel) => panel(),
                None => ().into_any(),
            },
            // A family in a chunk: its panel joins the page once the chunk
            // has loaded (when a scenario of the family first opens).
            (None, crate::families::Code::Chunk(_)) => {
                let ready = Memo::new(move |_| {
                    lab.scene.track();
                    f.panel_fn().is_some()
                });
                (move || ready.get().then(|| f.panel_fn().map(|panel| panel()))).into_any()
            }
        })
        .collect_view()
        .into_any()
}
